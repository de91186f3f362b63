/**
 * The fast path of a 2.x TransactionEvent: an event that arrives in order changes the transaction record in a
 * way known from the event alone, so it can be written as one conditional update, without reading the record
 * first. `inOrderPatch` states that update as data: the preconditions under which it equals what
 * `applyTransactionEvent(record, event)` would produce, and the assignments. The store translates it into one
 * conditional write (`transactions.applyInOrder`); `applyPatch` is the same update as a pure function, and a
 * property test proves that, whenever the preconditions hold, it gives exactly the pure merge. When they do
 * not hold (the transaction is unknown or ended, the seqNo was seen or a later one was, an earlier event or
 * reading, a fact the record cannot take in place), the event takes the general path: read, merge, versioned
 * put.
 *
 * What makes the preconditions sufficient, for records `applyTransactionEvent` built: `lastSeqNo` is the
 * highest seqNo merged and `seqNos` is sorted, so `lastSeqNo < seqNo` means "not seen, and the latest": it is
 * appended at the end (while the list is not full: the general merge cuts it back), every fact it carries wins (a
 * fact's seqNo is never above `lastSeqNo`), and it becomes `lastSeqNo`. `status = active` means nothing closed the
 * record yet (an Ended closes it now; an Updated leaves status, EVSE and inferred end alone, so the connector pointer
 * follows only an Ended). `firstEnergy` and `lastEnergy` are set together, by the first reading ever merged.
 */
import type { ChangingFact, EnergyReading, TransactionRecord } from './transaction.ts';
import { SEQNOS_KEPT, type TransactionEventFacts } from './transaction-event.ts';

/** An attribute of the record, then the names of nested map keys. */
export type RecordPath = readonly [keyof TransactionRecord, ...string[]];
export type PatchValue = string | number | boolean | EnergyReading | readonly number[];

export type Precondition =
  | { readonly path: RecordPath; readonly is: 'present' }
  | { readonly path: RecordPath; readonly is: 'equal'; readonly to: string | number | boolean }
  /** The stored value is of the same type and below (`below`) or at most (`atMost`) the given one. */
  | { readonly path: RecordPath; readonly is: 'below' | 'atMost'; readonly than: string | number }
  /** The stored list has fewer than `than` elements. */
  | { readonly path: RecordPath; readonly is: 'shorterThan'; readonly than: number };

export type Operand = { readonly value: PatchValue } | { readonly path: RecordPath };
/** Every operand is evaluated on the record as it was before the update (as DynamoDB does). */
export type Expression =
  | Operand
  | { readonly sum: readonly [Operand, Operand] }
  | { readonly difference: readonly [Operand, Operand] }
  /** The list at the path with the values appended. */
  | { readonly append: readonly [RecordPath, readonly number[]] };

export interface Assignment {
  readonly path: RecordPath;
  readonly to: Expression;
}

export interface TransactionPatch {
  /** All must hold, or nothing is written. */
  readonly requires: readonly Precondition[];
  readonly assigns: readonly Assignment[];
  /** The patch closes the transaction (it was active): its connector must be released. */
  readonly endsTransaction: boolean;
}

const CHANGING_FACTS = ['chargingState', 'authorization', 'remoteStartId', 'reservationId'] as const satisfies readonly ChangingFact[];

/**
 * The update an in-order event makes, or `undefined` for an event that never takes the fast path: a Started
 * (it may create the record and claims the connector) and an event with an id token (its verdict needs the
 * token read anyway).
 */
