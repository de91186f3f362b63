/**
 * Reservations end to end against a started local runtime: `POST /reservations` → ReserveNow through the command
 * queue → strict ocpp-rpc chargers (1.6 and 2.0.1) → the answer's effect; the reservation used by its token (or a
 * member of its group), another token refused on the reserved connector / EVSE, a reservation cancelled with
 * `DELETE`, one closed by the charger's report, and one closed by the expiry schedule (run 120 times faster than real
 * time: `rate(1 minute)` every half second).
 */
import type { RPCClient } from 'ocpp-rpc';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { createReservation } from '#shared/reservation/reservation-api.ts';
import { reservationCommands } from '../../bin/cli/reservations.ts';
import { commandE2eFile, type Json } from '../support/command-e2e.ts';
import { runId } from '../support/e2e.ts';
import { signIn } from '../support/operator-tokens.ts';

const f = commandE2eFile('resv-admin', { scheduleTimeScale: 120 });
const { api, follow } = f;

const GROUP = `RV-G-${runId}`;
let viewer = '';

beforeAll(async () => {
  viewer = (await signIn(f.runtime.userPool, `resv-viewer-${runId}`, ['viewer'])).accessToken;
});

let tokens = 0;
/**
 * A fresh valid token for each start: a start keeps its token in use (ConcurrentTx elsewhere) while its transaction
 * runs, and these tests leave theirs running.
 */
const newToken = async (groupId?: string): Promise<string> => {
  const value = `RV-${++tokens}-${runId}`;
  await createIdToken(f.e.deps, { value, ...(groupId ? { groupId } : {}) });
  return value;
};

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const reservationPath = (r: Json) => `/reservations/${r.chargerId as string}/${r.reservationId as number}`;
const statusOf = async (r: Json) => (await api('GET', reservationPath(r))).body.status as string;

/** POST /reservations, expecting 202; then waits for its ReserveNow to be answered and its effect to land. */
const reserve = async (body: Json, expected = 'reserved'): Promise<Json> => {
  const posted = await api('POST', '/reservations', body);
  expect(posted.status).toBe(202);
  expect(posted.body).toMatchObject({ status: 'requested', command: { action: 'ReserveNow', status: 'queued' } });
  expect(posted.location).toBe(`/commands/${posted.body.command.commandId as string}`);
  expect(await follow(posted.body.command.commandId as string)).toMatchObject({ status: 'answered' });
  await expect.poll(() => statusOf(posted.body)).toBe(expected);
  return posted.body;
};

const charger16 = async (id: string): Promise<RPCClient> => {
  const client = await f.connect(id, 'ocpp1.6');
  client.handle('ReserveNow', async () => ({ status: 'Accepted' }));
  client.handle('CancelReservation', async () => ({ status: 'Accepted' }));
  return client;
};

const start16 = async (client: RPCClient, connectorId: number, idTag: string, extra: Json = {}) =>
  (await client.call('StartTransaction', { connectorId, idTag, meterStart: 0, timestamp: new Date().toISOString(), ...extra })) as Json;

