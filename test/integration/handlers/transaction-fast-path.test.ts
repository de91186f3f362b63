/**
 * 2.x TransactionEvents that arrive in order take the fast path (one conditional update, no read) through the
 * real $default handler on DynamoDB Local; what they leave is what the general path leaves, and what they cost
 * is counted with the capacity meter the benchmark uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { capacitySnapshot } from '#shared/store/capacity-meter.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';

let h: Harness;
const CP = 'CP-FAST-PATH';

beforeAll(async () => {
  h = await startHarness({ CSMS_CAPACITY_METER: 'on' });
  await createCharger(h.deps, { chargerId: CP });
  await createIdToken(h.deps, { value: 'FAST-1' });
});
afterAll(async () => h?.close());

const at = (minute: number) => `2026-04-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const meter = (minute: number, wh: number) => [
  { timestamp: at(minute), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] },
];
const txEvent = (transactionId: string, eventType: string, seqNo: number, minute: number, wh: number, extra: Record<string, unknown> = {}) => ({
  eventType,
  seqNo,
  timestamp: at(minute),
  triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
  transactionInfo: {
    transactionId,
    chargingState: eventType === 'Ended' ? 'Idle' : 'Charging',
    ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}),
  },
  meterValue: meter(minute, wh),
  ...extra,
});

/**
 * The reply, and the DynamoDB requests and read units the message cost. (Round trips are left out: the meter
 * counts a request as one only when nothing else is in flight, which depends on timing.)
 */
const measured = async (payload: unknown) => {
  const before = capacitySnapshot();
  // As on a real connection, the authorizer context says the charger is accepted: no read of its profile.
  const reply = await h.call(CP, 'ocpp2.0.1', 'TransactionEvent', payload, 'accepted');
  const after = capacitySnapshot();
  return { reply, requests: after.requests - before.requests, readUnits: after.readUnits - before.readUnits };
};

const connectorHolder = async (evseId: number) => (await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === evseId)?.activeTransactionId;

describe('TransactionEvents in order', () => {
  it('merges Updated with one request beside the batch and Ended with two more side by side (connector, token use), reading nothing', async () => {
    const started = await measured(txEvent('FP-1', 'Started', 0, 0, 1000, { idToken: { idToken: 'FAST-1', type: 'ISO14443' }, evse: { id: 3, connectorId: 1 } }));
    expect(started.reply[2]).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    expect(await connectorHolder(3)).toBe('FP-1');
    for (const seqNo of [1, 2, 3]) {
      const updated = await measured(txEvent('FP-1', 'Updated', seqNo, seqNo * 10, 1000 + seqNo * 500));
      expect(updated.reply[2]).toEqual({});
      expect(updated).toMatchObject({ requests: 2, readUnits: 0 });
    }
    expect(await connectorHolder(3)).toBe('FP-1');
    const ended = await measured(txEvent('FP-1', 'Ended', 4, 40, 3500));
    expect(ended.reply[2]).toEqual({});
    expect(ended).toMatchObject({ requests: 4, readUnits: 0 });

    expect(await h.deps.stores.transactions.get(CP, 'FP-1')).toMatchObject({
      status: 'ended',
      startedAt: at(0),
      endedAt: at(40),
      evseId: 3,
      connectorId: 1,
      idToken: 'FAST-1',
      chargingState: 'Idle',
      factSeqNos: { chargingState: 4, authorization: 0 },
      stopReason: 'EVDisconnected',
      inferredEnd: false,
      seqNos: [0, 1, 2, 3, 4],
      lastSeqNo: 4,
      meterStartWh: 1000,
      meterStopWh: 3500,
      energyWh: 2500,
      startMissing: false,
      version: 5,
    });
    expect(await connectorHolder(3)).toBeUndefined();
  });

  it('changes nothing for an event sent again, and merges a late one as the general path does', async () => {
    await h.call(CP, 'ocpp2.0.1', 'TransactionEvent', txEvent('FP-2', 'Started', 0, 0, 0, { idToken: { idToken: 'FAST-1', type: 'ISO14443' }, evse: { id: 4 } }));
    await h.call(CP, 'ocpp2.0.1', 'TransactionEvent', txEvent('FP-2', 'Updated', 1, 10, 100));
    const once = await h.deps.stores.transactions.get(CP, 'FP-2');
    // A retry of the same event (no answer reached the charger): the update's precondition fails, the read finds it merged.
    const retried = await measured(txEvent('FP-2', 'Updated', 1, 10, 100));
    expect(retried).toMatchObject({ requests: 3 }); // the update that did not apply, the batch, the read
    expect(retried.readUnits).toBeGreaterThan(0);
    expect(await h.deps.stores.transactions.get(CP, 'FP-2')).toEqual(once);

    await h.call(CP, 'ocpp2.0.1', 'TransactionEvent', txEvent('FP-2', 'Ended', 3, 30, 300));
    // seqNo 2 arrives after the Ended (offline queue): merged, the transaction stays ended, the later facts win.
    await h.call(CP, 'ocpp2.0.1', 'TransactionEvent', txEvent('FP-2', 'Updated', 2, 20, 200, { offline: true }));
    expect(await h.deps.stores.transactions.get(CP, 'FP-2')).toMatchObject({
      status: 'ended',
      seqNos: [0, 1, 2, 3],
      lastSeqNo: 3,
      chargingState: 'Idle',
      offline: true,
      meterStopWh: 300,
      energyWh: 300,
      version: 4,
    });
    expect(await connectorHolder(4)).toBeUndefined();
  });
});
