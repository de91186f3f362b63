/** Stores a 2.x TransactionEvent: the raw event by seqNo, its meter values, and the merged transaction. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreDeps } from '../deps.ts';
import { transactionEventKey } from '../store/keys.ts';
import { authorizeTypedToken, type TokenDecision } from '../token/id-tokens.ts';
import { energyRegisterWh, storeMeterValues, type MeterSample } from './meter-values.ts';
import { applyTransactionEvent, type TransactionEventFacts } from './transaction-event.ts';
import { setConnectorTransaction, updateTransaction, type TransactionRecord } from './transaction-store.ts';

export interface TransactionEventInput extends Omit<TransactionEventFacts, 'energy' | 'authorization'> {
  messageId: string;
  meterValue?: MeterSample[];
  /** The event as received, kept for audit. */
  raw: unknown;
}

export interface TransactionEventOutcome {
  transaction: TransactionRecord;
  duplicate: boolean;
  /** Verdict on the id token the event carried, when it carried one. */
  decision?: TokenDecision;
}

export const recordTransactionEvent = async (deps: StoreDeps, input: TransactionEventInput): Promise<TransactionEventOutcome> => {
  const { messageId, meterValue, raw, ...facts } = input;
  const decision = facts.idToken
    ? await authorizeTypedToken(deps, facts.idToken, { exceptTransactionId: facts.transactionId })
    : undefined;
  const samples = meterValue ?? [];
  const energy = samples.flatMap((s) => {
    const wh = energyRegisterWh(s);
    return wh === undefined ? [] : [{ at: s.timestamp, wh }];
  });
  await Promise.all([
    deps.db.send(
      new PutCommand({
        TableName: deps.tables.csms,
        Item: {
          ...transactionEventKey(facts.chargerId, facts.transactionId, facts.seqNo),
          type: 'TransactionEvent',
          messageId,
          eventType: facts.eventType,
          timestamp: facts.timestamp,
          event: raw,
          receivedAt: deps.now().toISOString(),
        },
      }),
    ),
    samples.length
      ? storeMeterValues(deps, {
          chargerId: facts.chargerId,
          samples,
          source: 'TransactionEvent',
          transactionId: facts.transactionId,
          ...(facts.evse ? { evseId: facts.evse.id, connectorId: facts.evse.connectorId ?? 1 } : {}),
        })
      : undefined,
  ]);
  const merged = { ...facts, energy, ...(decision ? { authorization: decision.verdict } : {}) };
  const { before, after } = await updateTransaction(deps, facts.chargerId, facts.transactionId, (current) =>
    applyTransactionEvent(current, merged, deps.now().toISOString()),
  );
  if (!after) throw new Error(`transaction ${facts.chargerId}/${facts.transactionId} vanished while merging`);
  const duplicate = before !== undefined && before.version === after.version;
  const connectorChanged =
    !duplicate && (before?.status !== after.status || before?.evseId !== after.evseId || before?.inferredEnd !== after.inferredEnd);
  if (connectorChanged) await setConnectorTransaction(deps, after);
  return { transaction: after, duplicate, ...(decision ? { decision } : {}) };
};