describe('OCPP 1.6', () => {
  it('a reserved connector refuses other tokens; the reserved token uses the reservation; its group may too', async () => {
    const cp = `CP-RV16-${runId}`;
    const tag = await newToken();
    const client = await charger16(cp);
    const calls: Json[] = [];
    client.handle('ReserveNow', async ({ params }) => {
      calls.push(params as Json);
      return { status: 'Accepted' };
    });
    const r = await reserve({ chargerId: cp, connectorId: 1, idToken: { value: tag }, expiresAt: inMinutes(30) });
    expect(calls[0]).toEqual({ connectorId: 1, idTag: tag, reservationId: r.reservationId, expiryDate: r.expiry });
    expect(r).toMatchObject({ chargerId: cp, connectorId: 1, idToken: tag, requestedBy: `resv-admin-${runId}` });

    expect((await start16(client, 1, await newToken())).idTagInfo).toEqual({ status: 'Invalid' });
    expect((await start16(client, 2, await newToken())).idTagInfo).toEqual({ status: 'Accepted' });
    const used = await start16(client, 1, tag, { reservationId: r.reservationId });
    expect(used.idTagInfo).toEqual({ status: 'Accepted' });
    const after = (await api('GET', reservationPath(r))).body;
    expect(after).toMatchObject({ status: 'used', usedByTransaction: String(used.transactionId) });
    expect((await api('GET', `/transactions/${cp}/${used.transactionId as number}`)).body).toMatchObject({ reservationId: r.reservationId });

    const member = await newToken(GROUP);
    const byGroup = await reserve({ chargerId: cp, connectorId: 3, idToken: { value: tag }, groupId: GROUP, expiresAt: inMinutes(30) });
    expect(calls[1]).toMatchObject({ connectorId: 3, idTag: tag, parentIdTag: GROUP });
    // A member of the group, presented without the reservation id (the charger found it by the parent idTag).
    expect((await start16(client, 3, member)).idTagInfo).toMatchObject({ status: 'Accepted' });
    expect(await statusOf(byGroup)).toBe('used');
  });

  it('DELETE sends CancelReservation; the accepted answer cancels it and frees the connector', async () => {
    const cp = `CP-RVC16-${runId}`;
    const tag = await newToken();
    const client = await charger16(cp);
    const r = await reserve({ chargerId: cp, connectorId: 1, idToken: { value: tag }, expiresAt: inMinutes(30) });
    const cancelled = await api('DELETE', reservationPath(r));
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ cancelRequestedByCommand: cancelled.body.command.commandId, command: { action: 'CancelReservation', payload: { reservationId: r.reservationId } } });
    expect(await follow(cancelled.body.command.commandId as string)).toMatchObject({ status: 'answered', outcome: 'accepted' });
    await expect.poll(() => statusOf(r)).toBe('cancelled');
    expect((await api('GET', reservationPath(r))).body).toMatchObject({ cancelledByCommand: cancelled.body.command.commandId });
    expect((await api('DELETE', reservationPath(r))).status).toBe(409);
    expect((await start16(client, 1, await newToken())).idTagInfo).toEqual({ status: 'Accepted' });
  });

  it('the expiry schedule closes a reservation past its expiry and frees its connector', async () => {
    const cp = `CP-RVX16-${runId}`;
    const tag = await newToken();
    const client = await charger16(cp);
    const r = await reserve({ chargerId: cp, connectorId: 1, idToken: { value: tag }, expiresAt: new Date(Date.now() + 4_000).toISOString() });
    expect((await start16(client, 1, await newToken())).idTagInfo).toEqual({ status: 'Invalid' });
    await expect.poll(() => statusOf(r), { timeout: 20_000, interval: 500 }).toBe('expired');
    expect((await api('GET', reservationPath(r))).body.expiredAt).toEqual(expect.any(String));
    expect((await start16(client, 1, await newToken())).idTagInfo).toEqual({ status: 'Accepted' });
  });
});

