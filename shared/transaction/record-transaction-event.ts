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
import { applyTransactionEvent, type TransactionEventFacts } from './transaction-event.ts';
import { remoteStartCommand, startedBy, type RemoteStart } from './remote-start.ts';
import { atLocation, followOnConnector, mergeTransaction, type TransactionRecord } from './transaction.ts';
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
/** The merge, naming the remote start command that started the transaction when the event's remoteStartId found one. */
type LinkingMerge = (startedByCommand: string | undefined) => Merge;

/**
 * The answer does not wait for the transaction, so every path merges it alongside the message's batch. In order:
 * the conditional update; an Ended then releases its connector, named by the record the update returns (2 round
 * trips; an Updated leaves the connector alone: 1). On a failed precondition: the general merge from a fresh read.
 *
 * An event carrying a remoteStartId reads the remote start it names (remote-start.ts): on the general path in the
 * BatchGetItem it sends anyway, in order beside the conditional update (a GetItem in parallel, no round trip more).
 * Only when it finds a command to link that the updated record lacks does one UpdateItem follow (once a transaction).
 */
export const recordTransactionEvent = async (work: MessageWork, input: TransactionEventInput): Promise<TransactionEventOutcome> => {
  const { messageId, meterValue, raw, ...facts } = input;
  const samples = meterValue ?? [];
  const energy = samples.flatMap((s) => {
    const wh = energyRegisterWh(s);
    return wh === undefined ? [] : [{ at: s.timestamp, wh }];
  });
  // Undefined for a Started and for an event with an id token: those read the token (and the charger) anyway.
  const inOrder = inOrderPatch({ ...facts, energy });
  const gated = facts.eventType === 'Started';
  const reads: ReadAndAuthorizeResult<RemoteStart> = inOrder
    ? {}
    : await readAndAuthorize(work, facts.idToken, {
        ...(gated ? { chargerId: facts.chargerId } : {}),
        transaction: { chargerId: facts.chargerId, transactionId: facts.transactionId },
        except: { chargerId: facts.chargerId, transactionId: facts.transactionId },
        purpose: tokenPurposeOfEvent(facts),
        ...(facts.remoteStartId !== undefined ? { also: work.stores.remoteStarts.read(facts.chargerId, facts.remoteStartId) } : {}),
        ...(facts.idToken !== undefined ? { heldEvses: work.stores.reservations.readHeldEvses(facts.chargerId) } : {}),
      });
  if (gated && !isAccepted(reads.charger)) return { recorded: false, reason: 'charger-not-accepted' };
  const reserved = inOrder ? {} : reservationAtEvent(work, facts, reads);
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
          ...(facts.evse ? { evseId: facts.evse.id, connectorId: facts.evse.connectorId ?? 1 } : {}),
        })
      : undefined,
  ]);
  const decision = reserved.decision ?? reads.decision;
  const merged = { ...facts, energy, ...(decision ? { authorization: decision.verdict } : {}) };
  const now = work.now().toISOString();
  // A Started read the charger (gated): the transaction is filed under its location (transaction-store.ts, gsi3).
  const locationId = reads.charger?.locationId;
  const merge: LinkingMerge = (startedByCommand) => (tx) => startedBy(atLocation(applyTransactionEvent(tx, merged, now), locationId), startedByCommand);
  work.alongside(
    inOrder
      ? mergeInOrder(work, facts, inOrder, merge)
      : mergeRead(work, facts, merge(remoteStartCommand(reads.also, facts.receivedAt)), reads.transaction),
  );
  if (reserved.uses !== undefined) {
    const evseId = facts.evse?.id ?? reads.transaction?.evseId;
    work.alongside(
      useReservation(work, { chargerId: facts.chargerId, reservationId: reserved.uses, transactionId: facts.transactionId, at: facts.receivedAt, ...(evseId !== undefined ? { evseId } : {}) }),
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

type EventRef = Pick<TransactionEventFacts, 'chargerId' | 'transactionId' | 'seqNo' | 'eventType'>;
type InOrderRef = EventRef & Pick<TransactionEventFacts, 'remoteStartId' | 'receivedAt'>;

const mergeInOrder = async (work: MessageWork, e: InOrderRef, patch: TransactionPatch, merge: LinkingMerge): Promise<void> => {
  const [after, remoteStart] = await Promise.all([
    work.stores.transactions.applyInOrder(e.chargerId, e.transactionId, patch),
    e.remoteStartId !== undefined ? work.stores.remoteStarts.get(e.chargerId, e.remoteStartId) : undefined,
  ]);
  const startedByCommand = remoteStartCommand(remoteStart, e.receivedAt);
  if (!after) return mergeRead(work, e, merge(startedByCommand), await work.stores.transactions.get(e.chargerId, e.transactionId));
  const link =
    startedByCommand !== undefined && after.startedByCommand === undefined
      ? work.stores.transactions.linkCommand(e.chargerId, e.transactionId, 'startedByCommand', startedByCommand)
      : undefined;
  // The patch's preconditions say the record was active: an Ended closed it (and frees its token), an Updated
  // moved nothing the connector or the token use follows.
  await Promise.all([
    link,
    patch.endsTransaction ? followOnConnector(work, after) : undefined,
    patch.endsTransaction && after.idToken !== undefined ? work.stores.transactions.closeTokenUse({ ...after, idToken: after.idToken }) : undefined,
  ]);
};

const mergeRead = async (work: MessageWork, e: EventRef, merge: Merge, current: TransactionRecord | undefined): Promise<void> => {
  if (current?.seqNos?.includes(e.seqNo)) {
    work.log.info('TransactionEvent seqNo seen before: nothing changed', { chargerId: e.chargerId, transactionId: e.transactionId, seqNo: e.seqNo });
  }
  // A Started or Ended sent again (after a crash) moves the connector and the token use again: idempotent.
  await mergeTransaction(work, e.chargerId, e.transactionId, merge, current, { followIfUnchanged: e.eventType !== 'Updated' });
};
