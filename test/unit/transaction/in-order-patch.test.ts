import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyPatch, inOrderPatch } from '#shared/transaction/in-order-patch.ts';
import { applyTransactionEvent, hasMerged, SEQNOS_KEPT } from '#shared/transaction/transaction-event.ts';
import { connectorMustFollow } from '#shared/transaction/transaction.ts';
import { NOW, at, event, merge, scenario, unversioned } from '../../support/transaction-events.ts';

describe('the in-order patch of a TransactionEvent', () => {
  it('gives exactly the pure merge whenever its preconditions hold, and moves the connector exactly when the merge does', () => {
    let applied = 0;
    let runs = 0;
    fc.assert(
      fc.property(scenario, ({ record, next }) => {
        runs += 1;
        const patch = inOrderPatch(next);
        if (!patch) {
          expect(next.eventType === 'Started' || next.idToken !== undefined).toBe(true);
          return;
        }
        const patched = applyPatch(record, patch);
        const merged = applyTransactionEvent(record, next, NOW);
        if (patched === undefined) return;
        applied += 1;
        expect(unversioned(patched)).toStrictEqual(unversioned(merged));
        expect(merged).not.toBe(record);
        expect(patch.endsTransaction).toBe(connectorMustFollow({ before: record, after: merged }));
      }),
      { numRuns: 3000 },
    );
    // The preconditions are not vacuous: a good share of the generated cases take the fast path.
    expect(applied / runs).toBeGreaterThan(0.1);
  });

  it('does not hold for a seqNo already merged or older than the latest, for an unknown or ended transaction, nor an earlier event', () => {
    fc.assert(
      fc.property(scenario, ({ record, next }) => {
        const patch = inOrderPatch(next);
        if (!patch) return;
        const seen = record.seqNos?.includes(next.seqNo) ?? false;
        const notLatest = record.lastSeqNo !== undefined && next.seqNo <= record.lastSeqNo;
        const earlier = next.timestamp < record.firstEventAt;
        if (seen || notLatest || earlier || record.status === 'ended') expect(applyPatch(record, patch)).toBeUndefined();
        expect(applyPatch(undefined, patch)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('takes every Updated and the Ended of a plain session (Started with a reading and a charging state)', () => {
    const session = [
      event({ eventType: 'Started', seqNo: 0, timestamp: at(0), idToken: { value: 'T', type: 'ISO14443' }, authorization: 'Accepted', evse: { id: 1, connectorId: 1 }, chargingState: 'Charging', energy: [{ at: at(0), wh: 100 }] }),
      event({ seqNo: 1, timestamp: at(1), chargingState: 'Charging', energy: [{ at: at(1), wh: 200 }] }),
      event({ seqNo: 2, timestamp: at(2), chargingState: 'Charging', energy: [{ at: at(2), wh: 300 }] }),
      event({ seqNo: 3, timestamp: at(3), chargingState: 'Charging', energy: [{ at: at(3), wh: 400 }] }),
      event({ eventType: 'Ended', seqNo: 4, timestamp: at(4), chargingState: 'Idle', stoppedReason: 'EVDisconnected', energy: [{ at: at(4), wh: 500 }] }),
    ];
    for (let n = 1; n < session.length; n++) {
      const before = merge(session.slice(0, n))!;
      const patched = applyPatch(before, inOrderPatch(session[n]!)!);
      expect(patched).toBeDefined();
      expect(unversioned(patched)).toStrictEqual(unversioned(merge(session.slice(0, n + 1))));
    }
    expect(merge(session)).toMatchObject({ status: 'ended', energyWh: 400, meterStopWh: 500, stopReason: 'EVDisconnected' });
  });

  it('keeps the record bounded in a long session: the patch stops at a full seqNo list, the general merge cuts it back', () => {
    const started = event({ eventType: 'Started', seqNo: 0, timestamp: at(0), evse: { id: 1, connectorId: 1 }, energy: [{ at: at(0), wh: 0 }] });
    let record = merge([started])!;
    let pure = record;
    let general = 0;
    for (let seqNo = 1; seqNo <= 300; seqNo++) {
      const next = event({ seqNo, timestamp: at(1), energy: [{ at: at(1), wh: seqNo }] });
      const patched = applyPatch(record, inOrderPatch(next)!);
      expect(patched === undefined).toBe(record.seqNos!.length >= SEQNOS_KEPT);
      if (patched === undefined) general += 1;
      record = patched ?? applyTransactionEvent(record, next, NOW);
      pure = applyTransactionEvent(pure, next, NOW);
      expect(unversioned(record)).toStrictEqual(unversioned(pure));
      expect(record.seqNos!.length).toBeLessThanOrEqual(SEQNOS_KEPT);
    }
    // Full at seqNo 64, then cut back to its newest 32: one general merge every 33 events (64, 97, ..., 295), the
    // rest in place; after 295 the list holds 264-295 and the five in-place events after it.
    expect(general).toBe(8);
    expect(record).toMatchObject({ lastSeqNo: 300, seqNoFloor: 263 });
    expect(record.seqNos).toEqual(Array.from({ length: 37 }, (_, i) => 264 + i));
  });

  it('takes a seqNo at or below the floor as merged (nothing changes), and merges a missing one above it', () => {
    const record = { ...merge([event({ eventType: 'Started', seqNo: 0, timestamp: at(0) })])!, seqNos: [40, 42], seqNoFloor: 39, lastSeqNo: 42 };
    expect(hasMerged(record, 12)).toBe(true);
    expect(hasMerged(record, 39)).toBe(true);
    expect(hasMerged(record, 41)).toBe(false);
    expect(applyTransactionEvent(record, event({ seqNo: 12, chargingState: 'Charging' }), NOW)).toBe(record);
    expect(applyTransactionEvent(record, event({ seqNo: 41, chargingState: 'Charging' }), NOW)).toMatchObject({ seqNos: [40, 41, 42], seqNoFloor: 39, chargingState: 'Charging' });
  });

  it('leaves a Started and an event with an id token to the general path', () => {
    expect(inOrderPatch(event({ eventType: 'Started', seqNo: 0 }))).toBeUndefined();
    expect(inOrderPatch(event({ idToken: { value: 'T', type: 'ISO14443' } }))).toBeUndefined();
  });
});
