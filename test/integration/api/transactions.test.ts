import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineClaims, personClaims, startApiHarness, type ApiHarness } from '../../support/api-harness.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';
import { createLocation } from '#shared/location/locations.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { closeTransactionRoute, getTransactionRoute, listMeterValuesRoute, listTransactionsRoute } from '#functions/api/transactions/routes.ts';

let api: ApiHarness;
let chargers: Harness;
const CP16 = 'CP-TX16';
const CP2 = 'CP-TX2';
let ended16 = '';
let active16 = '';

const viewer = personClaims('vic', ['viewer']);
const billing = machineClaims('billing', ['csms/read']);

const meter = (timestamp: string, wh: number, watts: number) => ({
  timestamp,
  sampledValue: [
    { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    { value: String(watts), measurand: 'Power.Active.Import', unit: 'W' },
  ],
});
const txEvent = (transactionId: string, eventType: string, seqNo: number, timestamp: string, extra: Record<string, unknown> = {}) => ({
  eventType,
  seqNo,
  timestamp,
  triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
  transactionInfo: { transactionId, ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}) },
  ...extra,
});
const meter2 = (timestamp: string, wh: number) => [{ timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] }];

const list = (query: Record<string, string>, claims?: Record<string, string>) => api.call(listTransactionsRoute, { query, ...(claims ? { claims } : {}) });
const ids = (res: { body: { items: { chargerId: string; transactionId: string }[] } }) => res.body.items.map((t) => `${t.chargerId}/${t.transactionId}`).sort();

beforeAll(async () => {
  // The charger harness first: the API harness's tables then serve both (table names are read on use).
  chargers = await startHarness();
  api = await startApiHarness();
  // A charger's location must exist (a missing one is refused).
  for (const locationId of ['LOC-NORTH', 'LOC-SOUTH']) await createLocation(chargers.deps, { locationId, name: locationId }, 'test');
  await createCharger(chargers.deps, { chargerId: CP16, locationId: 'LOC-NORTH' });
  await createCharger(chargers.deps, { chargerId: CP2, locationId: 'LOC-SOUTH' });
  await createIdToken(chargers.deps, { value: 'TAG-A' });
  await createIdToken(chargers.deps, { value: 'TAG-B' });
  await createIdToken(chargers.deps, { value: 'RFID-2' });
  const call16 = async (action: string, payload: unknown) => (await chargers.call(CP16, 'ocpp1.6', action, payload, 'Accepted'))[2] as Record<string, unknown>;
  const call2 = async (payload: unknown) => chargers.call(CP2, 'ocpp2.0.1', 'TransactionEvent', payload, 'Accepted');

  // 1.6: one transaction with readings, stopped; another still running.
  const started = await call16('StartTransaction', { connectorId: 1, idTag: 'TAG-A', meterStart: 1000, timestamp: '2026-03-01T10:00:00Z' });
  ended16 = String(started.transactionId);
  await call16('MeterValues', { connectorId: 1, transactionId: Number(ended16), meterValue: [meter('2026-03-01T10:10:00Z', 2000, 7000), meter('2026-03-01T10:20:00Z', 3000, 7100)] });
  await call16('MeterValues', { connectorId: 1, transactionId: Number(ended16), meterValue: [meter('2026-03-01T10:30:00Z', 4000, 6900)] });
  await call16('StopTransaction', { transactionId: Number(ended16), meterStop: 4500, timestamp: '2026-03-01T10:40:00Z', reason: 'Local' });
  const running = await call16('StartTransaction', { connectorId: 2, idTag: 'TAG-B', meterStart: 50, timestamp: '2026-03-01T11:00:00Z' });
  active16 = String(running.transactionId);

  // 2.0.1: one ended in order (the Ended merged by the conditional update), one running.
  await call2(txEvent('TX-E', 'Started', 0, '2026-03-02T08:00:00Z', { idToken: { idToken: 'RFID-2', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 }, meterValue: meter2('2026-03-02T08:00:00Z', 100) }));
  await call2(txEvent('TX-E', 'Updated', 1, '2026-03-02T08:15:00Z', { meterValue: meter2('2026-03-02T08:15:00Z', 900) }));
  await call2(txEvent('TX-E', 'Ended', 2, '2026-03-02T08:30:00Z', { meterValue: meter2('2026-03-02T08:30:00Z', 1500) }));
  await call2(txEvent('TX-R', 'Started', 0, '2026-03-02T09:00:00Z', { evse: { id: 2, connectorId: 1 } }));
});
afterAll(async () => {
  await api?.close();
  await chargers?.close();
});

