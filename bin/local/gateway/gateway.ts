/**
 * The local stand-in for one API Gateway WebSocket API (behind CloudFront for chargers): one node:http server
 * carrying upgrades (through the CloudFront function if any, the authorizer and `$connect`), frames (`$default`,
 * route responses), `$disconnect`, and the `@connections` management API. Lambda-like: invocations run concurrently.
 */
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { viewerIp } from '../edge.ts';
import type { Edge } from '../edge.ts';
import { admissionControl, retryAfter } from './admission.ts';
import { boundedRunner } from './bounded.ts';
import type { AdmissionLimits } from './admission.ts';
import { liveConnection } from './connections.ts';
import type { ConnectionLimits, LiveConnection } from './connections.ts';
import { MAX_FRAME_BYTES, limitFrameSize } from './frame-limits.ts';
import { awsId, disconnectEvent, messageEvent } from '../events/index.ts';
import type { ApiInfo, ConnectionInfo } from '../events/index.ts';
import { refuseUpgrade, sendEdgeResponse } from './http-replies.ts';
import { MAX_MESSAGE_BYTES, handleManagementRequest } from './management-api.ts';
import { apiGatewayRequest, authorize, directRequest, handshakeProblem, runConnect } from './upgrade.ts';
import type { Logger, WsFunctions } from './upgrade.ts';
import { watchUpgrade } from './upgrade-socket.ts';

/** What the gateway fronts: the imported handlers, behind the CloudFront function for the charger API. */
export interface Hosted {
  /** Absent: clients reach API Gateway directly, at the stage path. */
  readonly edge?: Edge;
  readonly functions: WsFunctions;
}

export interface GatewayLimits extends ConnectionLimits, AdmissionLimits {
  /**
   * `$default` invocations one connection may have running; a frame beyond gets API Gateway's throttling answer
   * (`Too Many Requests`) and reaches no handler. OCPP allows one CALL in flight each way, so a charger that
   * follows the protocol never comes near it.
   */
  readonly maxInvocationsPerConnection: number;
  /**
   * `$disconnect` invocations running at once; the rest wait their turn. Admission bounds how fast a fleet comes
   * in, but a fleet can leave all at once (a network blip), and a thousand `$disconnect`s sharing one process's
   * pool of DynamoDB sockets would time out waiting for one and leave chargers recorded as connected.
   */
  readonly maxDisconnectsInProgress: number;
}

export const DEFAULT_MAX_INVOCATIONS_PER_CONNECTION = 10;
export const DEFAULT_MAX_DISCONNECTS_IN_PROGRESS = 64;

export interface GatewayOptions {
  /** Resolves once the edge and the handlers are loaded; upgrades that arrive earlier wait for it. */
  readonly hosted: Promise<Hosted>;
  readonly stage: string;
  readonly limits: GatewayLimits;
  readonly logger: Logger;
}

/** What the gateway turned away or lost, for the bench, the tests and the stop report. */
export interface GatewayStats {
  /** Upgrades refused with 503 because too many were in progress or waiting. */
  readonly upgradesRefusedBusy: number;
  /** Upgrades whose client left before the handshake completed; counted once, whatever had run. */
  readonly upgradesAbandoned: number;
  /** Frames answered `Too Many Requests` without an invocation. */
  readonly framesThrottled: number;
  /** `$disconnect` invocations that failed (the charger may stay recorded as connected). */
  readonly disconnectsFailed: number;
  /** Upgrades running their authorizer and `$connect` now, and waiting for a slot now. */
  readonly upgradesInProgress: number;
  readonly upgradesWaiting: number;
  /** `$disconnect` invocations running or waiting their turn now. */
  readonly disconnectsPending: number;
}

export interface Gateway {
  /** Listens and returns the port (pass 0 for a free one). */
  listen(port: number, host: string): Promise<number>;
  /**
   * Closes every connection (each gets its `$disconnect`), waits for running invocations, then the server.
   * Resolves with the number of `$disconnect` invocations that failed meanwhile.
   */
  close(): Promise<{ readonly disconnectsFailed: number }>;
  /** `@connections` calls served so far. */
  managementCalls(): number;
  stats(): GatewayStats;
}

const CLOSE_GRACE_MS = 3_000;

/** Close codes `ws` sends when it fails a connection (RFC 6455 §7.4.1); any other WS_ERR_* is a 1002. */
const WS_ERROR_CLOSE_CODES: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};

const protocolErrorCloseCode = (e: NodeJS.ErrnoException): number | undefined =>
  e.code?.startsWith('WS_ERR_') ? (WS_ERROR_CLOSE_CODES[e.code] ?? 1002) : undefined;

