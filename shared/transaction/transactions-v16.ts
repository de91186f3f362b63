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
import { cancellationCodes } from '../store/document-client.ts';
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

const transactionFor = (s: StartV16, transactionId: number, decision: TokenDecision, now: Date): TransactionRecord => ({
  chargerId: s.chargerId,
  transactionId: String(transactionId),
  protocol: 'ocpp1.6',
  // A rejected idTag still gets a transaction id (1.6 §5.16); the charger stops it, and we keep the record.
  status: 'active',
  ...connectorOfV16(s.connectorId),
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
});

/** Writes fingerprint and transaction together; says which condition failed, if one did. */
const recordStart = async (deps: StoreDeps, s: StartV16, tx: TransactionRecord, decision: TokenDecision) => {
  const now = deps.now();
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
                transactionId: Number(tx.transactionId),
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
    return 'recorded' as const;
  } catch (error) {
    const [startCode, transactionCode] = cancellationCodes(error);
    if (startCode === 'ConditionalCheckFailed') return 'start-exists' as const;
    if (transactionCode === 'ConditionalCheckFailed') return 'id-taken' as const;
    throw error;
  }
};

/** Transaction ids taken by records we did not allocate (stops for unknown transactions) are skipped. */
const MAX_ID_ATTEMPTS = 5;

export const startTransactionV16 = async (deps: StoreDeps, s: StartV16): Promise<StartV16Outcome> => {
  const earlier = await readStart(deps, s);
  if (earlier) {
    // The first attempt may have died before pointing the connector at its transaction.
    const tx = await getTransaction(deps, s.chargerId, String(earlier.transactionId));
    if (tx) await setConnectorTransaction(deps, tx);
    return earlier;
  }
  const decision = await authorizeToken(deps, s.idTag);
  for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
    const tx = transactionFor(s, await allocateTransactionId(deps), decision, deps.now());
    const outcome = await recordStart(deps, s, tx, decision);
    if (outcome === 'recorded') {
      await setConnectorTransaction(deps, tx);
      return { transactionId: Number(tx.transactionId), decision, retried: false };
    }
    if (outcome === 'start-exists') {
      // A concurrent retry of the same start won the race: answer with its id (ours stays unused).
      const winner = await readStart(deps, s);
      if (winner) return winner;
    }
  }
  throw new Error(`no free transaction id for ${s.chargerId} after ${MAX_ID_ATTEMPTS} attempts`);
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
  // An end we only inferred gives way to the charger's own stop.
  if (current?.status === 'ended' && !current.inferredEnd) return current;
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
    inferredEnd: false,
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
  if (after && after !== before) await setConnectorTransaction(deps, after);
  // Concurrent use makes no sense when stopping: only blocked / expired / unknown are reported.
  const decision = s.idTag ? decideToken(await getIdToken(deps, s.idTag), deps.now(), false) : undefined;
  return {
    ...(decision ? { decision } : {}),
    unknownTransaction: before === undefined,
    alreadyStopped: before?.status === 'ended' && !before.inferredEnd,
  };
};
