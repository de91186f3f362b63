/**
 * Transactions, one item each, for every OCPP version. Writers read the item, compute the next state
 * and put it back conditioned on the version they read (optimistic concurrency), because API Gateway may
 * run two messages of one charger at the same time.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapPage, queryPage, type Page, type PageOptions } from '../store/queries.ts';
import type { StoreDeps } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { TokenVerdict } from '../token/id-tokens.ts';
import { chargerTransactionsPk, connectorKey, tokenTransactionsPk, transactionKey, withoutKeys } from '../store/keys.ts';
import { isConditionFailed } from '../store/document-client.ts';

/** Transaction facts a later event may change; the value from the highest seqNo carrying it wins. */
export type ChangingFact = 'chargingState' | 'authorization' | 'remoteStartId' | 'reservationId';

export interface EnergyReading {
  at: string;
  wh: number;
}

export interface TransactionRecord {
  chargerId: string;
  /** 1.6: the integer we allocated, as a string; 2.x: the charger's transactionId. */
  transactionId: string;
  protocol: OcppProtocol;
  status: 'active' | 'ended';
  evseId?: number;
  connectorId?: number;
  /** 1.6 connectorId as the charger numbers it. */
  ocppConnectorId?: number;
  idToken?: string;
  idTokenType?: string;
  authorization?: TokenVerdict;
  startedAt?: string;
  /** Earliest event time seen; the start time when the Started event never arrived. */
  firstEventAt: string;
  endedAt?: string;
  stopReason?: string;
  stopIdToken?: string;
  meterStartWh?: number;
  meterStopWh?: number;
  firstEnergy?: EnergyReading;
  lastEnergy?: EnergyReading;
  energyWh?: number;
  reservationId?: number;
  remoteStartId?: number;
  chargingState?: string;
  lastSeqNo?: number;
  /** 2.x: for each fact that can change along a transaction, the seqNo of the event that set it. */
  factSeqNos?: Partial<Record<ChangingFact, number>>;
  seqNos?: number[];
  offline?: boolean;
  /** Known only from its stop or later events: its start never reached us. */
  startMissing?: boolean;
  /**
   * Ended by inference: a newer transaction started on its connector before its own end arrived. A real
   * stop arriving later still applies.
   */
  inferredEnd?: boolean;
  version: number;
  updatedAt: string;
}

const indexAttributes = (tx: TransactionRecord) => {
  const at = `${tx.startedAt ?? tx.firstEventAt}#${tx.transactionId}`;
  return {
    gsi1pk: chargerTransactionsPk(tx.chargerId),
    gsi1sk: at,
    ...(tx.idToken ? { gsi2pk: tokenTransactionsPk(tx.idToken), gsi2sk: at } : {}),
  };
};

export const transactionItem = (tx: TransactionRecord) => ({
  ...transactionKey(tx.chargerId, tx.transactionId),
  type: 'Transaction',
  ...indexAttributes(tx),
  ...tx,
});

const strip = (item: Record<string, unknown>) => withoutKeys<TransactionRecord>(item);

export const getTransaction = async (
  deps: StoreDeps,
  chargerId: string,
  transactionId: string,
): Promise<TransactionRecord | undefined> => {
  const out = await deps.db.send(
    new GetCommand({ TableName: deps.tables.csms, Key: transactionKey(chargerId, transactionId), ConsistentRead: true }),
  );
  return out.Item ? strip(out.Item) : undefined;
};

/** Writes `next` if the stored version is still `next.version - 1` (or absent for version 1); false on a lost race. */
export const putTransaction = async (deps: StoreDeps, next: TransactionRecord): Promise<boolean> => {
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.tables.csms,
        Item: transactionItem(next),
        ConditionExpression: next.version === 1 ? 'attribute_not_exists(pk)' : 'version = :expected',
        ...(next.version === 1 ? {} : { ExpressionAttributeValues: { ':expected': next.version - 1 } }),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
};