export const createGateway = (opts: GatewayOptions): Gateway => {
  const { logger, stage } = opts;
  const live = new Map<string, LiveConnection>();
  const sockets = new Set<Promise<void>>();
  const inflight = new Set<Promise<unknown>>();
  let managementCalls = 0;
  const counts = { upgradesRefusedBusy: 0, upgradesAbandoned: 0, framesThrottled: 0, disconnectsFailed: 0 };
  const admission = admissionControl(opts.limits);
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  let apiInfo: ApiInfo | undefined; // known once listening
  let stopping = false;

  /** Keeps running work visible to close(); failures here are bugs of the gateway, never of a handler. */
  const track = (work: Promise<unknown>): void => {
    const settled: Promise<void> = work
      .then(() => undefined, (e: unknown) => logger.error('[gateway] unexpected failure', e))
      .finally(() => inflight.delete(settled));
    inflight.add(settled);
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES, // larger messages, fragmented or not, are closed with 1009, as API Gateway does
    perMessageDeflate: false,
    handleProtocols: (_offered, req) => chosenProtocol.get(req) ?? false,
  });

  const onMessage = async (fns: WsFunctions, api: ApiInfo, conn: LiveConnection, data: Buffer, isBinary: boolean) => {
    // API Gateway hands binary frames to the integration base64-encoded.
    const event = messageEvent(api, conn.info, data.toString(isBinary ? 'base64' : 'utf8'), isBinary);
    const reply = (body: string) => (conn.isOpen() ? conn.send(body).catch(() => undefined) : undefined);
    const ids = { connectionId: conn.info.connectionId, requestId: event.requestContext.requestId };
    const entry = fns.routes.$default;
    if (!entry) return reply(JSON.stringify({ message: 'Forbidden', ...ids }));
    const out = await entry.fn.invoke(event);
    if (!out.ok) {
      logger.error(`[${entry.route.id}] failed`, out.error);
      return reply(JSON.stringify({ message: 'Internal server error', ...ids }));
    }
    const body = (out.result as { body?: unknown } | undefined)?.body;
    if (entry.route.returnResponse && typeof body === 'string' && body !== '') await reply(body);
  };

  const disconnecting = boundedRunner(opts.limits.maxDisconnectsInProgress);
  const onDisconnect = async (fns: WsFunctions, api: ApiInfo, info: ConnectionInfo, code: number, reason: string) => {
    const entry = fns.routes.$disconnect;
    if (!entry) return;
    const out = await disconnecting.run(() => entry.fn.invoke(disconnectEvent(api, info, code, reason)));
    if (out.ok) return;
    counts.disconnectsFailed += 1;
    logger.error(`[${entry.route.id}] failed: ${info.connectionId} may stay recorded as connected`, out.error);
  };

  /** API Gateway's answer to a throttled frame: an error frame, no invocation, the connection stays open. */
  const throttled = (conn: LiveConnection) => {
    counts.framesThrottled += 1;
    const ids = { connectionId: conn.info.connectionId, requestId: awsId() };
    if (conn.isOpen()) conn.send(JSON.stringify({ message: 'Too Many Requests', ...ids })).catch(() => undefined);
  };

  const accept = (fns: WsFunctions, api: ApiInfo, socket: WebSocket, raw: Duplex, info: ConnectionInfo) => {
    const conn = liveConnection(socket, info, opts.limits);
    live.set(info.connectionId, conn);
    let running = 0;
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      conn.touch();
      if (running >= opts.limits.maxInvocationsPerConnection) return throttled(conn);
      running += 1;
      track(onMessage(fns, api, conn, data, isBinary).finally(() => (running -= 1)));
    });
    let protocolError: number | undefined;
    limitFrameSize(socket, raw, MAX_FRAME_BYTES, () => {
      protocolError = 1009;
      logger.warn(`[gateway] ${info.connectionId}: a frame over ${MAX_FRAME_BYTES} bytes; closing with 1009`);
      socket.close(1009, 'Message too big');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      protocolError ??= protocolErrorCloseCode(e);
      logger.warn(`[gateway] ${info.connectionId}: ${e.message}`);
    });
    const gone = new Promise<void>((resolve) =>
      // 'close' comes after the TCP socket is gone, which is when API Gateway runs $disconnect.
      socket.on('close', (code: number, reason: Buffer) => {
        live.delete(info.connectionId);
        conn.dispose();
        // After a protocol error `ws` stops reading, so it reports 1006; API Gateway reports the code it closed with.
        const reported = code === 1006 && protocolError ? protocolError : code;
        track(onDisconnect(fns, api, info, reported, reason.toString()));
        resolve();
      }),
    );
    sockets.add(gone);
    const forget = () => sockets.delete(gone);
    gone.then(forget, forget);
  };

  /** Refused or abandoned after `$connect` succeeded: API Gateway runs `$disconnect` for what `$connect` accepted. */
  const undoConnect = (fns: WsFunctions, api: ApiInfo, info: ConnectionInfo, reason: string) =>
    onDisconnect(fns, api, info, 1006, reason);

  const abandoned = (socket: Duplex) => {
    counts.upgradesAbandoned += 1;
    socket.destroy();
  };

  /** The upgrade once it holds a slot: edge, authorizer, `$connect`, handshake. Each step first checks the client is still there. */
  const admitted = async (req: IncomingMessage, socket: Duplex, head: Buffer, api: ApiInfo, gone: AbortSignal, release: (head: Buffer) => Buffer) => {
    const { edge: cloudFront, functions: fns } = await opts.hosted;
    const edge = cloudFront ? cloudFront.viewerRequest(req) : { forwarded: directRequest(req) };
    if ('refused' in edge) return sendEdgeResponse(socket, edge.refused);
    // API Gateway answers 403 for any path other than the stage itself.
    if (edge.forwarded.uri.replace(/\/$/, '') !== `/${stage}`) return refuseUpgrade(socket, 403);
    if (gone.aborted) return abandoned(socket);
    const request = apiGatewayRequest(edge.forwarded, api, viewerIp(req));
    const base = { connectionId: awsId(), connectedAt: Date.now(), sourceIp: viewerIp(req), userAgent: 'Amazon CloudFront' };
    const auth = await authorize(fns, api, base, request);
    if (auth && !auth.allowed) {
      logger.info(`[gateway] upgrade refused ${auth.status}: ${auth.reason}`);
      return refuseUpgrade(socket, auth.status);
    }
    if (gone.aborted) return abandoned(socket);
    const info: ConnectionInfo = auth ? { ...base, authorizer: auth.authorizer } : base;
    const connect = await runConnect(fns, api, info, request);
    if (connect.error) logger.error(`[${fns.routes.$connect?.route.id}] failed`, connect.error);
    if (connect.status >= 300) return refuseUpgrade(socket, connect.status);
    if (gone.aborted || stopping) {
      if (gone.aborted) abandoned(socket);
      else refuseUpgrade(socket, 503);
      return undoConnect(fns, api, info, 'Connection closed during $connect');
    }
    if (connect.protocol) chosenProtocol.set(req, connect.protocol);
    let opened = false;
    // `ws` completes the handshake synchronously here, or refuses it without calling back.
    wss.handleUpgrade(req, socket, release(head), (ws) => {
      opened = true;
      accept(fns, api, ws, socket, info);
    });
    if (!opened) return undoConnect(fns, api, info, 'Handshake failed after $connect');
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined); // a client that vanishes mid-handshake is not our failure
    const api = apiInfo;
    if (stopping || !api) return refuseUpgrade(socket, 503);
    const problem = handshakeProblem(req);
    if (problem) {
      logger.info(`[gateway] upgrade refused ${problem.status}: ${problem.reason}`);
      return refuseUpgrade(socket, problem.status);
    }
    const watch = watchUpgrade(socket);
    const slot = await admission.admit(watch.gone);
    if (!slot.admitted) {
      watch.release(head);
      if (slot.why === 'abandoned') return abandoned(socket);
      counts.upgradesRefusedBusy += 1;
      return refuseUpgrade(socket, 503, { 'Retry-After': retryAfter(opts.limits) });
    }
    try {
      await admitted(req, socket, head, api, watch.gone, watch.release);
    } finally {
      watch.release(head);
      slot.release();
    }
  };

  const server = createServer((req, res) => {
    const counted = () => void (managementCalls += 1);
    if (handleManagementRequest({ stage, find: (id) => live.get(id), counted }, req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    track(
      upgrade(req, socket, head).catch((e: unknown) => {
        logger.error('[gateway] upgrade failed', e);
        refuseUpgrade(socket, 500);
      }),
    ),
  );

  const drain = async () => {
    while (inflight.size) await Promise.allSettled([...inflight]);
  };

  return {
    managementCalls: () => managementCalls,
    stats: () => {
      const load = admission.load();
      return { ...counts, upgradesInProgress: load.inProgress, upgradesWaiting: load.waiting, disconnectsPending: disconnecting.pending() };
    },
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const bound = (server.address() as AddressInfo).port;
          const domainHost = ['0.0.0.0', '::'].includes(host) ? '127.0.0.1' : host;
          apiInfo = { apiId: 'local', stage, domainName: `${domainHost}:${bound}`, region: 'us-east-1', accountId: '000000000000' };
          resolve(bound);
        });
      }),
    close: async () => {
      stopping = true;
      const failedBefore = counts.disconnectsFailed;
      for (const conn of live.values()) conn.close(1001, 'Going away');
      const timeout = new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref());
      await Promise.race([Promise.all(sockets), timeout]);
      for (const ws of wss.clients) ws.terminate();
      await Promise.all(sockets);
      await drain();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return { disconnectsFailed: counts.disconnectsFailed - failedBefore };
    },
  };
};
