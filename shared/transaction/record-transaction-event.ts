/**
 * Stores a 2.x TransactionEvent: the raw event by seqNo, its meter values, and the merged transaction.
 *
 * Two paths, one outcome. An event that does not start the transaction and carries no id token, arriving in
 * order (the common case: every Updated and the Ended of a session), is merged without reading the transaction:
 * one conditional update whose preconditions and assignments come from the event (`inOrderPatch`, proved equal
 * to the pure merge where its preconditions hold). Everything else, and any event whose preconditions fail
 * (unknown or ended transaction, a seqNo seen or out of order, an earlier reading...), takes the general path:
 * read (strongly consistent), merge (`applyTransactionEvent`), versioned put.
 */
import { isAccepted } from '../charger/registry.ts';
import { readAndAuthorize, tokenPurposeOfEvent, type ReadAndAuthorizeResult, type TokenDecision } from '../token/id-tokens.ts';
import { inOrderPatch, type TransactionPatch } from './in-order-patch.ts';
import { energyRegisterWh, type MeterSample } from './meter-values.ts';
import { applyTransactionEvent, hasMerged, type TransactionEventFacts } from './transaction-event.ts';
import { remoteStartCommand, startedBy, type RemoteStart } from './remote-start.ts';
import { claimIfFree, decideStart, dropClaim, keepClaimIfHeld, type StartClaim } from './token-claim.ts';
import { DEFAULT_LIVE_WINDOW_MS } from './token-use.ts';
import { atLocation, followOnConnector, holdsToken, mergeTransaction, releaseTokenUse, type TransactionRecord } from './transaction.ts';
import type { ClaimOutcome } from '../store/token-use-store.ts';
import type { MessageWork } from './transactions-v16.ts';
import { useReservation } from '../reservation/reservation-ends.ts';
import { checkReservedEvse, type ReservationCheck } from '../reservation/reserved-evses.ts';

export interface TransactionEventInput extends Omit<TransactionEventFacts, 'energy' | 'authorization'> {
  messageId: string;
  meterValue?: MeterSample[];
  /** The event as received, kept for audit. */
  raw: unknown;
}

export type TransactionEventOutcome =
  | {
      recorded: true;
      /** Verdict on the id token the event carried, when it carried one. */
      decision?: TokenDecision;
    }
  /** OCPP 2.0.1 B02/B03: a charger that is not accepted may not start a transaction (it may still end one). */
  | { recorded: false; reason: 'charger-not-accepted' };

type Merge = (current: TransactionRecord | undefined) => TransactionRecord;
/**
 * The merge, naming the remote start command that started the transaction when the event's remoteStartId found one,
 * and the event's EVSE with its connector resolved (`withConnector`) when the event named none.
 */
type LinkingMerge = (startedByCommand: string | undefined, evse?: TransactionEventFacts['evse']) => Merge;

/**
 * The event's EVSE with a connector: the one it names; else, when the charger has exactly one known connector on
 * that EVSE, that one; else 0, the EVSE as a whole (never an invented connector 1). A Query of at most two of that
 * EVSE's connectors (two tell "not exactly one"), only for an EVSE named without a connector: a charger that reported
 * thousands of connectors does not make each such event read them all.
 */
export const withConnector = async (work: MessageWork, chargerId: string, evse: TransactionEventFacts['evse']): Promise<TransactionEventFacts['evse']> => {
  if (evse === undefined || evse.connectorId !== undefined) return evse;
  const onEvse = await work.stores.connectors.ofEvse(chargerId, evse.id, 2);
  return { id: evse.id, connectorId: onEvse.length === 1 ? onEvse[0]!.connectorId : 0 };
};

/**
 * The answer does not wait for the transaction, so every path merges it alongside the message's batch. In order:
 * the conditional update; an Ended then releases its connector, named by the record the update returns (2 round
 * trips; an Updated leaves the connector alone: 1). On a failed precondition: the general merge from a fresh read.
 *
 * An event carrying a remoteStartId reads the remote start it names (remote-start.ts): on the general path in the
 * BatchGetItem it sends anyway, in order beside the conditional update (a GetItem in parallel, no round trip more).
 * Only when it finds a command to link that the updated record lacks does one UpdateItem follow (once a transaction).
 *
 * A Started carrying an id token claims the token beside its reads (token-claim.ts): its answer is ConcurrentTx when
 * the token may not be held now. No other event is ever answered ConcurrentTx.
 */
