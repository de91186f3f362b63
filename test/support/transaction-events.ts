/**
 * Transaction events and records for the tests of the 2.x merge and its in-order fast path: a record is built by
 * folding events with the pure merge, as the general path builds it.
 */
import fc from 'fast-check';
import { applyTransactionEvent, type TransactionEventFacts, type TransactionEventType } from '#shared/transaction/transaction-event.ts';
import type { TransactionRecord } from '#shared/transaction/transaction.ts';

export const NOW = '2026-01-01T12:00:00.000Z';
export const at = (minute: number) => `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

export const event = (o: Partial<TransactionEventFacts> = {}): TransactionEventFacts => ({
  chargerId: 'CP-1',
  protocol: 'ocpp2.0.1',
  transactionId: 'tx-1',
  eventType: 'Updated',
  timestamp: at(5),
  receivedAt: NOW,
  seqNo: 1,
  triggerReason: 'MeterValuePeriodic',
  energy: [],
  ...o,
});

export const merge = (events: readonly TransactionEventFacts[]) =>
  events.reduce<TransactionRecord | undefined>((tx, e) => applyTransactionEvent(tx, e, NOW), undefined);

/** The store sets these; the patch never does. */
export const unversioned = (tx: TransactionRecord | undefined) => {
  if (!tx) return tx;
  const { version: _v, updatedAt: _u, ...rest } = tx;
  return rest;
};

/** Present half of the time, so records without some facts (or any changing fact) are common too. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Any event of the transaction: any type, time, facts and readings (several at one time too). */
export const anyEvent = (seqNo: fc.Arbitrary<number>, type: fc.Arbitrary<TransactionEventType>, minute: fc.Arbitrary<number>) =>
  fc
    .record({
      seqNo,
      eventType: type,
      minute,
      chargingState: maybe(fc.constantFrom('EVConnected', 'Charging', 'SuspendedEV', 'Idle')),
      remoteStartId: maybe(fc.integer({ min: 1, max: 9 })),
      reservationId: maybe(fc.integer({ min: 1, max: 9 })),
      withToken: fc.boolean(),
      authorization: maybe(fc.constantFrom('Accepted' as const, 'Blocked' as const)),
      offline: maybe(fc.boolean()),
      stoppedReason: maybe(fc.constantFrom('EVDisconnected', 'Remote')),
      evse: maybe(fc.record({ id: fc.integer({ min: 1, max: 3 }), connectorId: maybe(fc.integer({ min: 1, max: 2 })) })),
      energy: fc.array(fc.record({ minute, wh: fc.integer({ min: 0, max: 100_000 }) }), { maxLength: 3 }),
    })
    .map(({ minute: m, withToken, authorization, evse, energy, ...facts }) =>
      event({
        ...defined(facts),
        timestamp: at(m),
        ...(withToken ? { idToken: { value: 'TAG-1', type: 'ISO14443' } } : {}),
        ...(withToken && authorization ? { authorization } : {}),
        ...(evse ? { evse: defined(evse) as { id: number; connectorId?: number } } : {}),
        energy: energy.map((r) => ({ at: at(r.minute), wh: r.wh })),
      }),
    );

/**
 * A record built by folding events that arrived in any order (some repeated, some missing), then a next event:
 * often the next seqNo, later in time, and without a token (the fast path's case), but also anything else.
 */
export const scenario = fc
  .integer({ min: 1, max: 6 })
  .chain((count) =>
    fc.tuple(
      fc.array(
        anyEvent(fc.integer({ min: 0, max: count - 1 }), fc.constantFrom<TransactionEventType>('Started', 'Updated', 'Updated', 'Updated', 'Ended'), fc.integer({ min: 0, max: 30 })),
        { minLength: 1, maxLength: count + 2 },
      ),
      fc.oneof(
        { weight: 3, arbitrary: anyEvent(fc.constant(count), fc.constantFrom<TransactionEventType>('Updated', 'Ended'), fc.integer({ min: 25, max: 59 })) },
        { weight: 1, arbitrary: anyEvent(fc.integer({ min: 0, max: count + 1 }), fc.constantFrom<TransactionEventType>('Started', 'Updated', 'Ended'), fc.integer({ min: 0, max: 59 })) },
      ),
    ),
  )
  .map(([arrived, next]) => {
    // One event per seqNo: the same seqNo is the same event, however often it arrives.
    const bySeqNo = new Map<number, TransactionEventFacts>();
    const events = arrived.map((e) => bySeqNo.get(e.seqNo) ?? (bySeqNo.set(e.seqNo, e), e));
    return { record: merge(events)!, next: bySeqNo.get(next.seqNo) ?? next };
  });

/** A 2.0.1 TransactionEvent Started payload (as a charger sends it) presenting `idToken` on EVSE `evseId`, connector 1. */
export const startedPayload = (transactionId: string, idToken: string, evseId = 1) => ({
  eventType: 'Started',
  seqNo: 0,
  timestamp: new Date().toISOString(),
  triggerReason: 'Authorized',
  transactionInfo: { transactionId },
  idToken: { idToken, type: 'ISO14443' },
  evse: { id: evseId, connectorId: 1 },
});
