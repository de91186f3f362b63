/**
 * OCPP 1.6 StartTransaction / StopTransaction. The CSMS gives the transaction its id. The id is derived from
 * what the start was (connector, idTag, meterStart, timestamp): a retried StartTransaction gets the id it got
 * the first time without any bookkeeping item, and the first write of the transaction is conditional on the
 * id being free. Two different starts that land on one id (about one in 2^31 per pair) take the next
 * candidate of the start's own sequence, which a retry walks the same way.
 */
import { createHash } from 'node:crypto';
import type { UnitOfWork } from '../deps.ts';
import type { Ports } from '../deps.ts';
import { connectorOfV16 } from '../charger/connector-status.ts';
import { isAccepted } from '../charger/registry.ts';
import { idFromSeed } from '../command/request-id.ts';
import { sentInUtc } from '../ocpp/charger-time.ts';
import { readAndAuthorize, type TokenDecision } from '../token/id-tokens.ts';
import type { MeterSample } from './meter-values.ts';
import { pendingStartCommand } from './remote-start.ts';
import { useReservation, type ReservationUse } from '../reservation/reservation-ends.ts';
import { checkReservedEvse } from '../reservation/reserved-evses.ts';
import { claimIfFree, decideStart, dropClaim, releaseClaim, type StartClaim } from './token-claim.ts';
import { DEFAULT_LIVE_WINDOW_MS } from './token-use.ts';
import { followAgain, followOnConnector, holdsToken, mergeTransaction, type TransactionRecord } from './transaction.ts';

/** What one charger message works with: the stores of its unit of work, the clock and the log. */
export type MessageWork = Ports & Pick<UnitOfWork, 'alongside'>;

export interface StartV16 {
  chargerId: string;
  connectorId: number;
  idTag: string;
  meterStart: number;
  /** The start time as stored and ordered by (charger-time.ts). */
  timestamp: string;
  /** The start time as the charger sent it: what identifies the start, and kept when `timestamp` replaced it. */
  sentTimestamp: string;
  /** When we received the StartTransaction. */
  receivedAt: string;
  reservationId?: number;
}

export type StartV16Outcome =
  | { started: true; transactionId: number; decision: TokenDecision; retried: boolean }
  /** OCPP 2.0.1 B02/B03, and 1.6 by analogy: a charger that is not accepted may not start transactions. */
  | { started: false; reason: 'charger-not-accepted' };

/** What identifies a start: a retry of it has the same fingerprint (the time as sent: a retry's receive time differs). */
export const startFingerprint = (s: StartV16): string =>
  createHash('sha256').update(JSON.stringify([s.chargerId, s.connectorId, s.idTag, s.meterStart, sentInUtc(s.sentTimestamp)])).digest('base64url');

/** 1.6 transactionId is a (signed 32-bit) integer: candidates are 1 … 2^31 - 1. */
export const candidateTransactionId: (startFingerprint: string, attempt: number) => number = idFromSeed;

/** Far more than two colliding starts ever need; a charger that keeps hitting taken ids is lying about its data. */
const MAX_CANDIDATES = 8;

const transactionFor = (
  s: StartV16,
  transactionId: number,
  startFingerprint: string,
  decision: TokenDecision,
  locationId: string | undefined,
  now: Date,
): TransactionRecord => ({
  chargerId: s.chargerId,
  transactionId: String(transactionId),
  protocol: 'ocpp1.6',
  // A rejected idTag still gets a transaction id (1.6 §5.16); the charger stops it, and we keep the record. Refused
  // (`authorization` not Accepted, ConcurrentTx too), it never holds the token (transaction.ts `holdsToken`).
  status: 'active',
  ...connectorOfV16(s.connectorId),
  ocppConnectorId: s.connectorId,
  idToken: s.idTag,
  ...(locationId !== undefined ? { locationId } : {}),
  authorization: decision.verdict,
  startDecision: decision,
  startFingerprint,
  receivedAt: s.receivedAt,
  startedAt: s.timestamp,
  ...(sentInUtc(s.sentTimestamp) !== s.timestamp ? { chargerStartedAt: s.sentTimestamp } : {}),
  firstEventAt: s.timestamp,
  meterStartWh: s.meterStart,
  firstEnergy: { at: s.timestamp, wh: s.meterStart },
  ...(s.reservationId !== undefined ? { reservationId: s.reservationId } : {}),
  version: 1,
  updatedAt: now.toISOString(),
});

