/**
 * The local gateway under pressure: admission control of upgrades (a reconnect storm), `$connect` and
 * `$disconnect` pairing exactly for upgrades that fail or are abandoned, and the per-connection bound on
 * invocations (a charger pipelining without limit). Limits are tiny here so that a handful of clients fill them.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LocalRuntime } from '../../../bin/local/runtime.ts';
import { createTestTables, deleteTestTables } from '../../support/dynamo.ts';
import type { TestTables } from '../../support/dynamo.ts';
import { openSocket } from '../../support/ws-client.ts';
import { startFixtureRuntime } from './fixtures/host.ts';
import { disconnectsRunning, invocationsFor, waitForInvocation, waitForInvocations } from './fixtures/recorder.ts';

const GOOD = { basic: 'any:secret', protocols: ['ocpp1.6'] };
const BASIC = `Basic ${Buffer.from('any:secret').toString('base64')}`;

let runtime: LocalRuntime;
let db: TestTables;

beforeAll(async () => {
  db = await createTestTables();
  runtime = await startFixtureRuntime(db, {
    admission: { maxUpgradesInProgress: 1, maxUpgradesWaiting: 1, maxUpgradeWaitMs: 5_000, retryAfterSeconds: 7 },
    maxInvocationsPerConnection: 2,
    maxDisconnectsInProgress: 2,
  });
});

afterAll(async () => {
  await runtime?.stop();
  if (db) await deleteTestTables(db);
});

const until = async (done: () => boolean, what: string, timeoutMs = 5_000) => {
  for (const deadline = Date.now() + timeoutMs; !done(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
};

/** Status and headers of a refused upgrade. */
const refusedWith = (url: string): Promise<{ status: number; headers: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['ocpp1.6'], { headers: { Authorization: BASIC } });
    ws.once('open', () => reject(new Error('upgrade was accepted')));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      res.resume();
    });
    ws.once('error', reject);
  });

/** An upgrade written by hand on a TCP socket, so a test can make it malformed or walk away from it. */
const rawUpgrade = (chargeBoxId: string, extraHeaders: Record<string, string> = {}): Socket => {
  const socket = tcpConnect(runtime.port, '127.0.0.1');
  socket.on('error', () => undefined);
  const headers = {
    Host: `127.0.0.1:${runtime.port}`,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Protocol': 'ocpp1.6',
    Authorization: BASIC,
    ...extraHeaders,
  };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(`GET /ocpp/${chargeBoxId} HTTP/1.1\r\n${head}\r\n`);
  return socket;
};

const responseOf = (socket: Socket): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('close', () => resolve(text));
  });

describe('admission control of upgrades', () => {
  it('runs a bounded number of upgrades at once, lets the next wait, and refuses the rest with 503 and Retry-After', async () => {
    const inProgress = openSocket(runtime.chargerUrl('SLOW-A1'), GOOD);
    await waitForInvocation('$connect', 'SLOW-A1');
    const waiting = openSocket(runtime.chargerUrl('CP-A2'), GOOD);
    await until(() => runtime.gatewayStats().upgradesWaiting === 1, 'the second upgrade to wait');
    const refused = await refusedWith(runtime.chargerUrl('CP-A3'));
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(7);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(14);
    expect(invocationsFor('authorizer', 'CP-A3')).toHaveLength(0);
    for (const ws of await Promise.all([inProgress, waiting])) ws.close();
  });

  it('drops an upgrade whose client leaves while it waits, without running any handler', async () => {
    const inProgress = openSocket(runtime.chargerUrl('SLOW-B1'), GOOD);
    await waitForInvocation('$connect', 'SLOW-B1');
    const before = runtime.gatewayStats().upgradesAbandoned;
    const leaving = rawUpgrade('CP-B2');
    await until(() => runtime.gatewayStats().upgradesWaiting === 1, 'the upgrade to wait');
    leaving.destroy();
    await until(() => runtime.gatewayStats().upgradesAbandoned === before + 1, 'the upgrade to be dropped');
    (await inProgress).close();
    await waitForInvocation('$disconnect', 'SLOW-B1');
    expect(invocationsFor('authorizer', 'CP-B2')).toHaveLength(0);
    expect(invocationsFor('$connect', 'CP-B2')).toHaveLength(0);
  });
});

