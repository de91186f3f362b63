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
import { liveConnection } from './connections.ts';
import type { ConnectionLimits, LiveConnection } from './connections.ts';
import { awsId, disconnectEvent, messageEvent } from '../events/index.ts';
import type { ApiInfo, ConnectionInfo } from '../events/index.ts';
import { refuseUpgrade, sendEdgeResponse } from './http-replies.ts';
import { MAX_MESSAGE_BYTES, handleManagementRequest } from './management-api.ts';
import { apiGatewayRequest, authorize, directRequest, runConnect } from './upgrade.ts';
import type { Logger, WsFunctions } from './upgrade.ts';

/** What the gateway fronts: the imported handlers, behind the CloudFront function for the charger API. */
export interface Hosted {
  /** Absent: clients reach API Gateway directly, at the stage path. */
  readonly edge?: Edge;
  readonly functions: WsFunctions;
}

export interface GatewayOptions {
  /** Resolves once the edge and the handlers are loaded; upgrades that arrive earlier wait for it. */
  readonly hosted: Promise<Hosted>;
  readonly stage: string;
  readonly limits: ConnectionLimits;
  readonly logger: Logger;
}

export interface Gateway {
  /** Listens and returns the port (pass 0 for a free one). */
  listen(port: number, host: string): Promise<number>;
  /** Closes every connection (each gets its `$disconnect`), waits for running invocations, then the server. */
  close(): Promise<void>;
  /** `@connections` calls served so far. */
  managementCalls(): number;
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
    maxPayload: MAX_MESSAGE_BYTES, // larger messages are closed with 1009, as API Gateway does
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

  const onDisconnect = async (fns: WsFunctions, api: ApiInfo, info: ConnectionInfo, code: number, reason: string) => {
    const entry = fns.routes.$disconnect;
    if (!entry) return;
    const out = await entry.fn.invoke(disconnectEvent(api, info, code, reason));
    if (!out.ok) logger.error(`[${entry.route.id}] failed`, out.error);
  };

  const accept = (fns: WsFunctions, api: ApiInfo, socket: WebSocket, info: ConnectionInfo) => {
    const conn = liveConnection(socket, info, opts.limits);
    live.set(info.connectionId, conn);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      conn.touch();
      track(onMessage(fns, api, conn, data, isBinary));
    });
    let protocolError: number | undefined;
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

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined); // a client that vanishes mid-handshake is not our failure
    const api = apiInfo;
    if (stopping || !api) return refuseUpgrade(socket, 503);
    const { edge: cloudFront, functions: fns } = await opts.hosted;
    const edge = cloudFront ? cloudFront.viewerRequest(req) : { forwarded: directRequest(req) };
    if ('refused' in edge) return sendEdgeResponse(socket, edge.refused);
    // API Gateway answers 403 for any path other than the stage itself.
    if (edge.forwarded.uri.replace(/\/$/, '') !== `/${stage}`) return refuseUpgrade(socket, 403);
    const request = apiGatewayRequest(edge.forwarded, api, viewerIp(req));
    const base = { connectionId: awsId(), connectedAt: Date.now(), sourceIp: viewerIp(req), userAgent: 'Amazon CloudFront' };
    const auth = await authorize(fns, api, base, request);
    if (auth && !auth.allowed) {
      logger.info(`[gateway] upgrade refused ${auth.status}: ${auth.reason}`);
      return refuseUpgrade(socket, auth.status);
    }
    const info: ConnectionInfo = auth ? { ...base, authorizer: auth.authorizer } : base;
    const connect = await runConnect(fns, api, info, request);
    if (connect.error) logger.error(`[${fns.routes.$connect?.route.id}] failed`, connect.error);
    if (connect.status >= 300) return refuseUpgrade(socket, connect.status);
    if (socket.destroyed || stopping) {
      // $connect has run (and may have recorded the connection): let $disconnect clean up, as after a drop.
      if (!socket.destroyed) refuseUpgrade(socket, 503);
      return onDisconnect(fns, api, info, 1006, 'Connection closed during $connect');
    }
    if (connect.protocol) chosenProtocol.set(req, connect.protocol);
    wss.handleUpgrade(req, socket, head, (ws) => accept(fns, api, ws, info));
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
      for (const conn of live.values()) conn.close(1001, 'Going away');
      const timeout = new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref());
      await Promise.race([Promise.all(sockets), timeout]);
      for (const ws of wss.clients) ws.terminate();
      await Promise.all(sockets);
      await drain();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