/**
 * Reads (one wave: the charger, the candidate id, a pending remote start of the idTag and the charger's EVSE holds in
 * one BatchGetItem, the token's types; beside them the claim of the token, token-claim.ts), decides, and leaves the
 * writes (the transaction, the connector, the pending start or the reservation used up) to run alongside the
 * message-log entry: two round trips in all, unless the token is held already (then the uses are checked and
 * claimed: one or two round trips more).
 */
export const startTransactionV16 = async (work: MessageWork, s: StartV16, liveWindowMs: number = DEFAULT_LIVE_WINDOW_MS): Promise<StartV16Outcome> => {
  const fingerprint = startFingerprint(s);
  const claimOf = (id: number): StartClaim => ({ value: s.idTag, use: { chargerId: s.chargerId, transactionId: String(id), protocol: 'ocpp1.6', since: s.receivedAt } });
  const firstCandidate = candidateTransactionId(fingerprint, 0);
  const [reads, firstClaim] = await Promise.all([
    readAndAuthorize(work, { value: s.idTag }, {
      chargerId: s.chargerId,
      transaction: { chargerId: s.chargerId, transactionId: String(firstCandidate) },
      purpose: 'start',
      also: work.stores.remoteStarts.readPending(s.chargerId, s.idTag),
      heldEvses: work.stores.reservations.readHeldEvses(s.chargerId),
    }),
    claimIfFree(work, claimOf(firstCandidate)),
  ]);
  if (!isAccepted(reads.charger)) {
    dropClaim(work, claimOf(firstCandidate), firstClaim);
    return { started: false, reason: 'charger-not-accepted' };
  }
  let candidate = firstCandidate;
  let holder = reads.transaction;
  for (let attempt = 1; holder && holder.startFingerprint !== fingerprint; attempt++) {
    if (attempt >= MAX_CANDIDATES) throw new Error(`no free transaction id for ${s.chargerId} after ${attempt} candidates`);
    candidate = candidateTransactionId(fingerprint, attempt);
    holder = await work.stores.transactions.get(s.chargerId, String(candidate));
  }
  const claim = claimOf(candidate);
  let claimed = firstClaim;
  if (candidate !== firstCandidate) {
    // The first candidate's id was taken: the claim made for it goes, one for the id this start gets is made.
    dropClaim(work, claimOf(firstCandidate), firstClaim);
    claimed = await claimIfFree(work, claim);
  }
  if (holder) {
    // A retry: the same answer as the first time. That attempt may have died before claiming the connector or
    // recording the token's use; a claim for a start that does not hold the token (refused, or stopped since) goes.
    work.alongside(followAgain(work, holder));
    if (!holdsToken(holder)) dropClaim(work, claim, claimed);
    // As was the reservation it used (a start refused for another's reservation used none).
    if (holder.reservationId !== undefined && holder.authorization !== 'Invalid') work.alongside(useReservation(work, reservationUse(s, holder.reservationId, candidate)));
    return { started: true, transactionId: candidate, decision: holder.startDecision ?? { verdict: holder.authorization ?? 'Accepted' }, retried: true };
  }
  // A connector held for another reservation refuses the token (reservation/reserved-evses.ts); then concurrent use.
  const reserved = checkReservedEvse(
    reads.heldEvses,
    { evseId: connectorOfV16(s.connectorId).evseId, token: { value: s.idTag }, tokenGroup: reads.decision?.groupId, reservationId: s.reservationId },
    reads.decision ?? { verdict: 'Unknown' },
    work.now(),
  );
  const { decision, claimed: holds } = await decideStart(work, claim, { ...(reads.token ? { token: reads.token } : {}), decision: reserved.decision ?? { verdict: 'Unknown' } }, claimed, liveWindowMs);
  // Only a start that goes ahead uses its reservation up (one refused as ConcurrentTx leaves it).
  const usesReservation = decision.verdict === 'Accepted' ? reserved.uses : undefined;
  const startedByCommand = pendingStartCommand(reads.also, s.connectorId, s.receivedAt);
  const tx = {
    ...transactionFor({ ...s, ...(usesReservation !== undefined ? { reservationId: usesReservation } : {}) }, candidate, fingerprint, decision, reads.charger?.locationId, work.now()),
    ...(startedByCommand ? { startedByCommand } : {}),
  };
  work.alongside(createStart(work, tx, holds ? claim : undefined));
  if (usesReservation !== undefined) work.alongside(useReservation(work, reservationUse(s, usesReservation, candidate)));
  if (startedByCommand) work.alongside(work.stores.remoteStarts.forgetPending({ chargerId: s.chargerId, idTag: s.idTag, commandId: startedByCommand }));
  return { started: true, transactionId: candidate, decision, retried: false };
};

