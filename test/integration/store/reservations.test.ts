/**
 * The reservation store on DynamoDB Local: a request recorded once under its id, the listings by charger, token and
 * status (newest first, one query each), the open-by-expiry index the expiry schedule reads, the moves between states
 * (each condition on the states it may leave), and the EVSE holds a start reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireReservations, recordReservationReport, useReservation } from '#shared/reservation/reservation-ends.ts';
import type { AnsweredReservation, RequestedReservation } from '#shared/reservation/reservation.ts';
import { holdOf } from '#shared/reservation/reserved-evses.ts';
import { reservationKey, reservedEvsesKey } from '#shared/store/keys.ts';
import { countingRequests, currentSecond, depsAt, openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const NOW = currentSecond();
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();

const requested = (chargerId: string, reservationId: number, o: Partial<RequestedReservation> = {}): RequestedReservation => ({
  chargerId,
  reservationId,
  expiry: at(3600),
  connectorId: 1,
  idToken: 'TAG-A',
  commandId: `cmd-${chargerId}-${reservationId}`,
  createdAt: at(-600 + reservationId),
  requestedBy: 'alice',
  ...o,
});
const answer = (r: RequestedReservation, status = 'Accepted'): AnsweredReservation => ({ ...r, answeredAt: at(-1), answer: status });

/** Records a request and has the charger accept it, holding its EVSE as the answer's effect does. */
const reserved = async (r: RequestedReservation) => {
  const { reservations } = f.deps.stores;
  expect(await reservations.createRequested(r)).toBe('created');
  await reservations.reserve(answer(r));
  if (r.connectorId) await reservations.holdEvse(r.chargerId, r.connectorId, holdOf(r));
};

const holds = async (chargerId: string) => (await f.deps.stores.readTogether({ h: f.deps.stores.reservations.readHeldEvses(chargerId) })).h;

describe('a requested reservation', () => {
  it('is recorded once: a retry of the same request finds it, another request is told the id is taken', async () => {
    const { reservations } = f.deps.stores;
    const r = requested('CP-REQ', 1);
    expect(await reservations.createRequested(r)).toBe('created');
    expect(await reservations.createRequested(r)).toBe('ours');
    expect(await reservations.createRequested({ ...r, commandId: 'cmd-other' })).toBe('taken');
    expect(await reservations.get('CP-REQ', 1)).toEqual({
      chargerId: 'CP-REQ',
      reservationId: 1,
      status: 'requested',
      expiry: r.expiry,
      connectorId: 1,
      idToken: 'TAG-A',
      commandId: r.commandId,
      createdAt: r.createdAt,
      requestedBy: 'alice',
    });
  });

  it('is forgotten only while still requested by the command that never went', async () => {
    const { reservations } = f.deps.stores;
    await reservations.createRequested(requested('CP-REQ', 2));
    await reservations.forgetRequested('CP-REQ', 2, 'cmd-other');
    expect(await reservations.get('CP-REQ', 2)).toBeDefined();
    await reservations.forgetRequested('CP-REQ', 2, 'cmd-CP-REQ-2');
    expect(await reservations.get('CP-REQ', 2)).toBeUndefined();
  });
});

describe('listings', () => {
  it('by charger, by token and by status, newest first, one query each, following every change of status', async () => {
    const { reservations } = f.deps.stores;
    await reservations.createRequested(requested('CP-L1', 11));
    await reservations.createRequested(requested('CP-L1', 12, { idToken: 'TAG-L' }));
    await reservations.createRequested(requested('CP-L2', 13, { idToken: 'TAG-L' }));
    await reservations.reserve(answer(requested('CP-L1', 12, { idToken: 'TAG-L' })));
    expect(await reservations.refuse(answer(requested('CP-L2', 13, { idToken: 'TAG-L' }), 'Occupied'))).toBe('refused');

    const ids = async (p: Parameters<typeof reservations.listBy>[0]) => {
      const { result, requests } = await countingRequests(() => reservations.listBy(p));
      expect(requests).toBe(1);
      return result.items.map((r) => `${r.chargerId}/${r.reservationId}:${r.status}`);
    };
    expect(await ids({ chargerId: 'CP-L1' })).toEqual(['CP-L1/12:reserved', 'CP-L1/11:requested']);
    expect(await ids({ idToken: 'TAG-L' })).toEqual(['CP-L2/13:refused', 'CP-L1/12:reserved']);
    expect(await ids({ status: 'refused' })).toEqual(['CP-L2/13:refused']);
    expect(await ids({ status: 'reserved' })).toContain('CP-L1/12:reserved');
    expect(await ids({ status: 'requested' })).not.toContain('CP-L1/12:reserved');

    const page = await reservations.listBy({ chargerId: 'CP-L1' }, { limit: 1 });
    expect((await reservations.listBy({ chargerId: 'CP-L1' }, { cursor: page.cursor! })).items.map((r) => r.reservationId)).toEqual([11]);
    // Only open reservations are in the expiry index.
    expect(await f.item('Csms', reservationKey('CP-L1', 12))).toMatchObject({ gsi4pk: 'RESERVATIONS#OPEN' });
    expect(await f.item('Csms', reservationKey('CP-L2', 13))).not.toHaveProperty('gsi4pk');
  });
});