export const inOrderPatch = (e: TransactionEventFacts): TransactionPatch | undefined => {
  if (e.eventType === 'Started' || e.idToken !== undefined) return undefined;
  const requires: Precondition[] = [
    { path: ['status'], is: 'equal', to: 'active' },
    { path: ['lastSeqNo'], is: 'below', than: e.seqNo },
    { path: ['seqNos'], is: 'present' },
    // Full: the general merge cuts the list back (transaction-event.ts, SEQNOS_KEPT), which an update cannot.
    { path: ['seqNos'], is: 'shorterThan', than: SEQNOS_KEPT },
    { path: ['firstEventAt'], is: 'atMost', than: e.timestamp },
  ];
  const assigns: Assignment[] = [
    { path: ['seqNos'], to: { append: [['seqNos'], [e.seqNo]] } },
    { path: ['lastSeqNo'], to: { value: e.seqNo } },
  ];
  if (e.offline) assigns.push({ path: ['offline'], to: { value: true } });
  // The EVSE is known once: an event naming it changes nothing when the record has it (else: general path).
  if (e.evse) requires.push({ path: ['evseId'], is: 'present' });

  const carried = CHANGING_FACTS.flatMap((fact) => (e[fact] === undefined ? [] : [[fact, e[fact]] as const]));
  if (carried.length > 0) requires.push({ path: ['factSeqNos'], is: 'present' });
  for (const [fact, value] of carried) {
    assigns.push({ path: [fact], to: { value } }, { path: ['factSeqNos', fact], to: { value: e.seqNo } });
  }

  // Readings extend the energy span only forwards: the first reading stays, the event's latest becomes the last
  // (of readings at the same time, the one listed last, as the pure merge takes it).
  let latest: EnergyReading | undefined;
  if (e.energy.length > 0) {
    const times = e.energy.map((r) => r.at);
    const earliestAt = times.reduce((a, b) => (b < a ? b : a));
    const latestAt = times.reduce((a, b) => (b > a ? b : a));
    latest = e.energy.filter((r) => r.at === latestAt).at(-1)!;
    requires.push({ path: ['firstEnergy', 'at'], is: 'atMost', than: earliestAt }, { path: ['lastEnergy', 'at'], is: 'atMost', than: latestAt });
    assigns.push({ path: ['lastEnergy'], to: { value: { at: latest.at, wh: latest.wh } } });
  }

  if (e.eventType === 'Ended') {
    assigns.push(
      { path: ['status'], to: { value: 'ended' } },
      { path: ['endedAt'], to: { value: e.timestamp } },
      { path: ['stopReason'], to: { value: e.stoppedReason ?? 'Local' } }, // E06: omitted = Local
      { path: ['inferredEnd'], to: { value: false } },
    );
    const stop: Operand = latest ? { value: latest.wh } : { path: ['lastEnergy', 'wh'] };
    if (!latest) requires.push({ path: ['lastEnergy'], is: 'present' }, { path: ['firstEnergy'], is: 'present' });
    assigns.push({ path: ['meterStopWh'], to: stop }, { path: ['energyWh'], to: { difference: [stop, { path: ['firstEnergy', 'wh'] }] } });
  }
  return { requires, assigns, endsTransaction: e.eventType === 'Ended' };
};

type Doc = Record<string, unknown>;
const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

const valueAt = (record: TransactionRecord, path: RecordPath): unknown => {
  let at: unknown = record;
  for (const key of path) at = isDoc(at) ? at[key] : undefined;
  return at;
};

const compares = (stored: unknown, given: string | number): stored is string | number => typeof stored === typeof given;

/** A precondition on the record, as DynamoDB evaluates it (a missing attribute or another type fails a comparison). */
export const holds = (record: TransactionRecord, c: Precondition): boolean => {
  const stored = valueAt(record, c.path);
  switch (c.is) {
    case 'present':
      return stored !== undefined;
    case 'equal':
      return stored === c.to;
    case 'below':
      return compares(stored, c.than) && stored < c.than;
    case 'atMost':
      return compares(stored, c.than) && stored <= c.than;
    case 'shorterThan':
      return Array.isArray(stored) && stored.length < c.than;
  }
};

/** DynamoDB refuses an update whose operands are missing or of the wrong type: here, it throws. */
const invalid = (what: string): never => {
  throw new Error(`invalid update: ${what}`);
};

const number = (record: TransactionRecord, o: Operand): number => {
  const v = 'value' in o ? o.value : valueAt(record, o.path);
  return typeof v === 'number' ? v : invalid(`operand ${JSON.stringify(o)} is not a number`);
};

const evaluate = (record: TransactionRecord, x: Expression): unknown => {
  if ('value' in x) return structuredClone(x.value);
  if ('path' in x) return structuredClone(valueAt(record, x.path) ?? invalid(`${x.path.join('.')} is missing`));
  if ('sum' in x) return number(record, x.sum[0]) + number(record, x.sum[1]);
  if ('difference' in x) return number(record, x.difference[0]) - number(record, x.difference[1]);
  const list = valueAt(record, x.append[0]);
  return Array.isArray(list) ? [...(list as unknown[]), ...x.append[1]] : invalid(`${x.append[0].join('.')} is not a list`);
};

/**
 * The patch applied to a record, as the conditional update does it: `undefined` when a precondition fails
 * (nothing is written). `version` and `updatedAt` are the store's to set.
 */
export const applyPatch = (record: TransactionRecord | undefined, patch: TransactionPatch): TransactionRecord | undefined => {
  if (record === undefined || !patch.requires.every((c) => holds(record, c))) return undefined;
  const values = patch.assigns.map((a) => evaluate(record, a.to));
  const next: Doc = structuredClone(record) as unknown as Doc;
  patch.assigns.forEach((a, i) => {
    const parent = a.path.slice(0, -1).reduce<unknown>((at, key) => (isDoc(at) ? at[key] : undefined), next);
    if (!isDoc(parent)) invalid(`the parent of ${a.path.join('.')} is missing`);
    (parent as Doc)[a.path.at(-1)!] = values[i];
  });
  return next as unknown as TransactionRecord;
};