export const recordTransactionEvent = async (work: MessageWork, input: TransactionEventInput, liveWindowMs: number = DEFAULT_LIVE_WINDOW_MS): Promise<TransactionEventOutcome> => {
  const { messageId, meterValue, raw, ...facts } = input;
  const samples = meterValue ?? [];
  const energy = samples.flatMap((s) => {
    const wh = energyRegisterWh(s);
    return wh === undefined ? [] : [{ at: s.timestamp, wh }];
  });
  // Undefined for a Started and for an event with an id token: those read the token (and the charger) anyway.
  const inOrder = inOrderPatch({ ...facts, energy });
  const gated = facts.eventType === 'Started';
  const claim = gated ? startClaimOf(facts) : undefined;
  const [reads, firstClaim, evse] = await Promise.all([
    inOrder
      ? ({} as ReadAndAuthorizeResult<RemoteStart>)
      : readAndAuthorize(work, facts.idToken, {
          ...(gated ? { chargerId: facts.chargerId } : {}),
          transaction: { chargerId: facts.chargerId, transactionId: facts.transactionId },
          purpose: tokenPurposeOfEvent(facts),
          ...(facts.remoteStartId !== undefined ? { also: work.stores.remoteStarts.read(facts.chargerId, facts.remoteStartId) } : {}),
          ...(facts.idToken !== undefined ? { heldEvses: work.stores.reservations.readHeldEvses(facts.chargerId) } : {}),
        }),
    claim && claimIfFree(work, claim),
    inOrder ? facts.evse : withConnector(work, facts.chargerId, facts.evse),
  ]);
  if (gated && !isAccepted(reads.charger)) {
    if (claim && firstClaim) dropClaim(work, claim, firstClaim);
    return { recorded: false, reason: 'charger-not-accepted' };
  }
  // A reserved EVSE refuses another's token first (reservation/reserved-evses.ts); then a Started's concurrent use.
  const reserved = inOrder ? {} : reservationAtEvent(work, facts, reads);
  const tokenDecision = reserved.decision ?? reads.decision;
  const settled =
    claim && firstClaim && tokenDecision
      ? await settleStart(work, claim, { ...reads, decision: tokenDecision }, firstClaim, facts.seqNo, liveWindowMs)
      : undefined;
  const decision = settled?.decision ?? tokenDecision;
  // Only a start that goes ahead uses its reservation up (one refused as ConcurrentTx leaves it).
  const usesReservation = decision === undefined || decision.verdict === 'Accepted' ? reserved.uses : undefined;
  await Promise.all([
    work.stores.transactions.recordEvent({
      chargerId: facts.chargerId,
      transactionId: facts.transactionId,
      seqNo: facts.seqNo,
      messageId,
      eventType: facts.eventType,
      timestamp: facts.timestamp,
      event: raw,
    }),
    samples.length
      ? work.stores.meterValues.record({
          chargerId: facts.chargerId,
          samples,
          source: 'TransactionEvent',
          transactionId: facts.transactionId,
          ...(evse ? { evseId: evse.id, ...(evse.connectorId !== undefined ? { connectorId: evse.connectorId } : {}) } : {}),
        })
      : undefined,
  ]);
  const merged = { ...facts, energy, ...(decision ? { authorization: decision.verdict } : {}) };
  const now = work.now().toISOString();
  // A Started read the charger (gated): the transaction is filed under its location (transaction-store.ts, gsi3).
  const locationId = reads.charger?.locationId;
  const merge: LinkingMerge = (startedByCommand, at = evse) => (tx) =>
    startedBy(atLocation(applyTransactionEvent(tx, { ...merged, ...(at ? { evse: at } : {}) }, now), locationId), startedByCommand);
  const held = settled?.claimed && claim ? claim : undefined;
  work.alongside(
    inOrder
      ? mergeInOrder(work, { ...facts, evse }, inOrder, merge)
      : mergeRead(work, facts, merge(remoteStartCommand(reads.also, facts.receivedAt)), reads.transaction, held),
  );
  if (usesReservation !== undefined) {
    const evseId = facts.evse?.id ?? reads.transaction?.evseId;
    work.alongside(
      useReservation(work, { chargerId: facts.chargerId, reservationId: usesReservation, transactionId: facts.transactionId, at: facts.receivedAt, ...(evseId !== undefined ? { evseId } : {}) }),
    );
  }
  return { recorded: true, ...(decision ? { decision } : {}) };
};

/**
 * An event that reads (a Started, or one presenting a token) is checked against the EVSE holds of reservations
 * (reservation/reserved-evses.ts) and uses up the reservation it starts on, once: an event of a transaction that
 * already names that reservation uses nothing again.
 */
