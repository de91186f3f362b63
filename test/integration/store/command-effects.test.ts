/**
 * The stores that answered commands write (shared/command/effects.ts): reservations written from both sides (our
 * commands' outcome, the charger's reported status) without overwriting each other; a local list replaced, changed
 * and versioned; remote starts kept for the transaction they start; commands linked on transactions, the first link
 * winning; a connector's availability kept beside its reported status and transaction, the later answer winning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvailabilityChange } from '#shared/charger/availability.ts';
import type { LocalListEntry } from '#shared/local-list/local-list.ts';
import { connectorKey, localListKey, pendingStartKey, remoteStartKey, reservationKey } from '#shared/store/keys.ts';
import type { AnsweredReservation } from '#shared/reservation/reservation.ts';
import { countingRequests, openStoreFixture, STORAGE_ATTRIBUTES, transactionRecord, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const CP = 'CP-Effects';
const answered = (reservationId: number, answer: string, extra: Partial<AnsweredReservation> = {}): AnsweredReservation => ({
  chargerId: CP,
  reservationId,
  expiry: '2026-05-01T12:00:00.000Z',
  connectorId: 1,
  idToken: 'TAG-R',
  commandId: `cmd-${reservationId}-${answer}`,
  answeredAt: '2026-05-01T11:00:00.000Z',
  answer,
  ...extra,
});

describe('reservation store', () => {
  it('keeps a reservation and the charger’s report on one item, whichever lands first once we know the id', async () => {
    const reservations = f.deps.stores.reservations;
    // Requested (POST /reservations) before its answer: the report finds the item; an id we never issued is not kept.
    await reservations.createRequested({ ...answered(11, 'Accepted'), createdAt: '2026-05-01T11:00:00.000Z', requestedBy: 'test' });
    expect(await reservations.setReportedStatus({ chargerId: CP, reservationId: 11, status: 'Expired', at: '2026-05-01T12:00:01.000Z' })).toBe(true);
    expect(await reservations.setReportedStatus({ chargerId: CP, reservationId: 19, status: 'Expired', at: '2026-05-01T12:00:01.000Z' })).toBe(false);
    expect(await reservations.get(CP, 19)).toBeUndefined();
    await reservations.reserve(answered(11, 'Accepted'));
    await reservations.reserve(answered(12, 'Accepted', { connectorId: undefined, evseId: 2, idTokenType: 'ISO14443', groupIdToken: 'FLEET' }));
    await reservations.setReportedStatus({ chargerId: CP, reservationId: 12, status: 'Removed', at: '2026-05-01T12:00:02.000Z' });
    expect(await reservations.get(CP, 11)).toEqual({
      chargerId: CP,
      reservationId: 11,
      status: 'reserved',
      expiry: '2026-05-01T12:00:00.000Z',
      connectorId: 1,
      idToken: 'TAG-R',
      commandId: 'cmd-11-Accepted',
      answeredAt: '2026-05-01T11:00:00.000Z',
      createdAt: '2026-05-01T11:00:00.000Z',
      requestedBy: 'test',
      reportedStatus: 'Expired',
      reportedAt: '2026-05-01T12:00:01.000Z',
    });
    expect(await reservations.get(CP, 12)).toMatchObject({ status: 'reserved', evseId: 2, idTokenType: 'ISO14443', groupIdToken: 'FLEET', reportedStatus: 'Removed' });
    expect(await reservations.get(CP, 12)).not.toHaveProperty('connectorId');
    expect((await f.item('Csms', reservationKey(CP, 12)))?.type).toBe('Reservation');
  });

  it('records a refusal with the charger’s status, but keeps an accepted reservation a refused replacement names', async () => {
    const reservations = f.deps.stores.reservations;
    expect(await reservations.refuse(answered(13, 'Occupied'))).toBe('refused');
    expect(await reservations.get(CP, 13)).toMatchObject({ status: 'refused', refusedWith: 'Occupied', commandId: 'cmd-13-Occupied', idToken: 'TAG-R' });
    expect(await reservations.refuse(answered(11, 'Rejected'))).toBe('kept');
    expect(await reservations.get(CP, 11)).toMatchObject({ status: 'reserved', commandId: 'cmd-11-Accepted' });
    expect(await reservations.get(CP, 11)).not.toHaveProperty('refusedWith');
    // Accepted after all: the refusal goes.
    await reservations.reserve(answered(13, 'Accepted'));
    expect(await reservations.get(CP, 13)).not.toHaveProperty('refusedWith');
  });

  it('cancels, and lists the charger’s reservations by id in one query', async () => {
    const reservations = f.deps.stores.reservations;
    await reservations.cancel(CP, 11, 'cmd-cancel', '2026-05-01T11:30:00.000Z');
    expect(await reservations.get(CP, 11)).toMatchObject({ status: 'cancelled', cancelledAt: '2026-05-01T11:30:00.000Z', cancelledByCommand: 'cmd-cancel', idToken: 'TAG-R' });
    const { result: listed, requests } = await countingRequests(() => reservations.list(CP));
    expect(requests).toBe(1);
    expect(listed.items.map((r) => [r.reservationId, r.status])).toEqual([
      [11, 'cancelled'],
      [12, 'reserved'],
      [13, 'reserved'],
    ]);
    for (const attribute of STORAGE_ATTRIBUTES) expect(listed.items[0]).not.toHaveProperty(attribute);
    const page = await reservations.list(CP, { limit: 2 });
    expect(page.items).toHaveLength(2);
    expect((await reservations.list(CP, { cursor: page.cursor! })).items.map((r) => r.reservationId)).toEqual([13]);
  });
});

describe('local list store', () => {
  const LL = 'CP-LocalList';
  const entry = (idToken: string, status: string, listVersion: number, idTokenType?: string): LocalListEntry => ({
    chargerId: LL,
    idToken,
    ...(idTokenType ? { idTokenType } : {}),
    info: { status },
    listVersion,
    commandId: `cmd-v${listVersion}`,
    updatedAt: '2026-05-01T10:00:00.000Z',
  });
  const version = (v: number) => ({
    chargerId: LL,
    version: v,
    versionFrom: 'SendLocalList' as const,
    versionAt: '2026-05-01T10:00:00.000Z',
    commandId: `cmd-v${v}`,
    entriesVersion: v,
    entriesAt: '2026-05-01T10:00:00.000Z',
  });
  const tokens = async () => (await f.deps.stores.localLists.read(LL)).entries.map((e) => `${e.idToken}${e.idTokenType ? `/${e.idTokenType}` : ''}=${String(e.info.status)}@${e.listVersion}`);

  it('replaces the whole list with a Full update, in batches past 25 entries', async () => {
    const lists = f.deps.stores.localLists;
    await lists.replaceEntries(LL, Array.from({ length: 30 }, (_, i) => entry(`OLD-${String(i).padStart(2, '0')}`, 'Accepted', 1)));
    await lists.setVersion(version(1));
    expect(await tokens()).toHaveLength(30);
    await lists.replaceEntries(LL, [entry('A', 'Accepted', 2), entry('A', 'Blocked', 2, 'ISO14443'), entry('OLD-03', 'Blocked', 2)]);
    await lists.setVersion(version(2));
    expect(await tokens()).toEqual(['A=Accepted@2', 'A/ISO14443=Blocked@2', 'OLD-03=Blocked@2']);
  });

  it('adds, changes and removes entries with a Differential update, and keeps the version apart from the entries', async () => {
    const lists = f.deps.stores.localLists;
    await lists.changeEntries(LL, [entry('B', 'Accepted', 3), entry('A', 'Expired', 3)], [{ idToken: 'OLD-03' }, { idToken: 'NEVER-THERE' }]);
    await lists.setVersion(version(3));
    expect(await tokens()).toEqual(['A=Expired@3', 'A/ISO14443=Blocked@2', 'B=Accepted@3']);
    await lists.setVersion({ chargerId: LL, version: 9, versionFrom: 'GetLocalListVersion', versionAt: '2026-05-01T11:00:00.000Z', commandId: 'cmd-get' });
    const { result: read, requests } = await countingRequests(() => lists.read(LL));
    expect(requests).toBe(1);
    expect(read.version).toEqual({
      chargerId: LL,
      version: 9,
      versionFrom: 'GetLocalListVersion',
      versionAt: '2026-05-01T11:00:00.000Z',
      commandId: 'cmd-get',
      entriesVersion: 3,
      entriesAt: '2026-05-01T10:00:00.000Z',
    });
    expect((await f.item('Csms', localListKey(LL)))?.type).toBe('LocalListVersion');
    expect(read.entries[0]).toEqual(entry('A', 'Expired', 3));
  });

  it('reads an unknown charger’s list as empty', async () => {
    expect(await f.deps.stores.localLists.read('CP-NO-LIST')).toEqual({ entries: [] });
  });
});

describe('remote starts and command links', () => {
  const RS = 'CP-Remote';

  it('keeps a 2.x remote start by its id for a day, readable alone or with other items', async () => {
    const remoteStarts = f.deps.stores.remoteStarts;
    const start = { chargerId: RS, remoteStartId: 4242, commandId: 'cmd-start', acceptedAt: '2026-05-01T10:00:00.000Z' };
    await remoteStarts.remember(start);
    expect(await remoteStarts.get(RS, 4242)).toEqual(start);
    expect(await remoteStarts.get(RS, 4243)).toBeUndefined();
    const together = await f.deps.stores.readTogether({ start: remoteStarts.read(RS, 4242), none: remoteStarts.read(RS, 1) });
    expect(together).toEqual({ start, none: undefined });
    expect((await f.item('Csms', remoteStartKey(RS, 4242)))?.expiresAt).toBe(Date.parse('2026-05-02T10:00:00.000Z') / 1000);
  });

  it('replaces a 1.6 pending start of the same idTag, and uses it up only for the command that made it', async () => {
    const remoteStarts = f.deps.stores.remoteStarts;
    const pending = { chargerId: RS, idTag: 'TAG-P', connectorId: 2, commandId: 'cmd-p1', acceptedAt: '2026-05-01T10:00:00.000Z' };
    await remoteStarts.rememberPending(pending);
    await remoteStarts.rememberPending({ ...pending, commandId: 'cmd-p2', connectorId: undefined });
    const read = async () => (await f.deps.stores.readTogether({ p: remoteStarts.readPending(RS, 'TAG-P') })).p;
    expect(await read()).toEqual({ chargerId: RS, idTag: 'TAG-P', commandId: 'cmd-p2', acceptedAt: '2026-05-01T10:00:00.000Z' });
    await remoteStarts.forgetPending({ chargerId: RS, idTag: 'TAG-P', commandId: 'cmd-p1' });
    expect(await read()).toMatchObject({ commandId: 'cmd-p2' });
    await remoteStarts.forgetPending({ chargerId: RS, idTag: 'TAG-P', commandId: 'cmd-p2' });
    expect(await f.item('Csms', pendingStartKey(RS, 'TAG-P'))).toBeUndefined();
  });

  it('links a command on a transaction once, moving its version on, and never creates one', async () => {
    const transactions = f.deps.stores.transactions;
    await transactions.putIfVersion(transactionRecord({ chargerId: RS, transactionId: 'TX-L', version: 1 }));
    expect(await transactions.linkCommand(RS, 'TX-L', 'startedByCommand', 'cmd-a')).toBe('linked');
    expect(await transactions.linkCommand(RS, 'TX-L', 'startedByCommand', 'cmd-b')).toBe('linkedBefore');
    expect(await transactions.linkCommand(RS, 'TX-L', 'stopRequestedByCommand', 'cmd-c')).toBe('linked');
    expect(await transactions.get(RS, 'TX-L')).toMatchObject({ startedByCommand: 'cmd-a', stopRequestedByCommand: 'cmd-c', version: 3 });
    // A writer that read version 1 loses its race and merges again from a fresh read, which keeps the links.
    expect(await transactions.putIfVersion(transactionRecord({ chargerId: RS, transactionId: 'TX-L', version: 2 }))).toBe(false);
    expect(await transactions.linkCommand(RS, 'TX-NONE', 'stopRequestedByCommand', 'cmd-d')).toBe('unknown');
    expect(await transactions.get(RS, 'TX-NONE')).toBeUndefined();
  });
});

describe('connector availability', () => {
  const AV = 'CP-Availability';
  const ref = { evseId: 1, connectorId: 1 };
  const change = (availability: 'Operative' | 'Inoperative', commandId: string, answeredAt: string, extra: Partial<AvailabilityChange> = {}): AvailabilityChange => ({
    chargerId: AV,
    ...ref,
    ocppConnectorId: 1,
    availability,
    availabilityAnswer: 'Accepted',
    availabilityRequestedBy: commandId,
    availabilityAnsweredAt: answeredAt,
    ...extra,
  });
  const connector = async (evseId = 1, connectorId = 1) => (await f.deps.stores.connectors.list(AV)).find((c) => c.evseId === evseId && c.connectorId === connectorId);

  it('creates the connector item in one UpdateItem, without a status, when no report came yet', async () => {
    const { result, requests } = await countingRequests(() => f.deps.stores.connectors.setAvailability(change('Inoperative', 'cmd-a1', '2026-05-01T10:00:00.000Z', { availabilityAnswer: 'Scheduled' })));
    expect([result, requests]).toEqual(['kept', 1]);
    expect(await connector()).toEqual({
      chargerId: AV,
      evseId: 1,
      connectorId: 1,
      ocppConnectorId: 1,
      availability: 'Inoperative',
      availabilityAnswer: 'Scheduled',
      availabilityRequestedBy: 'cmd-a1',
      availabilityAnsweredAt: '2026-05-01T10:00:00.000Z',
    });
    expect((await f.item('Csms', connectorKey(AV, 1, 1)))?.type).toBe('Connector');
  });

  it('leaves the reported status and the transaction alone, and they leave it alone', async () => {
    const connectors = f.deps.stores.connectors;
    await connectors.putStatusIfNewer({ chargerId: AV, ...ref, ocppConnectorId: 1, status: 'Charging', timestamp: '2026-05-01T10:01:00.000Z', messageId: 'm-1' });
    await connectors.claim(AV, ref, 'TX-AV', '2026-05-01T09:00:00.000Z');
    expect(await connector()).toMatchObject({ status: 'Charging', activeTransactionId: 'TX-AV', availability: 'Inoperative', availabilityRequestedBy: 'cmd-a1' });
    expect(await connectors.setAvailability(change('Operative', 'cmd-a2', '2026-05-01T10:02:00.000Z'))).toBe('kept');
    expect(await connector()).toMatchObject({ status: 'Charging', activeTransactionId: 'TX-AV', availability: 'Operative', availabilityAnswer: 'Accepted', availabilityRequestedBy: 'cmd-a2' });
  });

  it('keeps the later answer when an earlier one is written late', async () => {
    expect(await f.deps.stores.connectors.setAvailability(change('Inoperative', 'cmd-a0', '2026-05-01T09:59:00.000Z'))).toBe('superseded');
    expect(await connector()).toMatchObject({ availability: 'Operative', availabilityRequestedBy: 'cmd-a2', availabilityAnsweredAt: '2026-05-01T10:02:00.000Z' });
  });

  it('keeps the charger’s own (EVSE 0, connector 0) apart from its connectors', async () => {
    await f.deps.stores.connectors.setAvailability(change('Inoperative', 'cmd-all', '2026-05-01T10:03:00.000Z', { evseId: 0, connectorId: 0, ocppConnectorId: 0 }));
    expect((await f.deps.stores.connectors.list(AV)).map((c) => [c.evseId, c.connectorId, c.availability])).toEqual([
      [0, 0, 'Inoperative'],
      [1, 1, 'Operative'],
    ]);
  });
});
