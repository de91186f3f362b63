/** Stores a 2.x TransactionEvent: the raw event by seqNo, its meter values, and the merged transaction. */
import { isAccepted } from '../charger/registry.ts';
import { readAndAuthorize, type TokenDecision } from '../token/id-tokens.ts';
import { energyRegisterWh, type MeterSample } from './meter-values.ts';
import { applyTransactionEvent, type TransactionEventFacts } from './transaction-event.ts';
import { mergeTransaction } from './transaction.ts';
import type { MessageWork } from './transactions-v16.ts';

export interface TransactionEventInput extends Omit<TransactionEventFacts, 'energy' | 'authorization'> {
  messageId: string;
  meterValue?: MeterSample[];
  /** The event as received, kept for audit. */
  raw: unknown;
}

export type TransactionEventOutcome =
  | {
      recorded: true;
      /** The seqNo was merged before: nothing changes. */
      duplicate: boolean;
      /** Verdict on the id token the event carried, when it carried one. */
      decision?: TokenDecision;
    }
  /** OCPP 2.0.1 B02/B03: a charger that is not accepted may not start a transaction (it may still end one). */
  | { recorded: false; reason: 'charger-not-accepted' };

/**
 * One read wave (the transaction, with the token and the charger when the event needs them); the raw event
 * and the readings join the message's batch; the merged transaction and its connector are written alongside.
 */
export const recordTransactionEvent = async (work: MessageWork, input: TransactionEventInput): Promise<TransactionEventOutcome> => {
  const { messageId, meterValue, raw, ...facts } = input;
  const gated = facts.eventType === 'Started';
  const reads = await readAndAuthorize(work, facts.idToken, {
    ...(gated ? { chargerId: facts.chargerId } : {}),
    transaction: { chargerId: facts.chargerId, transactionId: facts.transactionId },
    exceptTransactionId: facts.transactionId,
  });
  if (gated && !isAccepted(reads.charger)) return { recorded: false, reason: 'charger-not-accepted' };
  const samples = meterValue ?? [];
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
  const energy = samples.flatMap((s) => {
    const wh = energyRegisterWh(s);
    return wh === undefined ? [] : [{ at: s.timestamp, wh }];
  });
  const merged = { ...facts, energy, ...(reads.decision ? { authorization: reads.decision.verdict } : {}) };
  const now = work.now().toISOString();
  const current = reads.transaction;
  work.alongside(mergeTransaction(work, facts.chargerId, facts.transactionId, (tx) => applyTransactionEvent(tx, merged, now), current));
  return {
    recorded: true,
    duplicate: current?.seqNos?.includes(facts.seqNo) ?? false,
    ...(reads.decision ? { decision: reads.decision } : {}),
  };
};