describe('GET /transactions', () => {
  it('lists a charger’s transactions, newest first', async () => {
    const res = await list({ chargerId: CP16 }, viewer);
    expect(res.status).toBe(200);
    expect(res.body.items.map((t: { transactionId: string }) => t.transactionId)).toEqual([active16, ended16]);
    expect(res.body.items[1]).toMatchObject({ status: 'ended', idToken: 'TAG-A', locationId: 'LOC-NORTH', meterStartWh: 1000, meterStopWh: 4500 });
    // What only the merge needs stays inside.
    expect(res.body.items[1].startFingerprint).toBeUndefined();
    expect(res.body.items[1].version).toBeUndefined();
  });

  it('lists by id token, location and state, each one query of its own partition', async () => {
    expect(ids(await list({ idToken: 'TAG-A' }))).toEqual([`${CP16}/${ended16}`]);
    expect(ids(await list({ idToken: 'RFID-2' }))).toEqual([`${CP2}/TX-E`]);
    expect(ids(await list({ locationId: 'LOC-SOUTH' }))).toEqual([`${CP2}/TX-E`, `${CP2}/TX-R`]);
    expect(ids(await list({ locationId: 'LOC-NORTH' }))).toEqual([`${CP16}/${active16}`, `${CP16}/${ended16}`].sort());
    expect(ids(await list({ state: 'active' }))).toEqual([`${CP16}/${active16}`, `${CP2}/TX-R`].sort());
    // Ended by a 1.6 stop (a versioned put) and by an in-order 2.x Ended (the conditional update).
    expect(ids(await list({ state: 'ended' }))).toEqual([`${CP16}/${ended16}`, `${CP2}/TX-E`].sort());
  });

  it('bounds the time received with from/to (times, dates, months)', async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect((await list({ state: 'ended', from: today })).body.items).toHaveLength(2);
    expect((await list({ state: 'ended', from: today.slice(0, 7), to: today })).body.items).toHaveLength(2);
    expect((await list({ state: 'ended', to: '2020-01-01T00:00:00Z' })).body.items).toHaveLength(0);
    expect((await list({ chargerId: CP16, from: '2999-01-01T00:00:00+02:00' })).body.items).toHaveLength(0);
    const reversed = await list({ chargerId: CP16, from: '2026-05-01', to: '2026-04-01' });
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors[0].parameter).toBe('from');
    expect((await list({ chargerId: CP16, from: 'yesterday' })).status).toBe(400);
  });

  it('refuses a listing no single query serves, naming the parameters, never scanning', async () => {
    const none = await list({});
    expect(none.status).toBe(400);
    expect(none.body.errors.map((e: { parameter: string }) => e.parameter)).toEqual(['chargerId', 'idToken', 'locationId', 'state']);
    const two = await list({ chargerId: CP16, state: 'active' });
    expect(two.status).toBe(400);
    expect(two.body.errors.map((e: { parameter: string }) => e.parameter)).toEqual(['chargerId', 'state']);
    expect((await list({ state: 'open' })).status).toBe(400);
    expect((await list({ charger: CP16 })).status).toBe(400);
  });

  it('pages across pages with a cursor, refuses a garbage cursor, and projects fields=', async () => {
    const first = await list({ state: 'active', limit: '1' });
    expect(first.body.items).toHaveLength(1);
    const second = await list({ state: 'active', limit: '1', cursor: first.body.cursor });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].transactionId).not.toBe(first.body.items[0].transactionId);
    const rest = second.body.cursor ? await list({ state: 'active', limit: '1', cursor: second.body.cursor }) : undefined;
    expect(rest?.body.items ?? []).toHaveLength(0);
    expect((await list({ state: 'active', cursor: '%%%' })).status).toBe(400);
    // A cursor of another list does not start this one elsewhere.
    expect((await list({ state: 'ended', cursor: first.body.cursor })).status).toBe(400);
    const projected = await list({ chargerId: CP2, fields: 'transactionId,status' });
    expect(projected.body.items).toEqual([
      { transactionId: 'TX-R', status: 'active' },
      { transactionId: 'TX-E', status: 'ended' },
    ]);
    expect((await list({ chargerId: CP2, fields: 'transactionId,seqNos' })).status).toBe(400);
  });

  it('admits every role and csms/read (or csms/write) clients; refuses callers without a role or scope', async () => {
    for (const claims of [personClaims('a', ['admin']), personClaims('o', ['operator']), viewer, billing, machineClaims('ops', ['csms/write'])]) {
      expect((await list({ chargerId: CP16 }, claims)).status).toBe(200);
    }
    expect((await list({ chargerId: CP16 }, personClaims('nobody', []))).status).toBe(403);
    expect((await list({ chargerId: CP16 }, machineClaims('other', ['profile']))).status).toBe(403);
    expect((await api.call(listTransactionsRoute, { query: { chargerId: CP16 }, claims: null })).status).toBe(401);
  });
});

