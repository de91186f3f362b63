/**
 * Live events for operators end to end under the local runtime (docs/live-events.md): operators connect to the
 * `operators` WebSocket API with their access token, subscribe, and receive what a simulated charger does (its
 * status, a transaction, a command sent to it) through the table's stream and the fan-out route, and nothing of
 * another charger's. An event too large for a WebSocket message arrives without its data. Unauthenticated and
 * expired tokens are refused; a client cannot publish.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { PEOPLE_SCOPE } from '#functions/_routes/http-auth.ts';
import { bearerSubprotocol, LIVE_SUBPROTOCOL, type LiveEvent } from '#shared/live/live-event.ts';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '#shared/websocket-limits.ts';
import { watch as watchCli } from '../../bin/cli/watch.ts';
import { commandE2eFile, type Json } from '../support/command-e2e.ts';
import { runId } from '../support/e2e.ts';
import { foreignToken, signIn } from '../support/operator-tokens.ts';
import { openSocket, refusal } from '../support/ws-client.ts';

// A data directory keeps the Cognito stand-in's signing key in a file: the expired token is signed with it.
const dataDir = mkdtempSync(join(tmpdir(), 'ov2xmp-live-'));
const f = commandE2eFile('live-admin', { dataDir });
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const liveUrl = () => f.runtime.endpoints.operatorsWebSocket as string;
const now = () => new Date().toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Watcher {
  readonly ws: WebSocket;
  readonly events: LiveEvent[];
  /** The next ack or error, in order. */
  reply(): Promise<Json>;
  until(found: (events: readonly LiveEvent[]) => boolean, what: string): Promise<void>;
}

const sockets: WebSocket[] = [];
afterAll(() => sockets.forEach((ws) => ws.terminate()));