describe('how a reservation ends', () => {
  it('used: from reserved (its EVSE freed with it) or expired, never from cancelled, never creating one', async () => {
    const deps = depsAt(f, NOW);
    const { reservations } = deps.stores;
    await reserved(requested('CP-USE', 21));
    expect((await holds('CP-USE'))?.[1]).toMatchObject({ reservationId: 21 });
    const { result: used, requests } = await countingRequests(() =>
      useReservation(deps, { chargerId: 'CP-USE', reservationId: 21, transactionId: '900', at: at(0), evseId: 1 }),
    );
    expect(requests).toBe(2); // the update ∥ the hold's release
    expect(used).toMatchObject({ status: 'used', usedByTransaction: '900', usedAt: at(0) });
    expect(await holds('CP-USE')).toEqual({});
    expect(await useReservation(deps, { chargerId: 'CP-USE', reservationId: 21, transactionId: '901', at: at(1) })).toBeUndefined();
    expect(await reservations.get('CP-USE', 21)).toMatchObject({ usedByTransaction: '900' });

    await reserved(requested('CP-USE', 22, { connectorId: 0 }));
    await reservations.cancel('CP-USE', 22, 'cmd-cancel', at(0));
    expect(await useReservation(deps, { chargerId: 'CP-USE', reservationId: 22, transactionId: '902', at: at(1) })).toBeUndefined();
    expect(await reservations.get('CP-USE', 22)).toMatchObject({ status: 'cancelled', cancelledByCommand: 'cmd-cancel' });

    expect(await useReservation(deps, { chargerId: 'CP-USE', reservationId: 99, transactionId: '903', at: at(1) })).toBeUndefined();
    expect(await reservations.get('CP-USE', 99)).toBeUndefined();
  });

  it('a late answer to its own ReserveNow never reopens a reservation that was used meanwhile', async () => {
    const deps = depsAt(f, NOW);
    const r = requested('CP-LATE', 31);
    await deps.stores.reservations.createRequested(r);
    await useReservation(deps, { chargerId: 'CP-LATE', reservationId: 31, transactionId: '77', at: at(0), evseId: 1 });
    expect(await deps.stores.reservations.reserve(answer(r))).toBeUndefined();
    expect(await deps.stores.reservations.refuse(answer(r, 'Occupied'))).toBe('kept');
    expect(await deps.stores.reservations.get('CP-LATE', 31)).toMatchObject({ status: 'used' });
    // Another ReserveNow under the same id replaces it (OCPP reuses reservation ids that way).
    expect(await deps.stores.reservations.reserve(answer({ ...r, commandId: 'cmd-again' }))).toMatchObject({ status: 'reserved', commandId: 'cmd-again' });
    expect(await deps.stores.reservations.get('CP-LATE', 31)).not.toHaveProperty('usedByTransaction');
  });

  it('the charger’s report closes an open reservation as it says, and only keeps its status otherwise', async () => {
    const deps = depsAt(f, NOW);
    const { reservations } = deps.stores;
    await reserved(requested('CP-REP', 41));
    await reserved(requested('CP-REP', 42, { connectorId: 2 }));
    await recordReservationReport(deps, { chargerId: 'CP-REP', reservationId: 41, status: 'Expired', at: at(0) });
    await recordReservationReport(deps, { chargerId: 'CP-REP', reservationId: 42, status: 'Removed', at: at(0) });
    expect(await reservations.get('CP-REP', 41)).toMatchObject({ status: 'expired', expiredAt: at(0), reportedStatus: 'Expired' });
    expect(await reservations.get('CP-REP', 42)).toMatchObject({ status: 'cancelled', cancelledAt: at(0), reportedStatus: 'Removed' });
    expect(await holds('CP-REP')).toEqual({});
    // Closed already: the report is kept, the status stays.
    await recordReservationReport(deps, { chargerId: 'CP-REP', reservationId: 41, status: 'Removed', at: at(5) });
    expect(await reservations.get('CP-REP', 41)).toMatchObject({ status: 'expired', reportedStatus: 'Removed', reportedAt: at(5) });
  });

  it('the charger’s report of an id we hold no reservation of writes nothing, whatever its status, and is logged', async () => {
    const logged: [string, object | undefined][] = [];
    const log = { ...depsAt(f, NOW).log, info: (message: string, ...extra: object[]) => void logged.push([message, extra[0]]) };
    const deps = { ...depsAt(f, NOW), log };
    for (const status of ['Expired', 'Removed', 'NoTransaction', 'SomethingElse']) {
      await recordReservationReport(deps, { chargerId: 'CP-REP-X', reservationId: 2_147_483_647, status, at: at(0) });
    }
    expect(await deps.stores.reservations.get('CP-REP-X', 2_147_483_647)).toBeUndefined();
    expect((await deps.stores.reservations.list('CP-REP-X')).items).toEqual([]);
    expect(logged).toHaveLength(4);
    expect(logged[0]?.[1]).toEqual({ chargerId: 'CP-REP-X', reservationId: 2_147_483_647, status: 'Expired' });
    expect(await deps.stores.reservations.report({ chargerId: 'CP-REP-X', reservationId: 7, status: 'Removed', at: at(0) })).toEqual({ known: false });
  });

  it('takes the charger’s report of a requested reservation whose answer is not handled yet', async () => {
    const { reservations } = f.deps.stores;
    expect(await reservations.createRequested(requested('CP-REP-R', 43))).toBe('created');
    const reported = await reservations.report({ chargerId: 'CP-REP-R', reservationId: 43, status: 'Removed', at: at(0) });
    expect(reported).toEqual({ known: true, closed: expect.objectContaining({ status: 'cancelled', reportedStatus: 'Removed' }) });
  });
});

