/**
 * The in-order patch of a 2.x TransactionEvent, as the store writes it (one conditional UpdateItem), against
 * DynamoDB Local: the record it leaves is the pure merge's, and a failed precondition writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Deps } from '#shared/deps.ts';
import { silentLog } from '#shared/log/logger.ts';
import { applyPatch, inOrderPatch } from '#shared/transaction/in-order-patch.ts';
import { applyTransactionEvent, SEQNOS_KEPT, type TransactionEventFacts } from '#shared/transaction/transaction-event.ts';
import type { TransactionRecord } from '#shared/transaction/transaction.ts';
import { makeDeps } from '#functions/_common/deps.ts';
import { createTestTables, deleteTestTables, type TestTables } from '../../support/dynamo.ts';
import { NOW, at, event, merge, scenario } from '../../support/transaction-events.ts';

let tables: TestTables;
let deps: Deps;
let sequence = 0;

beforeAll(async () => {
  tables = await createTestTables();
  deps = makeDeps({ ...process.env, ...tables.env }, silentLog);
});
afterAll(async () => tables && deleteTestTables(tables));

/** Stores a record under a fresh transaction id, as the general path writes it first (version 1). */
const storeRecord = async (folded: TransactionRecord) => {
  const record = { ...folded, transactionId: `tx-${++sequence}`, version: 1 };
  expect(await deps.stores.transactions.putIfVersion(record)).toBe(true);
  return record;
};

/** The record folded from `events`, stored. */
const stored = (events: readonly TransactionEventFacts[]) => storeRecord(merge(events)!);

/** What the general path would store after merging `e` into `record`. */
const mergedAfter = (record: TransactionRecord, e: TransactionEventFacts) => {
  const { version: _v, updatedAt: _u, ...merged } = applyTransactionEvent(record, { ...e, transactionId: record.transactionId }, NOW);
  return { ...merged, version: record.version + 1 };
};

const applied = async (record: TransactionRecord, e: TransactionEventFacts) =>
  deps.stores.transactions.applyInOrder(record.chargerId, record.transactionId, inOrderPatch(e)!);

const started = event({
  eventType: 'Started',
  seqNo: 0,
  timestamp: at(0),
  idToken: { value: 'TAG-1', type: 'ISO14443' },
  authorization: 'Accepted',
  evse: { id: 1, connectorId: 1 },
  chargingState: 'EVConnected',
  energy: [{ at: at(0), wh: 1000 }],
});

describe('transactions.applyInOrder', () => {
  it('writes an Updated with changing facts, readings and offline as the pure merge does, and returns the new record', async () => {
    const record = await stored([started]);
    const next = event({ seqNo: 1, timestamp: at(5), chargingState: 'Charging', remoteStartId: 4, offline: true, evse: { id: 1 }, energy: [{ at: at(4), wh: 1200 }, { at: at(5), wh: 1500 }] });
    const after = await applied(record, next);
    expect(after).toMatchObject(mergedAfter(record, next));
    expect(after).toEqual({ ...mergedAfter(record, next), updatedAt: after!.updatedAt });
    expect(await deps.stores.transactions.get(record.chargerId, record.transactionId)).toEqual(after);
  });

  it('writes an Ended with a reading (energy from the stored first reading) as the pure merge does', async () => {
    const record = await stored([started, event({ seqNo: 1, timestamp: at(5), chargingState: 'Charging', energy: [{ at: at(5), wh: 1500 }] })]);
    const next = event({ eventType: 'Ended', seqNo: 2, timestamp: at(10), chargingState: 'Idle', stoppedReason: 'EVDisconnected', energy: [{ at: at(10), wh: 2500 }] });
    const after = await applied(record, next);
    expect(after).toEqual({ ...mergedAfter(record, next), updatedAt: after!.updatedAt });
    expect(after).toMatchObject({ status: 'ended', meterStopWh: 2500, energyWh: 1500, stopReason: 'EVDisconnected', inferredEnd: false });
  });

  it('writes an Ended without readings (meter stop and energy from the stored readings), stop reason Local by default', async () => {
    const record = await stored([started, event({ seqNo: 1, timestamp: at(5), energy: [{ at: at(5), wh: 1700 }] })]);
    const next = event({ eventType: 'Ended', seqNo: 2, timestamp: at(10) });
    const after = await applied(record, next);
    expect(after).toEqual({ ...mergedAfter(record, next), updatedAt: after!.updatedAt });
    expect(after).toMatchObject({ meterStopWh: 1700, energyWh: 700, stopReason: 'Local' });
  });

  it('writes nothing and returns undefined when a precondition fails: a seqNo seen, an unknown transaction, a record without readings', async () => {
    const record = await stored([started, event({ seqNo: 1, timestamp: at(5), chargingState: 'Charging' })]);
    const before = await deps.stores.transactions.get(record.chargerId, record.transactionId);
    expect(await applied(record, event({ seqNo: 1, timestamp: at(5), chargingState: 'SuspendedEV' }))).toBeUndefined();
    expect(await deps.stores.transactions.get(record.chargerId, record.transactionId)).toEqual(before);

    expect(await applied({ ...record, transactionId: 'never-seen' }, event({ eventType: 'Ended', seqNo: 7, chargingState: 'Idle' }))).toBeUndefined();
    expect(await deps.stores.transactions.get(record.chargerId, 'never-seen')).toBeUndefined();

    const noReadings = await stored([{ ...started, energy: [] }]);
    expect(await applied(noReadings, event({ eventType: 'Ended', seqNo: 1, timestamp: at(9) }))).toBeUndefined();
    expect(await deps.stores.transactions.get(noReadings.chargerId, noReadings.transactionId)).toEqual(noReadings);
  });

  it('writes an Updated while the seqNo list has room, and nothing once it is full (DynamoDB evaluates size())', async () => {
    const seqNos = (n: number) => Array.from({ length: n }, (_, i) => i);
    const withRoom = await storeRecord({ ...merge([started])!, seqNos: seqNos(SEQNOS_KEPT - 1), lastSeqNo: SEQNOS_KEPT - 2 });
    const next = event({ seqNo: SEQNOS_KEPT - 1, timestamp: at(5), chargingState: 'Charging' });
    expect((await applied(withRoom, next))?.seqNos).toEqual(seqNos(SEQNOS_KEPT));

    const full = await storeRecord({ ...merge([started])!, seqNos: seqNos(SEQNOS_KEPT), lastSeqNo: SEQNOS_KEPT - 1 });
    expect(await applied(full, event({ seqNo: SEQNOS_KEPT, timestamp: at(5), chargingState: 'Charging' }))).toBeUndefined();
    expect(await deps.stores.transactions.get(full.chargerId, full.transactionId)).toEqual(full);
  });

  it('gives the pure merge for generated records and events, and writes nothing where the patch does not apply', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ record: folded, next }) => {
        const patch = inOrderPatch(next);
        if (!patch) return;
        const record = await storeRecord(folded);
        const after = await deps.stores.transactions.applyInOrder(record.chargerId, record.transactionId, patch);
        const expected = applyPatch(record, patch);
        if (expected === undefined) {
          expect(after).toBeUndefined();
          expect(await deps.stores.transactions.get(record.chargerId, record.transactionId)).toEqual(record);
          return;
        }
        expect(after).toEqual({ ...mergedAfter(record, next), updatedAt: after!.updatedAt });
      }),
      { numRuns: 60 },
    );
  });
});