describe('a fleet that leaves at once', () => {
  it('runs a bounded number of $disconnects at once and the rest after, none failing', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `LEAVE-${i}`);
    const sockets: WebSocket[] = [];
    // One at a time: admission lets one upgrade run here.
    for (const id of ids) sockets.push(await openSocket(runtime.chargerUrl(id), GOOD));
    const failedBefore = runtime.gatewayStats().disconnectsFailed;
    for (const ws of sockets) ws.close();
    await waitForInvocations((i) => i.route === '$disconnect' && ids.includes(i.event.requestContext?.authorizer?.chargeBoxId), ids.length);
    await until(() => runtime.gatewayStats().disconnectsPending === 0, 'every $disconnect to finish');
    expect(disconnectsRunning.most).toBe(2);
    expect(runtime.gatewayStats().disconnectsFailed).toBe(failedBefore);
  });
});

describe('$connect and $disconnect pair exactly, as on API Gateway', () => {
  const connectionIds = (route: '$connect' | '$disconnect', id: string) =>
    invocationsFor(route, id).map((i) => i.event.requestContext.connectionId as string);

  it('refuses a malformed handshake with 400 before the authorizer or $connect runs', async () => {
    const socket = rawUpgrade('CP-C1', { 'Sec-WebSocket-Version': '12' });
    expect(await responseOf(socket)).toMatch(/^HTTP\/1\.1 400 /);
    expect(invocationsFor('authorizer', 'CP-C1')).toHaveLength(0);
    expect(invocationsFor('$connect', 'CP-C1')).toHaveLength(0);
  });

  it('runs $disconnect for an upgrade refused after $connect accepted it', async () => {
    // A subprotocol offered twice passes the authorizer and $connect; the WebSocket handshake then refuses it.
    const socket = rawUpgrade('CP-C2', { 'Sec-WebSocket-Protocol': 'ocpp1.6, ocpp1.6' });
    expect(await responseOf(socket)).toMatch(/^HTTP\/1\.1 400 /);
    await waitForInvocation('$disconnect', 'CP-C2');
    expect(connectionIds('$connect', 'CP-C2')).toHaveLength(1);
    expect(connectionIds('$disconnect', 'CP-C2')).toEqual(connectionIds('$connect', 'CP-C2'));
  });

  it('runs $disconnect for a client that half-closes right after its headers, while $connect runs', async () => {
    const socket = rawUpgrade('SLOW-C3');
    socket.end(); // FIN: the client will never read the 101
    await waitForInvocation('$connect', 'SLOW-C3');
    await waitForInvocation('$disconnect', 'SLOW-C3');
    expect(connectionIds('$disconnect', 'SLOW-C3')).toEqual(connectionIds('$connect', 'SLOW-C3'));
  });
});

describe('the per-connection bound on invocations', () => {
  it('answers frames beyond the bound with Too Many Requests, invoking nothing, and keeps the connection open', async () => {
    const ws = await openSocket(runtime.chargerUrl('CP-D1'), GOOD);
    const replies: string[] = [];
    ws.on('message', (data: Buffer) => replies.push(data.toString()));
    for (let i = 0; i < 6; i += 1) ws.send(JSON.stringify({ action: 'sleep', ms: 200 }));
    await until(() => replies.length === 6, 'six replies');
    const throttled = replies.filter((r) => JSON.parse(r).message === 'Too Many Requests');
    expect(throttled).toHaveLength(4);
    expect(JSON.parse(throttled[0]!)).toMatchObject({ connectionId: expect.any(String), requestId: expect.any(String) });
    expect(invocationsFor('$default', 'CP-D1')).toHaveLength(2);
    ws.send(JSON.stringify({ action: 'sleep', ms: 0 }));
    await until(() => replies.length === 7, 'a reply once the bound has room again');
    expect(JSON.parse(replies[6]!)).toEqual({ slept: 0 });
    ws.close();
  });
});
