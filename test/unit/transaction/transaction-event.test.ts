import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyTransactionEvent, type TransactionEventFacts } from '#shared/transaction/transaction-event.ts';
import type { TransactionRecord } from '#shared/transaction/transaction.ts';
import { at, event, merge, NOW } from '../../support/transaction-events.ts';

const started = event({
  eventType: 'Started',
  seqNo: 0,
  timestamp: at(0),
  triggerReason: 'Authorized',
  idToken: { value: 'TAG-1', type: 'ISO14443' },
  evse: { id: 1, connectorId: 1 },
  chargingState: 'EVConnected',
  energy: [{ at: at(0), wh: 1000 }],
});
const updated = event({ seqNo: 1, timestamp: at(5), chargingState: 'Charging', energy: [{ at: at(5), wh: 1500 }] });
const ended = event({
  eventType: 'Ended',
  seqNo: 2,
  timestamp: at(10),
  triggerReason: 'EVDeparted',
  stoppedReason: 'EVDisconnected',
  chargingState: 'Idle',
  energy: [{ at: at(10), wh: 2500 }],
});

describe('applyTransactionEvent', () => {
  it('builds one transaction from Started, Updated and Ended in order', () => {
    const tx = merge([started, updated, ended]);
    expect(tx).toMatchObject({
      status: 'ended',
      startedAt: at(0),
      endedAt: at(10),
      evseId: 1,
      connectorId: 1,
      idToken: 'TAG-1',
      stopReason: 'EVDisconnected',
      chargingState: 'Idle',
      seqNos: [0, 1, 2],
      meterStartWh: 1000,
      meterStopWh: 2500,
      energyWh: 1500,
      startMissing: false,
    });
  });

  it('returns the same object for a seqNo it has already applied', () => {
    const tx = merge([started, updated]);
    expect(applyTransactionEvent(tx, updated, NOW)).toBe(tx);
  });

  it('does not reopen an ended transaction when an older event arrives late', () => {
    const tx = merge([started, ended, updated]);
    expect(tx?.status).toBe('ended');
    expect(tx?.chargingState).toBe('Idle'); // the highest seqNo's state wins
    expect(tx?.seqNos).toEqual([0, 1, 2]);
  });

  it('takes the start facts from Started even when it arrives after later events', () => {
    const tx = merge([updated, ended, started]);
    expect(tx).toMatchObject({ startedAt: at(0), evseId: 1, idToken: 'TAG-1', startMissing: false, energyWh: 1500 });
  });

  it('marks a transaction whose Started never arrived, and dates it by its first event', () => {
    const tx = merge([updated, ended]);
    expect(tx).toMatchObject({ startMissing: true, firstEventAt: at(5), status: 'ended', stopReason: 'EVDisconnected' });
  });

  it('defaults the stopped reason to Local', () => {
    expect(merge([started, event({ eventType: 'Ended', seqNo: 1 })])?.stopReason).toBe('Local');
  });

  it('merges to the same record whatever the order and repetition of arrival', () => {
    // Facts that differ between events too, so "latest seqNo wins" is exercised.
    const all = [
      { ...started, authorization: 'Accepted' as const, remoteStartId: 7, reservationId: 1 },
      { ...updated, offline: true, remoteStartId: 8 },
      { ...ended, authorization: 'Blocked' as const, reservationId: 2 },
    ];
    const reference = merge(all);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 1, 2), { minLength: 3, maxLength: 8 }), (order) => {
        fc.pre(new Set(order).size === 3);
        const tx = merge(order.map((i) => all[i] as TransactionEventFacts));
        expect(tx).toEqual(reference);
      }),
    );
  });

  it('merges generated events to one record whatever the order, repetition and which facts each carries', () => {
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const facts = fc.record({
      chargingState: maybe(fc.constantFrom('EVConnected', 'Charging', 'SuspendedEV', 'Idle')),
      authorization: maybe(fc.constantFrom('Accepted' as const, 'Blocked' as const)),
      remoteStartId: maybe(fc.integer({ min: 1, max: 9 })),
      reservationId: maybe(fc.integer({ min: 1, max: 9 })),
      offline: maybe(fc.boolean()),
      wh: fc.integer({ min: 0, max: 100_000 }),
    });
    const scenario = fc.tuple(
      fc.array(facts, { minLength: 2, maxLength: 5 }),
      fc.array(fc.nat(), { maxLength: 8 }), // events to repeat
      fc.array(fc.double({ noNaN: true }), { minLength: 13, maxLength: 13 }), // arrival order keys
    );
    fc.assert(
      fc.property(scenario, ([perEvent, repeats, order]) => {
        const events = perEvent.map((f, seqNo) => {
          const eventType = seqNo === 0 ? 'Started' : seqNo === perEvent.length - 1 ? 'Ended' : 'Updated';
          const { wh, ...rest } = f;
          const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
          return event({ ...defined, eventType, seqNo, timestamp: at(seqNo), energy: [{ at: at(seqNo), wh }] });
        });
        const inOrder = merge(events);
        // Every event at least once, in any order, some repeated.
        const arrivals = [...events, ...repeats.map((r) => events[r % events.length] as TransactionEventFacts)];
        const shuffled = arrivals
          .map((e, i) => ({ e, key: order[i] ?? 0 }))
          .sort((a, b) => a.key - b.key)
          .map(({ e }) => e);
        expect(merge(shuffled)).toEqual(inOrder);
        expect(merge([...events].reverse())).toEqual(inOrder);
      }),
    );
  });
});