const reservationAtEvent = (work: MessageWork, facts: Omit<TransactionEventFacts, 'energy' | 'authorization'>, reads: ReadAndAuthorizeResult<RemoteStart>): ReservationCheck => {
  const checked = checkReservedEvse(
    reads.heldEvses,
    {
      evseId: facts.evse?.id ?? reads.transaction?.evseId,
      ...(facts.idToken ? { token: facts.idToken } : {}),
      tokenGroup: reads.decision?.groupId,
      reservationId: facts.reservationId,
    },
    reads.decision,
    work.now(),
  );
  const usedAlready = checked.uses !== undefined && reads.transaction?.reservationId === checked.uses;
  return usedAlready ? { ...(checked.decision ? { decision: checked.decision } : {}) } : checked;
};

/**
 * A Started's answer: decided with its claim; or, for a Started sent again (its seqNo merged), the verdict recorded
 * the first time (a charger that missed our answer must not be told otherwise now), the claim given back unless the
 * transaction holds the token.
 */
const settleStart = async (
  work: MessageWork,
  claim: StartClaim,
  reads: ReadAndAuthorizeResult<RemoteStart> & { decision: TokenDecision },
  first: ClaimOutcome,
  seqNo: number,
  liveWindowMs: number,
): Promise<{ decision: TokenDecision; claimed: boolean }> => {
  const before = reads.transaction;
  if (hasMerged(before, seqNo) && before?.authorization !== undefined) {
    if (!holdsToken(before)) dropClaim(work, claim, first);
    return { decision: { ...reads.decision, verdict: before.authorization }, claimed: false };
  }
  return decideStart(work, claim, { ...(reads.token ? { token: reads.token } : {}), decision: reads.decision }, first, liveWindowMs);
};

/** The use a Started claims: of the token it carries (not a free vend's `NoAuthorization`, which is never looked up). */
const startClaimOf = (e: Omit<TransactionEventFacts, 'energy'>): StartClaim | undefined =>
  e.idToken === undefined || e.idToken.type === 'NoAuthorization'
    ? undefined
    : { value: e.idToken.value, use: { chargerId: e.chargerId, transactionId: e.transactionId, protocol: e.protocol, idTokenType: e.idToken.type, since: e.receivedAt } };

type EventRef = Pick<TransactionEventFacts, 'chargerId' | 'transactionId' | 'seqNo' | 'eventType'>;
type InOrderRef = EventRef & Pick<TransactionEventFacts, 'remoteStartId' | 'receivedAt' | 'evse'>;

const mergeInOrder = async (work: MessageWork, e: InOrderRef, patch: TransactionPatch, merge: LinkingMerge): Promise<void> => {
  const [after, remoteStart] = await Promise.all([
    work.stores.transactions.applyInOrder(e.chargerId, e.transactionId, patch),
    e.remoteStartId !== undefined ? work.stores.remoteStarts.get(e.chargerId, e.remoteStartId) : undefined,
  ]);
  const startedByCommand = remoteStartCommand(remoteStart, e.receivedAt);
  if (!after) {
    const [evse, current] = await Promise.all([withConnector(work, e.chargerId, e.evse), work.stores.transactions.get(e.chargerId, e.transactionId)]);
    return mergeRead(work, e, merge(startedByCommand, evse), current);
  }
  const link =
    startedByCommand !== undefined && after.startedByCommand === undefined
      ? work.stores.transactions.linkCommand(e.chargerId, e.transactionId, 'startedByCommand', startedByCommand)
      : undefined;
  // The patch's preconditions say the record was active: an Ended closed it (and frees its token), an Updated
  // moved nothing the connector or the token use follows.
  await Promise.all([link, patch.endsTransaction ? followOnConnector(work, after) : undefined, patch.endsTransaction ? releaseTokenUse(work, after) : undefined]);
};

const mergeRead = async (work: MessageWork, e: EventRef, merge: Merge, current: TransactionRecord | undefined, claimed?: StartClaim): Promise<void> => {
  if (hasMerged(current, e.seqNo)) {
    work.log.info('TransactionEvent seqNo seen before (or older than the newest the record lists): nothing changed', {
      chargerId: e.chargerId,
      transactionId: e.transactionId,
      seqNo: e.seqNo,
      ...(current?.seqNoFloor !== undefined ? { seqNoFloor: current.seqNoFloor } : {}),
    });
  }
  // A Started or Ended sent again (after a crash) moves the connector and the token use again: idempotent.
  const change = await mergeTransaction(work, e.chargerId, e.transactionId, merge, current, {
    followIfUnchanged: e.eventType !== 'Updated',
    tokenUseClaimed: claimed !== undefined,
  });
  if (claimed) await keepClaimIfHeld(work, claimed, change.after);
};
