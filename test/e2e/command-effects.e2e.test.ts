/**
 * What command answers change, end to end against a started local runtime: reservations (ReserveNow,
 * CancelReservation, the charger's ReservationStatusUpdate), local lists (SendLocalList, GetLocalListVersion),
 * remote starts and stops linked on transactions, and connectors (ChangeAvailability kept beside the status the charger
 * then reports; TriggerMessage followed by the message it triggers, answered like any other and found after the
 * command in the message log), through REST → the command queue → the dispatcher → strict ocpp-rpc chargers (1.6 and
 * 2.0.1) → the reply port and the command's effects → the REST reads.
 *
 * An effect runs after its command is recorded as answered, in the same handler: a test that reads what the effect
 * wrote waits for it (expect.poll), not for the command.
 */
import type { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../bin/local/runtime.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { operatorApi, type Json } from '../support/command-e2e.ts';
import { bootedCharger, runId, startE2e, type E2e } from '../support/e2e.ts';
import { signIn } from '../support/operator-tokens.ts';

let e: E2e;
let runtime: LocalRuntime;
let admin = '';
let viewer = '';
const clients: RPCClient[] = [];

const { api, answered } = operatorApi(() => runtime, () => admin);
const connect = async (chargerId: string, protocol: 'ocpp1.6' | 'ocpp2.0.1') => {
  const client = await bootedCharger(e, chargerId, protocol);
  clients.push(client);
  return client;
};

const reservations = async (chargerId: string, token = admin) => (await api('GET', `/chargers/${chargerId}/reservations`, undefined, {}, token)).body.items as Json[];
const reservation = async (chargerId: string, reservationId: number) => (await reservations(chargerId)).find((r) => r.reservationId === reservationId);
const localList = async (chargerId: string) => (await api('GET', `/chargers/${chargerId}/local-list`)).body;
const transaction = async (chargerId: string, transactionId: string | number) => (await api('GET', `/transactions/${chargerId}/${transactionId}`)).body;
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

beforeAll(async () => {
  e = await startE2e();
  runtime = e.runtime as LocalRuntime;
  admin = (await signIn(runtime.userPool, `fx-admin-${runId}`, ['admin'])).accessToken;
  viewer = (await signIn(runtime.userPool, `fx-viewer-${runId}`, ['viewer'])).accessToken;
  for (const value of [`RES-${runId}`, `RS16-${runId}`, `RS2-${runId}`]) await createIdToken(e.deps, { value });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ force: true })));
  await e?.runtime.stop();
});