describe('GET /transactions/{chargerId}/{transactionId}', () => {
  it('answers a 2.x transaction with its raw events in seqNo order, and an ETag', async () => {
    const res = await api.call(getTransactionRoute, { params: { chargerId: CP2, transactionId: 'TX-E' }, claims: billing });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ended', energyWh: 1400, locationId: 'LOC-SOUTH', eventsTruncated: false });
    expect(res.body.events.map((e: { seqNo: number; eventType: string }) => [e.seqNo, e.eventType])).toEqual([
      [0, 'Started'],
      [1, 'Updated'],
      [2, 'Ended'],
    ]);
    expect(res.body.events[0].event).toMatchObject({ eventType: 'Started', transactionInfo: { transactionId: 'TX-E' } });
    expect(res.headers.ETag).toMatch(/^"/);
    const slim = await api.call(getTransactionRoute, { params: { chargerId: CP2, transactionId: 'TX-E' }, query: { fields: 'status,energyWh' } });
    expect(slim.body).toEqual({ status: 'ended', energyWh: 1400 });
  });

  it('answers a 1.6 transaction with no events, and 404 for an unknown one', async () => {
    const res = await api.call(getTransactionRoute, { params: { chargerId: CP16, transactionId: ended16 }, claims: viewer });
    expect(res.body).toMatchObject({ transactionId: ended16, protocol: 'ocpp1.6', events: [] });
    expect((await api.call(getTransactionRoute, { params: { chargerId: CP16, transactionId: '42' } })).status).toBe(404);
    expect((await api.call(getTransactionRoute, { params: { chargerId: CP16, transactionId: ended16 }, claims: personClaims('n', []) })).status).toBe(403);
  });
});

describe('GET /transactions/{chargerId}/{transactionId}/meter-values', () => {
  const params = () => ({ chargerId: CP16, transactionId: ended16 });

  it('answers the readings in time order, paged', async () => {
    const all = await api.call(listMeterValuesRoute, { params: params(), claims: billing });
    expect(all.status).toBe(200);
    const times = all.body.items.map((m: { timestamp: string }) => m.timestamp);
    expect(times).toEqual([...times].sort());
    expect(times).toEqual(expect.arrayContaining(['2026-03-01T10:10:00.000Z', '2026-03-01T10:20:00.000Z', '2026-03-01T10:30:00.000Z']));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.call(listMeterValuesRoute, { params: params(), query: { limit: '2', ...(cursor ? { cursor } : {}) } });
      seen.push(...page.body.items.map((m: { timestamp: string }) => m.timestamp));
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen).toEqual(times);
    expect((await api.call(listMeterValuesRoute, { params: params(), query: { cursor: 'Zm9v' } })).status).toBe(400);
  });

  it('filters by measurand (within each page) and by time range (on the key)', async () => {
    const power = await api.call(listMeterValuesRoute, { params: params(), query: { measurand: 'Power.Active.Import', from: '2026-03-01T10:15:00Z', to: '2026-03-01T10:30:00Z' } });
    expect(power.body.items.map((m: { timestamp: string; sampledValue: { value: string }[] }) => [m.timestamp, m.sampledValue.map((s) => s.value)])).toEqual([
      ['2026-03-01T10:20:00.000Z', ['7100']],
      ['2026-03-01T10:30:00.000Z', ['6900']],
    ]);
    const none = await api.call(listMeterValuesRoute, { params: params(), query: { measurand: 'SoC' } });
    expect(none.body.items).toEqual([]);
    expect((await api.call(listMeterValuesRoute, { params: params(), query: { phase: 'L1' } })).status).toBe(400);
  });

  it('answers 404 for an unknown transaction, and refuses callers without a role', async () => {
    expect((await api.call(listMeterValuesRoute, { params: { chargerId: CP16, transactionId: '42' } })).status).toBe(404);
    expect((await api.call(listMeterValuesRoute, { params: params(), claims: machineClaims('x', ['profile']) })).status).toBe(403);
  });
});

