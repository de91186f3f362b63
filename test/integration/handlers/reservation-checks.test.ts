/**
 * What reservations cost the charger messages, through the real $default handler on DynamoDB Local, counted with the
 * capacity meter the benchmark uses: a start reads the charger's EVSE holds in the BatchGetItem it sends anyway (no
 * request more, refused or not); using a reservation adds its two writes; the charger's report closes a reservation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { answeredCommand } from '../../support/command-replies.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';
import { measuredCall } from '../../support/message-cost.ts';
import { startedPayload } from '../../support/transaction-events.ts';

let h: Harness;
const CP16 = 'CP-RESV16';
const CP2 = 'CP-RESV2';
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

beforeAll(async () => {
  h = await startHarness({ CSMS_CAPACITY_METER: 'on' });
  await createCharger(h.deps, { chargerId: CP16, registrationStatus: 'accepted' });
  await createCharger(h.deps, { chargerId: CP2, registrationStatus: 'accepted' });
  for (const value of ['TAG-R1', 'TAG-R2', 'TAG-R3', 'TAG-O1', 'TAG-O2', 'TAG-O3', 'TAG-O4']) await createIdToken(h.deps, { value });
});
afterAll(async () => h?.close());

const measured = (chargerId: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', action: string, payload: unknown) => measuredCall(h, chargerId, protocol, action, payload);

describe('1.6 StartTransaction on a reserved connector', () => {
  const start = (connectorId: number, idTag: string, extra: Record<string, unknown> = {}) =>
    measured(CP16, 'ocpp1.6', 'StartTransaction', { connectorId, idTag, meterStart: 0, timestamp: new Date().toISOString(), ...extra });

  it('answers another idTag Invalid (giving its token claim back: +1) and the reserved one Accepted, using the reservation up: +2', async () => {
    const plain = await start(2, 'TAG-O1');
    expect(plain).toMatchObject({ reply: { idTagInfo: { status: 'Accepted' } }, requests: 6 });
    await answeredCommand(h, { chargerId: CP16, protocol: 'ocpp1.6', action: 'ReserveNow', payload: { connectorId: 1, expiryDate: inAnHour(), idTag: 'TAG-R1', reservationId: 41 } }, { status: 'Accepted' });
    expect(await h.deps.stores.reservations.get(CP16, 41)).toMatchObject({ status: 'reserved' });

    // The token was claimed beside the reads (token-claim.ts); a refused start gives the claim back: one request more.
    const refused = await start(1, 'TAG-O2');
    expect(refused).toMatchObject({ reply: { idTagInfo: { status: 'Invalid' } }, requests: 7 });
    expect(await h.deps.stores.transactions.get(CP16, String(refused.reply.transactionId))).toMatchObject({ authorization: 'Invalid' });

    // On a connector no refused start holds (a start superseding one on its connector costs two writes more of its own).
    await answeredCommand(h, { chargerId: CP16, protocol: 'ocpp1.6', action: 'ReserveNow', payload: { connectorId: 3, expiryDate: inAnHour(), idTag: 'TAG-R1', reservationId: 45 } }, { status: 'Accepted' });
    const used = await start(3, 'TAG-R1', { reservationId: 45 });
    expect(used).toMatchObject({ reply: { idTagInfo: { status: 'Accepted' } }, requests: 8 });
    expect(await h.deps.stores.reservations.get(CP16, 45)).toMatchObject({ status: 'used', usedByTransaction: String(used.reply.transactionId) });
    expect(await h.deps.stores.transactions.get(CP16, String(used.reply.transactionId))).toMatchObject({ reservationId: 45 });
    // Freed: another idTag is welcome again.
    expect((await start(3, 'TAG-O3')).reply).toMatchObject({ idTagInfo: { status: 'Accepted' } });
  });
});

describe('2.0.1 TransactionEvent on a reserved EVSE', () => {
  const started = (transactionId: string, idToken: string, evseId: number, extra: Record<string, unknown> = {}) =>
    measured(CP2, 'ocpp2.0.1', 'TransactionEvent', { ...startedPayload(transactionId, idToken, evseId), ...extra });

  it('answers another token Invalid (giving its token claim back: +1), and the reserved one Accepted, +2 requests', async () => {
    const plain = await started('TX-PLAIN', 'TAG-O4', 2);
    await answeredCommand(
      h,
      { chargerId: CP2, protocol: 'ocpp2.0.1', action: 'ReserveNow', payload: { id: 42, expiryDateTime: inAnHour(), idToken: { idToken: 'TAG-R2', type: 'ISO14443' }, evseId: 1 } },
      { status: 'Accepted' },
    );
    const refused = await started('TX-REFUSED', 'TAG-R3', 1);
    expect(refused).toMatchObject({ reply: { idTokenInfo: { status: 'Invalid' } }, requests: plain.requests + 1 });
    // On an EVSE no refused start holds, as in 1.6.
    await answeredCommand(
      h,
      { chargerId: CP2, protocol: 'ocpp2.0.1', action: 'ReserveNow', payload: { id: 46, expiryDateTime: inAnHour(), idToken: { idToken: 'TAG-R2', type: 'ISO14443' }, evseId: 5 } },
      { status: 'Accepted' },
    );
    const used = await started('TX-USED', 'TAG-R2', 5, { reservationId: 46 });
    expect(used).toMatchObject({ reply: { idTokenInfo: { status: 'Accepted' } }, requests: plain.requests + 2 });
    expect(await h.deps.stores.reservations.get(CP2, 46)).toMatchObject({ status: 'used', usedByTransaction: 'TX-USED' });
    expect(await h.deps.stores.reservations.get(CP2, 42)).toMatchObject({ status: 'reserved' });
  });

  it('closes a reservation the charger reports Expired (freeing its EVSE: one request more), and makes no item of an unknown id', async () => {
    await answeredCommand(
      h,
      { chargerId: CP2, protocol: 'ocpp2.0.1', action: 'ReserveNow', payload: { id: 43, expiryDateTime: inAnHour(), idToken: { idToken: 'TAG-R3', type: 'ISO14443' }, evseId: 3 } },
      { status: 'Accepted' },
    );
    const closing = await measured(CP2, 'ocpp2.0.1', 'ReservationStatusUpdate', { reservationId: 43, reservationUpdateStatus: 'Expired' });
    expect(closing.requests).toBe(3);
    expect(await h.deps.stores.reservations.get(CP2, 43)).toMatchObject({ status: 'expired', reportedStatus: 'Expired' });
    expect((await h.deps.stores.readTogether({ held: h.deps.stores.reservations.readHeldEvses(CP2) })).held).not.toHaveProperty('3');
    // An id we never issued: answered, and on the timeline, but no reservation item (it would never expire).
    const unknown = await measured(CP2, 'ocpp2.0.1', 'ReservationStatusUpdate', { reservationId: 2_147_483_647, reservationUpdateStatus: 'Removed' });
    expect(unknown).toMatchObject({ reply: {}, requests: 3 });
    expect(await h.deps.stores.reservations.get(CP2, 2_147_483_647)).toBeUndefined();
    const timeline = (await h.deps.stores.timeline.list(CP2)).items;
    expect(timeline.filter((e) => e.kind === 'ReservationStatus').map((e) => (e.payload as { reservationId: number }).reservationId)).toContain(2_147_483_647);
    expect((await h.deps.stores.reservations.list(CP2)).items.map((r) => r.reservationId).sort()).toEqual([42, 43, 46]);
  });
});