describe('reservations', () => {
  it('1.6: allocates the reservation id, keeps the accepted reservation, a refused one with its status, and a cancellation', async () => {
    const cp = `CP-FXRES16-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    const answers = ['Accepted', 'Occupied'];
    client.handle('ReserveNow', async () => ({ status: answers.shift() }));
    client.handle('CancelReservation', async () => ({ status: 'Accepted' }));
    const expiryDate = inAnHour();
    const reserved = await answered(cp, 'ReserveNow', { connectorId: 1, expiryDate, idTag: `RES-${runId}` });
    const reservationId = reserved.payload.reservationId as number;
    expect(reservationId).toBeGreaterThan(0);
    expect(reservationId).toBeLessThan(2 ** 31);
    await expect.poll(() => reservation(cp, reservationId)).toMatchObject({
      chargerId: cp,
      reservationId,
      status: 'reserved',
      expiry: expiryDate,
      connectorId: 1,
      idToken: `RES-${runId}`,
      commandId: reserved.commandId,
    });

    const refused = await answered(cp, 'ReserveNow', { connectorId: 2, expiryDate, idTag: `RES-${runId}`, reservationId: 77 });
    expect(refused).toMatchObject({ outcome: 'occupied', payload: { reservationId: 77 } });
    await expect.poll(() => reservation(cp, 77)).toMatchObject({ status: 'refused', refusedWith: 'Occupied', connectorId: 2, commandId: refused.commandId });

    const cancel = await answered(cp, 'CancelReservation', { reservationId });
    await expect.poll(() => reservation(cp, reservationId)).toMatchObject({ status: 'cancelled', cancelledByCommand: cancel.commandId, idToken: `RES-${runId}` });
    expect((await reservations(cp, viewer)).map((r) => r.reservationId)).toEqual([77, reservationId].sort((a, b) => a - b));
  });

  it('2.0.1: keeps the EVSE and id token of an accepted reservation, and the charger’s later report on the same item', async () => {
    const cp = `CP-FXRES2-${runId}`;
    const client = await connect(cp, 'ocpp2.0.1');
    client.handle('ReserveNow', async () => ({ status: 'Accepted' }));
    const reserved = await answered(cp, 'ReserveNow', { expiryDateTime: inAnHour(), idToken: { idToken: `RES-${runId}`, type: 'ISO14443' }, evseId: 1 });
    const id = reserved.payload.id as number;
    await expect.poll(() => reservation(cp, id)).toMatchObject({ status: 'reserved', evseId: 1, idToken: `RES-${runId}`, idTokenType: 'ISO14443' });
    expect(await client.call('ReservationStatusUpdate', { reservationId: id, reservationUpdateStatus: 'Expired' })).toEqual({});
    // The charger's report closes the reservation (and keeps its status beside ours).
    expect(await reservation(cp, id)).toMatchObject({ status: 'expired', commandId: reserved.commandId, reportedStatus: 'Expired', reportedAt: expect.any(String) });
  });

  it('answers 404 for an unknown charger', async () => {
    expect((await api('GET', `/chargers/CP-NONE-${runId}/reservations`)).status).toBe(404);
    expect((await api('GET', `/chargers/CP-NONE-${runId}/local-list`)).status).toBe(404);
  });
});

describe('local lists', () => {
  it('1.6: a Full list replaces, a Differential one adds, changes and removes, a refused one changes nothing, GetLocalListVersion tells the version', async () => {
    const cp = `CP-FXLL16-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    const answers = ['Accepted', 'Accepted', 'VersionMismatch'];
    client.handle('SendLocalList', async () => ({ status: answers.shift() }));
    client.handle('GetLocalListVersion', async () => ({ listVersion: 9 }));
    const info = (status: string) => ({ idTagInfo: { status } });
    expect(await localList(cp)).toEqual({ chargerId: cp, entries: [] });

    const full = await answered(cp, 'SendLocalList', {
      listVersion: 1,
      updateType: 'Full',
      localAuthorizationList: [{ idTag: 'A', ...info('Accepted') }, { idTag: 'B', ...info('Accepted') }, { idTag: 'C', ...info('Blocked') }],
    });
    await expect.poll(async () => (await localList(cp)).version).toBe(1);
    expect(await localList(cp)).toMatchObject({ versionFrom: 'SendLocalList', entriesVersion: 1, updateType: 'Full', commandId: full.commandId });

    await answered(cp, 'SendLocalList', { listVersion: 2, updateType: 'Differential', localAuthorizationList: [{ idTag: 'B', ...info('Expired') }, { idTag: 'C' }, { idTag: 'D', ...info('Accepted') }] });
    await expect.poll(async () => (await localList(cp)).version).toBe(2);
    const afterDifferential = await localList(cp);
    expect(afterDifferential.entries.map((x: Json) => [x.idToken, x.info.status, x.listVersion])).toEqual([
      ['A', 'Accepted', 1],
      ['B', 'Expired', 2],
      ['D', 'Accepted', 2],
    ]);

    const mismatch = await answered(cp, 'SendLocalList', { listVersion: 5, updateType: 'Full', localAuthorizationList: [] });
    expect(mismatch.outcome).toBe('versionMismatch');
    const told = await answered(cp, 'GetLocalListVersion', {});
    await expect.poll(async () => (await localList(cp)).version).toBe(9);
    const last = await localList(cp);
    expect(last).toMatchObject({ versionFrom: 'GetLocalListVersion', commandId: told.commandId, entriesVersion: 2 });
    expect(last.entries).toEqual(afterDifferential.entries);
    expect((await api('GET', `/chargers/${cp}/local-list`, undefined, {}, viewer)).status).toBe(200);
  });

  it('2.0.1: keeps entries by id token and type', async () => {
    const cp = `CP-FXLL2-${runId}`;
    const client = await connect(cp, 'ocpp2.0.1');
    client.handle('SendLocalList', async () => ({ status: 'Accepted' }));
    await answered(cp, 'SendLocalList', {
      versionNumber: 3,
      updateType: 'Full',
      localAuthorizationList: [
        { idToken: { idToken: 'X', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } },
        { idToken: { idToken: 'X', type: 'eMAID' }, idTokenInfo: { status: 'Blocked' } },
      ],
    });
    await expect.poll(async () => (await localList(cp)).version).toBe(3);
    expect((await localList(cp)).entries.map((x: Json) => [x.idToken, x.idTokenType, x.info.status])).toEqual([
      ['X', 'ISO14443', 'Accepted'],
      ['X', 'eMAID', 'Blocked'],
    ]);
  });
});