describe('stale transactions: GET /transactions?state=stale and POST /transactions/{chargerId}/{transactionId}/close', () => {
  const operator = personClaims('olga', ['operator']);
  const close = (chargerId: string, transactionId: string, claims: Record<string, string> = operator, reason = 'the charger lost it in a reboot') =>
    api.call(closeTransactionRoute, { params: { chargerId, transactionId }, body: { reason }, claims });

  it('lists the active transactions of chargers that are not connected, saying why', async () => {
    const res = await list({ state: 'stale' }, viewer);
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([`${CP16}/${active16}`, `${CP2}/TX-R`]);
    expect(res.body.items[0].stale).toEqual({ reason: 'charger-offline', lastEventAt: expect.any(String) });
    // Once CP2 is connected, its transaction (an event minutes ago) is live again.
    await chargers.deps.stores.presence.attach({ chargerId: CP2, connectionId: 'conn-tx2', protocol: 'ocpp2.0.1', connectedAt: Date.now() });
    expect(ids(await list({ state: 'stale' }, viewer))).toEqual([`${CP16}/${active16}`]);
    // Active listings carry no staleness.
    expect((await list({ state: 'active' })).body.items.every((t: { stale?: unknown }) => t.stale === undefined)).toBe(true);
  });

  it('closes one as the CSMS (who, why, when), frees its connector and its card; a second close is a conflict', async () => {
    const res = await close(CP16, active16);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ended',
      stopReason: 'ClosedByOperator',
      inferredEnd: true,
      closedByCsms: { by: 'olga', reason: 'the charger lost it in a reboot', at: expect.any(String) },
    });
    expect((await chargers.deps.stores.connectors.list(CP16)).find((c) => c.evseId === 2)?.activeTransactionId).toBeUndefined();
    expect((await chargers.deps.stores.tokenUses.read('TAG-B')).uses).toEqual([]);
    expect(ids(await list({ state: 'stale' }))).toEqual([]);
    expect((await close(CP16, active16)).status).toBe(409);
    expect((await close(CP16, '424242')).status).toBe(404);
  });

  it("merges the charger's own stop arriving later over the close, keeping who closed it", async () => {
    await chargers.call(CP16, 'ocpp1.6', 'StopTransaction', { transactionId: Number(active16), meterStop: 700, timestamp: '2026-03-01T12:00:00Z', reason: 'Reboot' }, 'Accepted');
    const tx = await chargers.deps.stores.transactions.get(CP16, active16);
    expect(tx).toMatchObject({ status: 'ended', stopReason: 'Reboot', meterStopWh: 700, inferredEnd: false, closedByCsms: { by: 'olga' } });
  });

  it('is for admins and operators; a viewer or a reason left out is refused', async () => {
    expect((await close(CP2, 'TX-R', viewer)).status).toBe(403);
    expect((await api.call(closeTransactionRoute, { params: { chargerId: CP2, transactionId: 'TX-R' }, body: {}, claims: operator })).status).toBe(400);
    expect((await chargers.deps.stores.transactions.get(CP2, 'TX-R'))?.status).toBe('active');
  });
});

describe('charger ids in any case (CP-1 and cp-1 are one charger)', () => {
  const lower = (chargerId: string) => chargerId.toLowerCase();

  it('lists, reads and reads the readings of a transaction under its charger’s id written in another case', async () => {
    expect(ids(await list({ chargerId: lower(CP16) }, viewer))).toEqual(ids(await list({ chargerId: CP16 }, viewer)));
    expect((await list({ chargerId: lower(CP16) }, viewer)).body.items).toHaveLength(2);
    const tx = await api.call(getTransactionRoute, { params: { chargerId: lower(CP2), transactionId: 'TX-E' }, claims: viewer });
    expect(tx.status).toBe(200);
    expect(tx.body).toMatchObject({ chargerId: CP2, transactionId: 'TX-E', status: 'ended' });
    const readings = await api.call(listMeterValuesRoute, { params: { chargerId: lower(CP16), transactionId: ended16 }, claims: viewer });
    expect(readings.status).toBe(200);
    expect(readings.body.items.length).toBeGreaterThan(0);
    // An id no charger has in any case is still unknown.
    expect((await api.call(getTransactionRoute, { params: { chargerId: 'cp-none', transactionId: 'TX-E' } })).status).toBe(404);
  });

  it('closes a transaction under its charger’s id written in another case', async () => {
    const res = await api.call(closeTransactionRoute, {
      params: { chargerId: lower(CP2), transactionId: 'TX-R' },
      body: { reason: 'closed by its id in lower case' },
      claims: personClaims('olga', ['operator']),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ chargerId: CP2, transactionId: 'TX-R', status: 'ended', stopReason: 'ClosedByOperator' });
    expect(await chargers.deps.stores.transactions.get(lower(CP2), 'TX-R')).toBeUndefined();
  });
});