/** Read, transform, conditional write; retried when another invocation wrote in between. */
export const updateTransaction = async (
  deps: StoreDeps,
  chargerId: string,
  transactionId: string,
  transform: (current: TransactionRecord | undefined) => TransactionRecord | undefined,
): Promise<{ before?: TransactionRecord; after?: TransactionRecord }> => {
  for (let attempt = 0; attempt < 8; attempt++) {
    const before = await getTransaction(deps, chargerId, transactionId);
    const next = transform(before);
    if (!next || next === before) return { ...(before ? { before, after: before } : {}) };
    const versioned = { ...next, version: (before?.version ?? 0) + 1, updatedAt: deps.now().toISOString() };
    if (await putTransaction(deps, versioned)) return { ...(before ? { before } : {}), after: versioned };
  }
  throw new Error(`transaction ${chargerId}/${transactionId}: too many concurrent updates`);
};

/** Ends a transaction that a newer one on the same connector has superseded, unless it has ended already. */
const supersede = async (deps: StoreDeps, chargerId: string, transactionId: string, by: TransactionRecord) => {
  const endedAt = by.startedAt ?? by.firstEventAt;
  await updateTransaction(deps, chargerId, transactionId, (current) =>
    current?.status === 'active'
      ? { ...current, status: 'ended', endedAt, stopReason: 'Superseded', inferredEnd: true }
      : current,
  );
  deps.log.warn('transaction ended by a newer one on its connector', { chargerId, transactionId, by: by.transactionId });
};

const clearConnector = async (deps: StoreDeps, tx: TransactionRecord): Promise<void> => {
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.csms,
        Key: connectorKey(tx.chargerId, tx.evseId ?? 0, tx.connectorId ?? 1),
        UpdateExpression: 'REMOVE activeTransactionId, activeTransactionStartedAt',
        ConditionExpression: 'activeTransactionId = :tx',
        ExpressionAttributeValues: { ':tx': tx.transactionId },
      }),
    );
  } catch (error) {
    // Another transaction owns the connector: nothing to clear.
    if (!isConditionFailed(error)) throw error;
  }
};

/**
 * Points the connector at its open transaction, or clears the pointer when that transaction ends.
 * Only a transaction that started later takes the connector over, and the one it replaces is ended (its
 * own end was lost or is still on the way). Setting and ending can race in two Lambdas: after setting, the
 * transaction is read again, and if it ended meanwhile the pointer is cleared, so it never outlives it.
 */
export const setConnectorTransaction = async (deps: StoreDeps, tx: TransactionRecord): Promise<void> => {
  if (tx.evseId === undefined) return;
  if (tx.status === 'ended') return clearConnector(deps, tx);
  const startedAt = tx.startedAt ?? tx.firstEventAt;
  let previous: string | undefined;
  try {
    const out = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.csms,
        Key: connectorKey(tx.chargerId, tx.evseId, tx.connectorId ?? 1),
        UpdateExpression:
          'SET activeTransactionId = :tx, activeTransactionStartedAt = :at, chargerId = :charger, evseId = :evse, connectorId = :conn',
        ConditionExpression:
          'attribute_not_exists(activeTransactionId) OR activeTransactionId = :tx OR activeTransactionStartedAt <= :at',
        ExpressionAttributeValues: {
          ':tx': tx.transactionId,
          ':at': startedAt,
          ':charger': tx.chargerId,
          ':evse': tx.evseId,
          ':conn': tx.connectorId ?? 1,
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    previous = out.Attributes?.activeTransactionId as string | undefined;
  } catch (error) {
    if (isConditionFailed(error)) return; // a newer transaction holds the connector
    throw error;
  }
  if (previous !== undefined && previous !== tx.transactionId) await supersede(deps, tx.chargerId, previous, tx);
  if ((await getTransaction(deps, tx.chargerId, tx.transactionId))?.status === 'ended') await clearConnector(deps, tx);
};

/** Newest first; `from`/`to` bound the start time (ISO prefixes work: `2026-01`). */
export const listChargerTransactions = async (
  deps: StoreDeps,
  chargerId: string,
  options: PageOptions & { from?: string; to?: string } = {},
): Promise<Page<TransactionRecord>> => {
  const { from, to, ...page } = options;
  const between = [from ?? '0', `${to ?? '9999'}~`] as const;
  return mapPage(await queryPage(deps, { index: 'gsi1', pk: chargerTransactionsPk(chargerId), between }, { newestFirst: true, limit: 50, ...page }), strip);
};
