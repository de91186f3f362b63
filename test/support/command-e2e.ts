/**
 * What the command e2e files share: the REST API as an operator calls it (answers read as JSON), sending a command
 * and following it to its end, a booted charger that speaks raw OCPP-J frames, and a file's runtime with its
 * chargers.
 */
import type { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, expect } from 'vitest';
import type { WebSocket } from 'ws';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import type { LocalRuntime, LocalRuntimeOptions } from '../../bin/local/runtime.ts';
import { bootedCharger, runId, startE2e, type E2e } from './e2e.ts';
import { signIn } from './operator-tokens.ts';
import { openSocket } from './ws-client.ts';

// Tests read any answer field by field.
export type Json = Record<string, any>;

export interface ApiAnswer {
  status: number;
  location: string | null;
  body: Json;
}

/** Calls the runtime's REST API with `token()` (read at each call: tests sign in after the runtime starts). */
export const operatorApi = (runtime: () => LocalRuntime, token: () => string) => {
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, as = token()): Promise<ApiAnswer> => {
    const res = await fetch(`${runtime().restUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${as}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, location: res.headers.get('location'), body: text ? (JSON.parse(text) as Json) : {} };
  };
  /** The command once it ended (or after `wait` seconds). */
  const follow = async (commandId: string, wait = 20): Promise<Json> => (await api('GET', `/commands/${commandId}?wait=${wait}`)).body;
  /** POST /chargers/{id}/commands; `extra`: the request's other fields (timeoutSeconds, whenOffline). */
  const send = (chargerId: string, action: string, payload: unknown, extra: Json = {}, headers: Record<string, string> = {}) =>
    api('POST', `/chargers/${encodeURIComponent(chargerId)}/commands`, { action, payload, ...extra }, headers);
  return {
    api,
    send,
    follow,
    /** Sends a command, expects it queued and then answered by the charger; the answered command. */
    answered: async (chargerId: string, action: string, payload: unknown): Promise<Json> => {
      const posted = await send(chargerId, action, payload);
      expect(posted.status).toBe(202);
      const done = await follow(posted.body.commandId as string);
      expect(done).toMatchObject({ status: 'answered' });
      return done;
    },
  };
};

/** A BootNotification of each version, as a raw charger sends it. */
const RAW_BOOT: Record<OcppProtocol, Json> = {
  'ocpp1.6': { chargePointVendor: 'Acme', chargePointModel: 'Raw' },
  'ocpp2.0.1': { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Raw' } },
  'ocpp2.1': { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Raw' } },
};

export type CallFrame = [type: number, messageId: string, action: string, payload: Json];

export interface RawCharger {
  readonly ws: WebSocket;
  /** The next frame the CSMS sends, parsed; rejects once the connection is closed and every frame read. */
  next(): Promise<unknown[]>;
  /** The next frame, read as a CALL of the CSMS. */
  nextCall(): Promise<CallFrame>;
  /** Frames received and not read yet. */
  unread(): number;
}

/** How a raw charger connects: with the `password` of a charger registered before (else it is registered now), booting or not. */
export interface RawChargerOptions {
  readonly password?: string;
  /** @default true */
  readonly boot?: boolean;
}

/**
 * Registers a charger (unless `password` is given), connects it speaking raw OCPP-J frames of `protocol` (it can
 * answer anything, or nothing) and has its boot accepted (unless `boot` is false). The caller closes its socket.
 */
export const rawCharger = async (e: E2e, chargerId: string, protocol: OcppProtocol = 'ocpp1.6', options: RawChargerOptions = {}): Promise<RawCharger> => {
  const password = options.password ?? (await e.register({ chargerId }));
  const ws = await openSocket(e.runtime.chargerUrl(chargerId), { protocols: [protocol], basic: `${chargerId}:${password}` });
  // Every frame is kept until read: a CALL may arrive before the test asks for it.
  const frames: unknown[][] = [];
  let open = true;
  let wake: (() => void) | undefined;
  ws.on('message', (data: Buffer) => {
    frames.push(JSON.parse(data.toString()) as unknown[]);
    wake?.();
  });
  ws.on('close', () => {
    open = false;
    wake?.();
  });
  const next = async (): Promise<unknown[]> => {
    while (frames.length === 0) {
      if (!open) throw new Error(`${chargerId}'s connection closed before the frame came`);
      await new Promise<void>((r) => (wake = r));
    }
    return frames.shift()!;
  };
  const charger = { ws, next, nextCall: async () => (await next()) as CallFrame, unread: () => frames.length };
  if (options.boot === false) return charger;
  ws.send(JSON.stringify([2, 'boot-1', 'BootNotification', RAW_BOOT[protocol]]));
  const boot = await next();
  if (boot[0] !== 3 || (boot[2] as Json | undefined)?.status !== 'Accepted') throw new Error(`the boot of ${chargerId} was answered ${JSON.stringify(boot)}`);
  return charger;
};

/**
 * One local runtime for a command e2e file (started with `options`, e.g. a faster schedule clock): started before the
 * file's tests with an admin signed in as `${adminName}-${runId}`, stopped after them with every charger connected
 * through it closed. Call at the top of the file (it adds the file's beforeAll and afterAll).
 */
export const commandE2eFile = (adminName: string, options: LocalRuntimeOptions = {}) => {
  let started: E2e | undefined;
  let admin = '';
  const clients: RPCClient[] = [];
  const sockets: WebSocket[] = [];
  const e = (): E2e => {
    if (started === undefined) throw new Error('the runtime starts in beforeAll');
    return started;
  };
  const runtime = () => e().runtime as LocalRuntime;
  beforeAll(async () => {
    started = await startE2e(options);
    admin = (await signIn(runtime().userPool, `${adminName}-${runId}`, ['admin'])).accessToken;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ force: true })));
    for (const ws of sockets) ws.terminate();
    await started?.runtime.stop();
  });
  return {
    get e() {
      return e();
    },
    get runtime() {
      return runtime();
    },
    ...operatorApi(runtime, () => admin),
    /** Closes `client` after the file's tests. */
    closeAfter: (client: RPCClient) => clients.push(client),
    /** A strict ocpp-rpc charger, booted (bootedCharger). */
    connect: async (chargerId: string, protocol: 'ocpp1.6' | 'ocpp2.0.1'): Promise<RPCClient> => {
      const client = await bootedCharger(e(), chargerId, protocol);
      clients.push(client);
      return client;
    },
    /** A charger speaking raw frames, booted (rawCharger). */
    connectRaw: async (chargerId: string, protocol: OcppProtocol = 'ocpp1.6', options: RawChargerOptions = {}): Promise<RawCharger> => {
      const charger = await rawCharger(e(), chargerId, protocol, options);
      sockets.push(charger.ws);
      return charger;
    },
  };
};