describe('remote starts and stops', () => {
  it('1.6: links the StartTransaction that follows an accepted RemoteStartTransaction, and an accepted RemoteStopTransaction', async () => {
    const cp = `CP-FXRS16-${runId}`;
    const idTag = `RS16-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    client.handle('RemoteStartTransaction', async () => ({ status: 'Accepted' }));
    client.handle('RemoteStopTransaction', async () => ({ status: 'Accepted' }));
    const start = await answered(cp, 'RemoteStartTransaction', { connectorId: 1, idTag });
    await expect.poll(async () => (await e.deps.stores.readTogether({ p: e.deps.stores.remoteStarts.readPending(cp, idTag) })).p?.commandId).toBe(start.commandId);
    const { transactionId } = (await client.call('StartTransaction', { connectorId: 1, idTag, meterStart: 0, timestamp: new Date().toISOString() })) as Json;
    expect(await transaction(cp, transactionId as number)).toMatchObject({ startedByCommand: start.commandId, idToken: idTag });

    const stop = await answered(cp, 'RemoteStopTransaction', { transactionId });
    await expect.poll(async () => (await transaction(cp, transactionId as number)).stopRequestedByCommand).toBe(stop.commandId);
    await client.call('StopTransaction', { transactionId, meterStop: 1200, timestamp: new Date().toISOString(), reason: 'Remote' });
    expect(await transaction(cp, transactionId as number)).toMatchObject({ status: 'ended', startedByCommand: start.commandId, stopRequestedByCommand: stop.commandId });
  });

  it('2.0.1: allocates the remoteStartId, links the TransactionEvent that carries it, and links an accepted RequestStopTransaction', async () => {
    const cp = `CP-FXRS2-${runId}`;
    const idToken = { idToken: `RS2-${runId}`, type: 'ISO14443' };
    const client = await connect(cp, 'ocpp2.0.1');
    client.handle('RequestStartTransaction', async () => ({ status: 'Accepted' }));
    client.handle('RequestStopTransaction', async () => ({ status: 'Accepted' }));
    const start = await answered(cp, 'RequestStartTransaction', { idToken, evseId: 1 });
    const remoteStartId = start.payload.remoteStartId as number;
    expect(remoteStartId).toBeGreaterThan(0);
    await expect.poll(async () => (await e.deps.stores.remoteStarts.get(cp, remoteStartId))?.commandId).toBe(start.commandId);
    const now = () => new Date().toISOString();
    const event = (eventType: string, seqNo: number, triggerReason: string, extra: Json = {}) =>
      client.call('TransactionEvent', { eventType, seqNo, timestamp: now(), triggerReason, transactionInfo: { transactionId: `T-${runId}`, ...extra.info }, ...extra.fields });
    expect(await event('Started', 0, 'RemoteStart', { info: { remoteStartId }, fields: { idToken, evse: { id: 1, connectorId: 1 } } })).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    expect(await transaction(cp, `T-${runId}`)).toMatchObject({ remoteStartId, startedByCommand: start.commandId });

    const stop = await answered(cp, 'RequestStopTransaction', { transactionId: `T-${runId}` });
    await expect.poll(async () => (await transaction(cp, `T-${runId}`)).stopRequestedByCommand).toBe(stop.commandId);
    await event('Ended', 1, 'RemoteStop', { info: { stoppedReason: 'Remote' } });
    expect(await transaction(cp, `T-${runId}`)).toMatchObject({ status: 'ended', startedByCommand: start.commandId, stopRequestedByCommand: stop.commandId });
  });
});

const connectorOf = async (chargerId: string, evseId: number, connectorId: number): Promise<Json | undefined> =>
  ((await api('GET', `/chargers/${chargerId}/connectors`)).body.connectors as Json[]).find((c) => c.evseId === evseId && c.connectorId === connectorId);

/** Answers the charger's TriggerMessage Accepted, then (as a charger does, after its answer) sends `action`; what the CSMS answered it. */
const triggersThen = (client: RPCClient, action: string, payload: Json): Promise<unknown> =>
  new Promise((resolve, reject) => {
    client.handle('TriggerMessage', async () => {
      setImmediate(() => void client.call(action, payload).then(resolve, reject));
      return { status: 'Accepted' };
    });
  });

describe('ChangeAvailability', () => {
  it('1.6: Inoperative on connector 1, accepted, then the charger reports Unavailable: the connector shows both', async () => {
    const cp = `CP-FXAV16-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    await client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const asked: unknown[] = [];
    client.handle('ChangeAvailability', async ({ params }) => {
      asked.push(params);
      return { status: 'Accepted' };
    });
    const done = await answered(cp, 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' });
    expect(asked).toEqual([{ connectorId: 1, type: 'Inoperative' }]);
    await client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Unavailable' });
    await expect.poll(() => connectorOf(cp, 1, 1)).toMatchObject({
      ocppConnectorId: 1,
      status: 'Unavailable',
      availability: 'Inoperative',
      availabilityAnswer: 'Accepted',
      availabilityRequestedBy: done.commandId,
      availabilityAnsweredAt: done.completedAt,
    });
  });
});

describe('TriggerMessage', () => {
  it('1.6 StatusNotification: the charger sends the status of the connector named, the CSMS answers and keeps it, found after the command in the log', async () => {
    const cp = `CP-FXTRIG16-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    const triggered = triggersThen(client, 'StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Preparing' });
    const done = await answered(cp, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 2 });
    expect(done).toMatchObject({ outcome: 'accepted' });
    expect(await triggered).toEqual({});
    await expect.poll(() => connectorOf(cp, 2, 1)).toMatchObject({ ocppConnectorId: 2, status: 'Preparing' });
    const log = (await api('GET', `/chargers/${cp}/messages`)).body.items as Json[];
    const call = log.find((f) => f.direction === 'out' && f.action === 'TriggerMessage');
    const result = log.find((f) => f.direction === 'in' && f.messageType === 3 && f.messageId === done.commandId);
    const status = log.find((f) => f.direction === 'in' && f.action === 'StatusNotification' && JSON.parse(f.frame as string)[3].status === 'Preparing');
    expect(JSON.parse(status?.reply as string)[0]).toBe(3);
    // The charger sends the triggered message right after its answer: two handlers may take them in either order.
    expect([call?.at <= result?.at, call?.at <= status?.at]).toEqual([true, true]);
  });

  it('2.0.1 Heartbeat: the charger sends one and is answered with the time', async () => {
    const cp = `CP-FXTRIG2-${runId}`;
    const client = await connect(cp, 'ocpp2.0.1');
    const triggered = triggersThen(client, 'Heartbeat', {});
    expect(await answered(cp, 'TriggerMessage', { requestedMessage: 'Heartbeat' })).toMatchObject({ outcome: 'accepted' });
    expect(Date.parse(((await triggered) as { currentTime: string }).currentTime)).not.toBeNaN();
  });
});