describe('OCPP 2.0.1', () => {
  const event = (client: RPCClient, transactionId: string, fields: Json) =>
    client.call('TransactionEvent', {
      eventType: 'Started',
      seqNo: 0,
      timestamp: new Date().toISOString(),
      triggerReason: 'Authorized',
      transactionInfo: { transactionId },
      ...fields,
    }) as Promise<Json>;

  it('a reserved EVSE refuses other tokens in TransactionEvent; the reserved token uses it; Authorize (no EVSE) is not refused', async () => {
    const cp = `CP-RV2-${runId}`;
    const tag = await newToken();
    const client = await f.connect(cp, 'ocpp2.0.1');
    client.handle('ReserveNow', async () => ({ status: 'Accepted' }));
    const r = await reserve({ chargerId: cp, evseId: 1, idToken: { value: tag, type: 'ISO14443' }, expiresAt: inMinutes(30) });
    expect(r).toMatchObject({ evseId: 1, idTokenType: 'ISO14443' });

    const other = { idToken: await newToken(), type: 'ISO14443' };
    expect((await client.call('Authorize', { idToken: other })) as Json).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    expect(await event(client, `T-OTHER-${runId}`, { idToken: other, evse: { id: 1, connectorId: 1 } })).toMatchObject({ idTokenInfo: { status: 'Invalid' } });
    expect(await event(client, `T-USED-${runId}`, { idToken: { idToken: tag, type: 'ISO14443' }, evse: { id: 1, connectorId: 1 }, reservationId: r.reservationId })).toMatchObject({
      idTokenInfo: { status: 'Accepted' },
    });
    await expect.poll(() => statusOf(r)).toBe('used');
    expect((await api('GET', reservationPath(r))).body.usedByTransaction).toBe(`T-USED-${runId}`);
  });

  it('the charger’s ReservationStatusUpdate closes its reservation; listings follow by charger, token and status', async () => {
    const cp = `CP-RVL2-${runId}`;
    const tag = await newToken();
    const client = await f.connect(cp, 'ocpp2.0.1');
    client.handle('ReserveNow', async () => ({ status: 'Accepted' }));
    const first = await reserve({ chargerId: cp, evseId: 1, idToken: { value: tag }, expiresAt: inMinutes(30) });
    await newToken(GROUP);
    const second = await reserve({ chargerId: cp, groupId: GROUP, expiresAt: inMinutes(30) });
    expect(second).toMatchObject({ idToken: GROUP, groupIdToken: GROUP, idTokenType: 'Central' });
    expect(await client.call('ReservationStatusUpdate', { reservationId: first.reservationId, reservationUpdateStatus: 'Removed' })).toEqual({});
    expect((await api('GET', reservationPath(first))).body).toMatchObject({ status: 'cancelled', reportedStatus: 'Removed' });

    const ids = async (query: string, as?: string) => ((await api('GET', `/reservations?${query}`, undefined, {}, as)).body.items as Json[]).map((x) => x.reservationId);
    await expect.poll(() => ids(`chargerId=${cp}`, viewer)).toEqual([second.reservationId, first.reservationId]);
    await expect.poll(() => ids(`idToken=${GROUP}`)).toEqual([second.reservationId]);
    await expect.poll(async () => (await ids('status=cancelled')).includes(first.reservationId)).toBe(true);
    expect(await ids('status=reserved')).toContain(second.reservationId);
  });
});