const watch = async (token: string): Promise<Watcher> => {
  const ws = await openSocket(liveUrl(), { protocols: [LIVE_SUBPROTOCOL, bearerSubprotocol(token)] });
  sockets.push(ws);
  const events: LiveEvent[] = [];
  const replies: Json[] = [];
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as Json;
    if (message.type === 'event') events.push(message as unknown as LiveEvent);
    else replies.push(message);
  });
  const poll = async (ready: () => boolean, what: string) => {
    for (const end = Date.now() + 15_000; Date.now() < end; await sleep(50)) if (ready()) return;
    throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events)}`);
  };
  return {
    ws,
    events,
    reply: async () => {
      await poll(() => replies.length > 0, 'a reply');
      return replies.shift() as Json;
    },
    until: (found, what) => poll(() => found(events), what),
  };
};

const subscribe = async (w: Watcher, message: Json): Promise<Json> => {
  w.ws.send(JSON.stringify({ action: 'subscribe', ...message }));
  return w.reply();
};

const kinds = (events: readonly LiveEvent[]) => new Set(events.map((e) => e.kind));

describe('live events', () => {
  it('shows a subscribed operator a charger’s status, transaction and command, and another charger’s subscriber none of them', async () => {
    const cp = `CP-LIVE-${runId}`;
    const viewer = (await signIn(f.runtime.userPool, `live-viewer-${runId}`, ['viewer'])).accessToken;
    const [mine, other] = await Promise.all([watch(viewer), watch(viewer)]);
    expect(await subscribe(mine, { chargers: [cp] })).toMatchObject({ type: 'ack', action: 'subscribe', targets: [`charger:${cp.toLowerCase()}`] });
    expect(await subscribe(other, { chargers: [`CP-ELSEWHERE-${runId}`], kinds: ['status', 'transactions', 'commands'] })).toMatchObject({ type: 'ack' });

    const client = await f.connect(cp, 'ocpp1.6');
    client.handle('Reset', async () => ({ status: 'Accepted' }));
    await client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: now() });
    await client.call('StartTransaction', { connectorId: 1, idTag: 'LIVE-TAG', meterStart: 0, timestamp: now() });
    const posted = await f.send(cp, 'Reset', { type: 'Soft' });
    await f.follow(posted.body.commandId as string);

    await mine.until((es) => es.some((e) => e.kind === 'commands' && e.data.status === 'answered'), 'the answered command');
    await mine.until((es) => ['status', 'transactions', 'boot'].every((k) => kinds(es).has(k as LiveEvent['kind'])), 'status, transaction and boot events');
    const status = mine.events.find((e) => e.kind === 'status' && e.data.status === 'Preparing');
    expect(status).toMatchObject({ chargerId: cp, data: { connectorId: 1, status: 'Preparing' } });
    expect(status?.eventId).toEqual(expect.any(String));
    expect(mine.events.find((e) => e.kind === 'commands')).toMatchObject({ chargerId: cp, data: { commandId: posted.body.commandId, action: 'Reset' } });
    expect(JSON.stringify(mine.events)).not.toContain('sendPayload');
    // Ids are per stream record: none repeats here (no redelivery happened).
    expect(new Set(mine.events.map((e) => e.eventId)).size).toBe(mine.events.length);
    await sleep(500); // the fan-out of the last change has reached everyone it reaches
    expect(other.events).toEqual([]);
  });

  it('filters by kind and follows every charger when none is named', async () => {
    const cp = `CP-LIVE-ALL-${runId}`;
    const operator = (await signIn(f.runtime.userPool, `live-operator-${runId}`, ['operator'])).accessToken;
    const w = await watch(operator);
    expect(await subscribe(w, { kinds: ['boot'] })).toMatchObject({ type: 'ack', targets: ['all'], kinds: ['boot'] });
    const client = await f.connect(cp, 'ocpp2.0.1');
    await client.call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    await w.until((es) => es.some((e) => e.chargerId === cp && e.kind === 'boot'), 'the boot');
    await sleep(500);
    expect(kinds(w.events.filter((e) => e.chargerId === cp))).toEqual(new Set(['boot']));
  });

  it('prints a line per event in the CLI’s watch, for the chargers and kinds asked', async () => {
    const cp = `CP-LIVE-CLI-${runId}`;
    const token = (await signIn(f.runtime.userPool, `live-cli-${runId}`, ['viewer'])).accessToken;
    const lines: string[] = [];
    const stop = new AbortController();
    const watching = watchCli({ url: liveUrl(), token, chargers: [cp], locations: [], kinds: ['status'] }, (line) => lines.push(line), stop.signal);
    await sleep(300); // subscribed
    const client = await f.connect(cp, 'ocpp1.6');
    await client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Faulted', timestamp: now() });
    for (const end = Date.now() + 10_000; Date.now() < end && !lines.some((l) => l.includes('"Faulted"')); ) await sleep(50);
    stop.abort();
    await watching;
    expect(lines.find((l) => l.includes('"Faulted"'))).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+ ${cp} status \\{.*"status":"Faulted"`));
    expect(lines.every((l) => l.includes(` ${cp} status `))).toBe(true);
    await expect(watchCli({ url: liveUrl(), token: 'not-a-token', chargers: [cp], locations: [] }, () => undefined)).rejects.toThrow(/refused the connection \(401\)/);
  });

  it('sends an event too large for one WebSocket message without its data, and the subscriber stays connected', async () => {
    const cp = `CP-LIVE-LARGE-${runId}`;
    const viewer = (await signIn(f.runtime.userPool, `live-large-${runId}`, ['viewer'])).accessToken;
    const commands = await watch(viewer);
    expect(await subscribe(commands, { chargers: [cp], kinds: ['commands'] })).toMatchObject({ type: 'ack' });
    const client = await f.connect(cp, 'ocpp1.6');
    client.handle('DataTransfer', async () => ({ status: 'Accepted' }));

    // The command's events carry its payload: a CALL just inside API Gateway's 128 KB message limit (a larger one is
    // refused when posted) makes events past it, as the command's other fields and the event's envelope come on top.
    const posted = await f.send(cp, 'DataTransfer', { vendorId: 'acme', data: 'x'.repeat(MAX_WEBSOCKET_MESSAGE_BYTES - 150) });
    expect(posted.status).toBe(202);
    await commands.until((es) => es.some((e) => e.dataOmitted === true), 'the command event without its data');
    const large = commands.events.find((e) => e.dataOmitted === true);
    expect(large).toMatchObject({ kind: 'commands', chargerId: cp, data: {} });
    expect(commands.ws.readyState).toBe(commands.ws.OPEN);
    const target = `charger:${cp.toLowerCase()}`;
    expect(await f.e.deps.stores.liveSubscriptions.subscribersOf(target)).toEqual([expect.objectContaining({ kinds: ['commands'] })]);
  });

  it('refuses a message that tries to publish, and anything but subscribe / unsubscribe', async () => {
    const viewer = (await signIn(f.runtime.userPool, `live-viewer2-${runId}`, ['viewer'])).accessToken;
    const [sender, listener] = await Promise.all([watch(viewer), watch(viewer)]);
    await subscribe(listener, {});
    sender.ws.send(JSON.stringify({ action: 'publish', kind: 'status', chargerId: 'CP-1', data: { status: 'Faulted' } }));
    expect(await sender.reply()).toMatchObject({ type: 'error', error: expect.stringContaining('only receives events') });
    sender.ws.send(JSON.stringify({ type: 'event', eventId: 'x', kind: 'status', chargerId: 'CP-1', at: now(), data: {} }));
    expect(await sender.reply()).toMatchObject({ type: 'error' });
    sender.ws.send('not json');
    expect(await sender.reply()).toMatchObject({ type: 'error' });
    expect(await subscribe(sender, { chargers: ['CP-1'], kinds: ['gossip'] })).toMatchObject({ type: 'error' });
    await sleep(300);
    expect(listener.events.filter((e) => e.eventId === 'x' || e.chargerId === 'CP-1')).toEqual([]);
    sender.ws.send(JSON.stringify({ action: 'unsubscribe' }));
    expect(await sender.reply()).toMatchObject({ type: 'ack', action: 'unsubscribe', targets: [] });
  });

  it('refuses connections without a token, with an expired, a foreign or an ID token (401)', async () => {
    expect((await refusal(liveUrl())).status).toBe(401);
    expect((await refusal(liveUrl(), { protocols: [LIVE_SUBPROTOCOL] })).status).toBe(401);
    const pool = f.runtime.userPool;
    const jwk = JSON.parse(readFileSync(join(dataDir, 'cognito', 'signing-key.json'), 'utf8')) as JWK;
    const then = Math.floor(Date.now() / 1000) - 7200;
    const expired = await new SignJWT({ sub: 'x', 'cognito:groups': ['admin'], token_use: 'access', scope: PEOPLE_SCOPE, username: 'late', client_id: pool.peopleClientId })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid as string })
      .setIssuer(pool.issuer)
      .setIssuedAt(then)
      .setExpirationTime(then + 3600)
      .sign(await importJWK(jwk, 'RS256'));
    const idToken = (await signIn(pool, `live-id-${runId}`, ['admin'])).idToken;
    for (const token of [expired, await foreignToken(pool.issuer), idToken]) {
      expect((await refusal(liveUrl(), { protocols: [LIVE_SUBPROTOCOL, bearerSubprotocol(token)] })).status).toBe(401);
    }
  });
});
