/**
 * OCPP 2.x TransactionEvent merging, as a pure function. Events of one transaction may arrive late,
 * twice, or out of order (offline replay after a reconnect; concurrent Lambdas). Every event is merged
 * into the one transaction record: a seqNo already seen changes nothing; facts only known from the
 * first event (EVSE, id token, start) are kept from whichever event brought them; facts that change along the
 * way (charging state, authorization...) come from the highest seqNo that carried them; Ended closes the
 * transaction and no later arrival reopens it.
 */
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { TokenVerdict } from '../token/id-tokens.ts';
import type { ChangingFact, EnergyReading, TransactionRecord } from './transaction.ts';

export type TransactionEventType = 'Started' | 'Updated' | 'Ended';

/**
 * How many seqNos a transaction record lists at most. Each is a few bytes of the record, which every event of the
 * transaction writes whole: a long session sampled every few seconds, or a charger counting on, grew a record past
 * 1 KB (one write unit more for every later event) and at last past DynamoDB's 400 KB item limit (every event refused).
 * At the limit the in-order update is not taken (in-order-patch.ts); the general merge keeps the newest SEQNOS_AFTER_CUT
 * and moves `seqNoFloor` up to the newest one dropped: a read and a put once every 33 events of a long session.
 */
export const SEQNOS_KEPT = 64;
const SEQNOS_AFTER_CUT = 32;

/**
 * Whether the record merged this seqNo: listed, or at or below its floor (an event older than the newest
 * SEQNOS_KEPT merged ones counts as sent again: its raw event is stored, the record no longer changes for it).
 */
export const hasMerged = (tx: TransactionRecord | undefined, seqNo: number): boolean =>
  tx !== undefined && ((tx.seqNoFloor !== undefined && seqNo <= tx.seqNoFloor) || (tx.seqNos?.includes(seqNo) ?? false));

/** The seqNos with one more, sorted, cut back to the newest SEQNOS_AFTER_CUT once over SEQNOS_KEPT. */
const withSeqNo = (tx: TransactionRecord, seqNo: number): Pick<TransactionRecord, 'seqNos' | 'seqNoFloor'> => {
  const all = [...(tx.seqNos ?? []), seqNo].sort((a, b) => a - b);
  if (all.length <= SEQNOS_KEPT) return { seqNos: all };
  const dropped = all.slice(0, all.length - SEQNOS_AFTER_CUT);
  return { seqNos: all.slice(-SEQNOS_AFTER_CUT), seqNoFloor: Math.max(tx.seqNoFloor ?? -Infinity, dropped.at(-1)!) };
};

export interface TransactionEventFacts {
  chargerId: string;
  protocol: OcppProtocol;
  transactionId: string;
  eventType: TransactionEventType;
  /** The event time as stored and ordered by (shared/ocpp/charger-time.ts). */
  timestamp: string;
  /** When we received the event. */
  receivedAt: string;
  seqNo: number;
  triggerReason: string;
  offline?: boolean;
  chargingState?: string;
  stoppedReason?: string;
  remoteStartId?: number;
  reservationId?: number;
  idToken?: { value: string; type: string };
  authorization?: TokenVerdict;
  /** Without `connectorId`: the EVSE as a whole (its only connector is resolved before the merge, where known). */
  evse?: { id: number; connectorId?: number };
  /** Energy register readings (Wh) carried by the event's meter values. */
  energy: EnergyReading[];
}

const earlier = (a: string | undefined, b: string): string => (a !== undefined && a <= b ? a : b);

const extendEnergy = (tx: TransactionRecord, readings: EnergyReading[]) => {
  let first = tx.firstEnergy;
  let last = tx.lastEnergy;
  for (const r of readings) {
    if (!first || r.at < first.at) first = r;
    if (!last || r.at >= last.at) last = r;
  }
  return { ...(first ? { firstEnergy: first } : {}), ...(last ? { lastEnergy: last } : {}) };
};

/**
 * The facts of this event that beat what the transaction has: a fact is taken from the event with the
 * highest seqNo that carried it, so the result does not depend on the order events arrive in.
 */
const changingFacts = (tx: TransactionRecord, e: TransactionEventFacts) => {
  const carried: Partial<Record<ChangingFact, string | number>> = {
    ...(e.chargingState !== undefined ? { chargingState: e.chargingState } : {}),
    ...(e.authorization !== undefined ? { authorization: e.authorization } : {}),
    ...(e.remoteStartId !== undefined ? { remoteStartId: e.remoteStartId } : {}),
    ...(e.reservationId !== undefined ? { reservationId: e.reservationId } : {}),
  };
  const winning = Object.entries(carried).filter(([fact]) => {
    const setBy = tx.factSeqNos?.[fact as ChangingFact];
    return setBy === undefined || e.seqNo > setBy;
  });
  if (winning.length === 0) return {};
  return {
    ...Object.fromEntries(winning),
    factSeqNos: { ...tx.factSeqNos, ...Object.fromEntries(winning.map(([fact]) => [fact, e.seqNo])) },
  } as Partial<TransactionRecord>;
};

const fresh = (e: TransactionEventFacts, now: string): TransactionRecord => ({
  chargerId: e.chargerId,
  transactionId: e.transactionId,
  protocol: e.protocol,
  status: 'active',
  receivedAt: e.receivedAt,
  firstEventAt: e.timestamp,
  seqNos: [],
  version: 0,
  updatedAt: now,
});

/** The merged transaction, or `current` itself (same object) when the event was already applied. */
export const applyTransactionEvent = (
  current: TransactionRecord | undefined,
  e: TransactionEventFacts,
  now: string,
): TransactionRecord => {
  if (current && hasMerged(current, e.seqNo)) return current;
  const tx = current ?? fresh(e, now);
  const isLatest = tx.lastSeqNo === undefined || e.seqNo > tx.lastSeqNo;
  const ended = tx.status === 'ended' || e.eventType === 'Ended';
  const next: TransactionRecord = {
    ...tx,
    ...extendEnergy(tx, e.energy),
    ...withSeqNo(tx, e.seqNo),
    firstEventAt: earlier(tx.firstEventAt, e.timestamp),
    status: ended ? 'ended' : 'active',
    ...(e.offline ? { offline: true } : {}),
    ...(tx.evseId === undefined && e.evse ? { evseId: e.evse.id, connectorId: e.evse.connectorId ?? 0 } : {}),
    ...(tx.idToken === undefined && e.idToken ? { idToken: e.idToken.value, idTokenType: e.idToken.type } : {}),
    ...changingFacts(tx, e),
    ...(isLatest ? { lastSeqNo: e.seqNo } : {}),
    ...(e.eventType === 'Started' ? { startedAt: earlier(tx.startedAt, e.timestamp) } : {}),
    ...(e.eventType === 'Ended'
      ? { endedAt: e.timestamp, stopReason: e.stoppedReason ?? 'Local', inferredEnd: false } // E06: omitted = Local
      : {}),
  };
  next.startMissing = next.startedAt === undefined;
  if (next.firstEnergy) next.meterStartWh = next.firstEnergy.wh;
  if (next.status === 'ended' && next.lastEnergy) {
    next.meterStopWh = next.lastEnergy.wh;
    if (next.firstEnergy) next.energyWh = next.lastEnergy.wh - next.firstEnergy.wh;
  }
  return next;
};