const reservationUse = (s: StartV16, reservationId: number, transactionId: number): ReservationUse => ({
  chargerId: s.chargerId,
  reservationId,
  transactionId: String(transactionId),
  at: s.receivedAt,
  evseId: connectorOfV16(s.connectorId).evseId,
});

/** Writes a new start's transaction and claims its connector; its token use was claimed before the answer (`claim`). */
const createStart = async (work: Ports, tx: TransactionRecord, claim: StartClaim | undefined): Promise<void> => {
  const [created] = await Promise.all([work.stores.transactions.createOrGetExisting(tx), followOnConnector(work, tx)]);
  // A concurrent attempt of the same start wrote first: same id, same facts. Anything else holding the id
  // appeared between our read and our write: fail, so the charger retries and walks on to the next candidate;
  // the token use claimed for our start goes again.
  if (!created.created && created.existing.startFingerprint !== tx.startFingerprint) {
    if (claim) await releaseClaim(work, claim);
    throw new Error(`transaction id ${tx.transactionId} of ${tx.chargerId} was taken meanwhile`);
  }
};

export interface StopV16 {
  chargerId: string;
  transactionId: number;
  meterStop: number;
  /** The stop time as stored (charger-time.ts); `chargerTimestamp`: what the charger sent, when it was replaced. */
  timestamp: string;
  chargerTimestamp?: string;
  receivedAt: string;
  reason?: string;
  idTag?: string;
  transactionData?: MeterSample[];
}

export interface StopV16Outcome {
  /** Verdict on the idTag presented at stop, when there was one. */
  decision?: TokenDecision;
  /** The stop matched no transaction we knew of; it is recorded on its own. */
  unknownTransaction: boolean;
  alreadyStopped: boolean;
}

const applyStop = (s: StopV16, current: TransactionRecord | undefined, now: Date): TransactionRecord | undefined => {
  // An end we only inferred gives way to the charger's own stop.
  if (current?.status === 'ended' && !current.inferredEnd) return current;
  const base: TransactionRecord = current ?? {
    chargerId: s.chargerId,
    transactionId: String(s.transactionId),
    protocol: 'ocpp1.6',
    status: 'active',
    receivedAt: s.receivedAt,
    firstEventAt: s.timestamp,
    startMissing: true,
    version: 0,
    updatedAt: now.toISOString(),
  };
  return {
    ...base,
    status: 'ended',
    endedAt: s.timestamp,
    ...(s.chargerTimestamp !== undefined ? { chargerEndedAt: s.chargerTimestamp } : {}),
    // 1.6 §7.43: reason may be omitted when it is Local.
    stopReason: s.reason ?? 'Local',
    meterStopWh: s.meterStop,
    lastEnergy: { at: s.timestamp, wh: s.meterStop },
    ...(s.idTag ? { stopIdToken: s.idTag } : {}),
    ...(base.meterStartWh !== undefined ? { energyWh: s.meterStop - base.meterStartWh } : {}),
    inferredEnd: false,
  };
};

/**
 * One read wave (the transaction, and the idTag when one is presented: only blocked / expired / unknown are
 * reported at a stop, concurrent use makes no sense there); the merge, the connector, the token use given back and
 * the readings are written alongside the message-log entry.
 */
export const stopTransactionV16 = async (work: MessageWork, s: StopV16): Promise<StopV16Outcome> => {
  const transactionId = String(s.transactionId);
  const reads = await readAndAuthorize(work, s.idTag ? { value: s.idTag } : undefined, {
    transaction: { chargerId: s.chargerId, transactionId },
    purpose: 'stop',
  });
  const existing = reads.transaction;
  if (s.transactionData?.length) {
    await work.stores.meterValues.record({
      chargerId: s.chargerId,
      samples: s.transactionData,
      source: 'StopTransaction',
      transactionId,
      ...(existing?.evseId !== undefined ? { evseId: existing.evseId } : {}),
    });
  }
  const now = work.now();
  // A stop sent again after a crash finds the transaction ended: the connector and token are released again (12c).
  work.alongside(mergeTransaction(work, s.chargerId, transactionId, (current) => applyStop(s, current, now), existing, { followIfUnchanged: true }));
  return {
    ...(reads.decision ? { decision: reads.decision } : {}),
    unknownTransaction: existing === undefined,
    alreadyStopped: existing?.status === 'ended' && !existing.inferredEnd,
  };
};
