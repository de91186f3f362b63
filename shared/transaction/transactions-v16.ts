/**
 * OCPP 1.6 StartTransaction / StopTransaction. The CSMS allocates transaction ids from an atomic counter.
 * A retried StartTransaction (same connector, idTag, meterStart and timestamp) gets the id it got the
 * first time: the first attempt records its fingerprint in the same DynamoDB transaction as the
 * transaction itself, so either both exist or neither does.
 */
import { createHash } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreDeps } from '../deps.ts';
import { counterKey, transactionStartKey } from '../store/keys.ts';
import { isTransactionConditionFailed } from '../store/document-client.ts';
import { authorizeToken, decideToken, getIdToken, type TokenDecision } from '../token/id-tokens.ts';
import { connectorOfV16 } from '../charger/connector-status.ts';
import { storeMeterValues, type MeterSample } from './meter-values.ts';
import {
  getTransaction,
  setConnectorTransaction,
  transactionItem,
  updateTransaction,
  type TransactionRecord,
} from './transaction-store.ts';

const TRANSACTION_COUNTER = 'transaction-id-v16';
/** How long a start fingerprint is kept: far longer than any charger retries a message. */
const START_FINGERPRINT_TTL_S = 7 * 86_400;

export interface StartV16 {
  chargerId: string;
  connectorId: number;
  idTag: string;
  meterStart: number;
  timestamp: string;
  reservationId?: number;
}

export interface StartV16Outcome {
  transactionId: number;
  decision: TokenDecision;
  retried: boolean;
}

const fingerprint = (s: StartV16) =>
  createHash('sha256').update(JSON.stringify([s.connectorId, s.idTag, s.meterStart, s.timestamp])).digest('base64url');

const readStart = async (deps: StoreDeps, s: StartV16): Promise<StartV16Outcome | undefined> => {
  const out = await deps.db.send(
    new GetCommand({
      TableName: deps.tables.csms,
      Key: transactionStartKey(s.chargerId, fingerprint(s)),
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return undefined;
  return { transactionId: out.Item.transactionId as number, decision: out.Item.decision as TokenDecision, retried: true };
};

const allocateTransactionId = async (deps: StoreDeps): Promise<number> => {
  const out = await deps.db.send(
    new UpdateCommand({
      TableName: deps.tables.csms,
      Key: counterKey(TRANSACTION_COUNTER),
      UpdateExpression: 'ADD #value :one',
      ExpressionAttributeNames: { '#value': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return out.Attributes?.value as number;
};

export const startTransactionV16 = async (deps: StoreDeps, s: StartV16): Promise<StartV16Outcome> => {
  const earlier = await readStart(deps, s);
  if (earlier) return earlier;
  const decision = await authorizeToken(deps, s.idTag);
  const transactionId = await allocateTransactionId(deps);
  const ref = connectorOfV16(s.connectorId);
  const now = deps.now();
  const tx: TransactionRecord = {
    chargerId: s.chargerId,
    transactionId: String(transactionId),
    protocol: 'ocpp1.6',
    // A rejected idTag still gets a transaction id (1.6 §5.16); the charger stops it, and we keep the record.
    status: 'active',
    ...ref,
    ocppConnectorId: s.connectorId,
    idToken: s.idTag,
    authorization: decision.verdict,
    startedAt: s.timestamp,
    firstEventAt: s.timestamp,
    meterStartWh: s.meterStart,
    firstEnergy: { at: s.timestamp, wh: s.meterStart },
    ...(s.reservationId !== undefined ? { reservationId: s.reservationId } : {}),
    version: 1,
    updatedAt: now.toISOString(),
  };
  try {
    await deps.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: deps.tables.csms,
              Item: {
                ...transactionStartKey(s.chargerId, fingerprint(s)),
                type: 'TransactionStart',
                transactionId,
                decision,
                expiresAt: Math.floor(now.getTime() / 1000) + START_FINGERPRINT_TTL_S,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: deps.tables.csms, Item: transactionItem(tx), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
  } catch (error) {
    // A concurrent retry of the same start won the race: answer with its id (ours stays unused).
    if (!isTransactionConditionFailed(error)) throw error;
    const winner = await readStart(deps, s);
    if (!winner) throw error;
    return winner;
  }
  await setConnectorTransaction(deps, tx);
  return { transactionId, decision, retried: false };
};

export interface StopV16 {
  chargerId: string;
  transactionId: number;
  meterStop: number;
  timestamp: string;
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
  if (current?.status === 'ended') return current;
  const base: TransactionRecord = current ?? {
    chargerId: s.chargerId,
    transactionId: String(s.transactionId),
    protocol: 'ocpp1.6',
    status: 'active',
    firstEventAt: s.timestamp,
    startMissing: true,
    version: 0,
    updatedAt: now.toISOString(),
  };
  return {
    ...base,
    status: 'ended',
    endedAt: s.timestamp,
    // 1.6 §7.43: reason may be omitted when it is Local.
    stopReason: s.reason ?? 'Local',
    meterStopWh: s.meterStop,
    lastEnergy: { at: s.timestamp, wh: s.meterStop },
    ...(s.idTag ? { stopIdToken: s.idTag } : {}),
    ...(base.meterStartWh !== undefined ? { energyWh: s.meterStop - base.meterStartWh } : {}),
  };
};

export const stopTransactionV16 = async (deps: StoreDeps, s: StopV16): Promise<StopV16Outcome> => {
  const transactionId = String(s.transactionId);
  const existing = await getTransaction(deps, s.chargerId, transactionId);
  if (s.transactionData?.length) {
    await storeMeterValues(deps, {
      chargerId: s.chargerId,
      samples: s.transactionData,
      source: 'StopTransaction',
      transactionId,
      ...(existing?.evseId !== undefined ? { evseId: existing.evseId } : {}),
    });
  }
  const { before, after } = await updateTransaction(deps, s.chargerId, transactionId, (current) =>
    applyStop(s, current, deps.now()),
  );
  if (after && before?.status !== 'ended') await setConnectorTransaction(deps, after);
  // Concurrent use makes no sense when stopping: only blocked / expired / unknown are reported.
  const decision = s.idTag ? decideToken(await getIdToken(deps, s.idTag), deps.now(), false) : undefined;
  return {
    ...(decision ? { decision } : {}),
    unknownTransaction: before === undefined,
    alreadyStopped: before?.status === 'ended',
  };
};