describe('the expiry schedule', () => {
  it('closes exactly the open reservations past their expiry, frees their EVSEs, and finds nothing the next time', async () => {
    const deps = depsAt(f, NOW);
    const { reservations } = deps.stores;
    await reserved(requested('CP-EXP', 51, { expiry: at(-60) }));
    await reservations.createRequested(requested('CP-EXP', 52, { expiry: at(-1), connectorId: 2 }));
    await reserved(requested('CP-EXP', 53, { expiry: at(60), connectorId: 3 }));
    await reservations.createRequested(requested('CP-EXP', 54, { expiry: at(-30), connectorId: 4 }));
    await reservations.refuse(answer(requested('CP-EXP', 54, { expiry: at(-30), connectorId: 4 }), 'Occupied'));

    const expired = await expireReservations(deps);
    expect(expired).toBe(2);
    expect((await reservations.listBy({ chargerId: 'CP-EXP' })).items.map((r) => `${r.reservationId}:${r.status}`).sort()).toEqual([
      '51:expired',
      '52:expired',
      '53:reserved',
      '54:refused',
    ]);
    expect(await reservations.get('CP-EXP', 51)).toMatchObject({ expiredAt: NOW.toISOString() });
    expect(Object.keys((await holds('CP-EXP')) ?? {})).toEqual(['3']);
    const { result: again, requests } = await countingRequests(() => expireReservations(deps));
    expect(again).toBe(0);
    expect(requests).toBe(1);
  });

  it('leaves a reservation made again with a later expiry since it was listed', async () => {
    const deps = depsAt(f, NOW);
    const { reservations } = deps.stores;
    const r = requested('CP-EXP2', 61, { expiry: at(-10) });
    await reserved(r);
    const [listed] = (await reservations.pastExpiry(NOW.toISOString(), { limit: 10 })).items.filter((x) => x.chargerId === 'CP-EXP2');
    await reservations.reserve(answer({ ...r, expiry: at(600), commandId: 'cmd-renewed' }));
    expect(await reservations.expire(listed!, NOW.toISOString())).toBeUndefined();
    expect(await reservations.get('CP-EXP2', 61)).toMatchObject({ status: 'reserved', expiry: at(600) });
  });
});

describe('EVSE holds', () => {
  it('one item per charger, an attribute per EVSE; released only by the reservation that holds it', async () => {
    const { reservations } = f.deps.stores;
    await reservations.holdEvse('CP-H', 1, holdOf(requested('CP-H', 71)));
    await reservations.holdEvse('CP-H', 2, holdOf(requested('CP-H', 72, { idToken: 'TAG-B', groupIdToken: 'FLEET' })));
    expect(await holds('CP-H')).toEqual({
      1: { reservationId: 71, idToken: 'TAG-A', expiry: at(3600) },
      2: { reservationId: 72, idToken: 'TAG-B', groupIdToken: 'FLEET', expiry: at(3600) },
    });
    await reservations.releaseEvse('CP-H', 1, 72);
    await reservations.releaseEvse('CP-H', 2, 72);
    expect(Object.keys((await holds('CP-H')) ?? {})).toEqual(['1']);
    expect((await f.item('Csms', reservedEvsesKey('CP-H')))?.type).toBe('ReservedEvses');
  });
});