describe('requests the API refuses', () => {
  it('answers 400, 403, 404 and 422 for what cannot be reserved', async () => {
    const cp = `CP-RVBAD-${runId}`;
    const tag = await newToken();
    await charger16(cp);
    const post = (body: Json, as?: string) => api('POST', '/reservations', body, {}, as);
    const ok = { chargerId: cp, connectorId: 1, idToken: { value: tag }, expiresAt: inMinutes(30) };
    expect((await post(ok, viewer)).status).toBe(403);
    expect((await post({ ...ok, idToken: undefined })).status).toBe(400);
    expect((await post({ ...ok, chargerId: `CP-NONE-${runId}` })).status).toBe(404);
    expect(await post({ ...ok, expiresAt: new Date(Date.now() - 1000).toISOString() })).toMatchObject({ status: 422 });
    expect(await post({ ...ok, expiresAt: inMinutes(25 * 60) })).toMatchObject({ status: 422 });
    expect(await post({ ...ok, idToken: { value: `RV-UNKNOWN-${runId}` } })).toMatchObject({ status: 422 });
    expect(await post({ ...ok, connectorId: undefined, evseId: 1 })).toMatchObject({ status: 422 });
    expect((await api('GET', '/reservations')).status).toBe(400);
    expect((await api('GET', `/reservations?chargerId=${cp}&status=reserved`)).status).toBe(400);
    expect((await api('GET', `/reservations/${cp}/123`)).status).toBe(404);
    expect((await api('GET', `/reservations/${cp}/abc`)).status).toBe(400);
  });

  it('answers 409 for a connector another reservation holds, naming it; another connector, or the holder’s retry, goes on', async () => {
    const cp = `CP-RVTWICE-${runId}`;
    await charger16(cp);
    const body = { chargerId: cp, connectorId: 1, idToken: { value: await newToken() }, expiresAt: inMinutes(30) };
    const headers = { 'Idempotency-Key': `resv-twice-${runId}` };
    const first = await api('POST', '/reservations', body, headers);
    expect(await follow(first.body.command.commandId as string)).toMatchObject({ status: 'answered' });
    await expect.poll(() => statusOf(first.body)).toBe('reserved');

    const second = await api('POST', '/reservations', { ...body, idToken: { value: await newToken() } });
    expect(second.status).toBe(409);
    expect(second.body.detail).toBe(`Connector 1 of ${cp} is reserved until ${first.body.expiry as string} (reservation ${first.body.reservationId as number}): cancel that one first`);
    expect(((await api('GET', `/reservations?chargerId=${cp}`)).body.items as Json[]).map((x) => x.reservationId)).toEqual([first.body.reservationId]);
    expect((await api('POST', '/reservations', { ...body, connectorId: 2 })).status).toBe(202);
    // The API's idempotency record answers the retry.
    expect(await api('POST', '/reservations', body, headers)).toMatchObject({ status: 202, body: { reservationId: first.body.reservationId } });
    // A retry that runs the request again (its claim given back after a failure, or its lease lapsed) comes with the
    // same request key: it finds its own hold and answers its reservation.
    const deps = { ...f.e.deps, queue: sqsCommandQueue({ ...process.env, ...f.runtime.env }) };
    const direct = { ...body, connectorId: 3 };
    const retried = { body: direct, requestedBy: `resv-admin-${runId}`, requestKey: `resv-direct-${runId}` };
    const held = await createReservation(deps, retried);
    if (!held.ok) throw new Error(held.detail);
    expect(await follow(held.value.command.commandId)).toMatchObject({ status: 'answered' });
    await expect.poll(() => statusOf(held.value as unknown as Json)).toBe('reserved');
    const again = await createReservation(deps, retried);
    expect(again).toMatchObject({ ok: true, value: { reservationId: held.value.reservationId, status: 'reserved' } });
  });

  it('an Idempotency-Key retry answers the first reservation', async () => {
    const cp = `CP-RVIDEM-${runId}`;
    const tag = await newToken();
    await charger16(cp);
    const body = { chargerId: cp, connectorId: 2, idToken: { value: tag }, expiresAt: inMinutes(30) };
    const headers = { 'Idempotency-Key': `resv-${runId}` };
    const first = await api('POST', '/reservations', body, headers);
    const again = await api('POST', '/reservations', body, headers);
    expect(first.status).toBe(202);
    expect(again.body.reservationId).toBe(first.body.reservationId);
    expect(again.body.command.commandId).toBe(first.body.command.commandId);
  });
});

describe('the CLI', () => {
  it('adds, shows, lists and cancels a reservation through the runtime’s command queue', async () => {
    const cp = `CP-RVCLI-${runId}`;
    const tag = await newToken();
    await charger16(cp);
    const { add, show, list, cancel } = reservationCommands;
    const context = { commandQueue: sqsCommandQueue({ ...process.env, ...f.runtime.env }) };
    await expect(add!(f.e.deps, [cp, tag], { connector: '1', minutes: '10' }, {})).rejects.toThrow(/no command queue/);
    await expect(add!(f.e.deps, [cp, tag], { evse: '1' }, context)).rejects.toThrow(/connectorId/);
    const added = (await add!(f.e.deps, [cp, tag], { connector: '1', minutes: '10' }, context)).result as Json;
    expect(added).toMatchObject({ chargerId: cp, connectorId: 1, status: 'requested', requestedBy: 'cli', command: { action: 'ReserveNow' } });
    await follow(added.command.commandId as string);
    await expect.poll(async () => ((await show!(f.e.deps, [cp, String(added.reservationId)], {}, {})).result as Json).status).toBe('reserved');
    const listed = (await list!(f.e.deps, [], { charger: cp }, {})).result as Json;
    expect(listed.items.map((r: Json) => r.reservationId)).toEqual([added.reservationId]);
    await expect(list!(f.e.deps, [], { charger: cp, status: 'reserved' }, {})).rejects.toThrow(/exactly one/);
    const cancelled = (await cancel!(f.e.deps, [cp, String(added.reservationId)], {}, context)).result as Json;
    await follow(cancelled.command.commandId as string);
    await expect.poll(async () => ((await show!(f.e.deps, [cp, String(added.reservationId)], {}, {})).result as Json).status).toBe('cancelled');
  });
});
