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
  seqNos?: number[];
  offline?: boolean;
  /** Known only from its stop or later events: its start never reached us. */
  startMissing?: boolean;
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

/** Points the connector at its open transaction, or clears it when that transaction ends. */
export const setConnectorTransaction = async (deps: StoreDeps, tx: TransactionRecord): Promise<void> => {
  if (tx.evseId === undefined) return;
  const Key = connectorKey(tx.chargerId, tx.evseId, tx.connectorId ?? 1);
  if (tx.status === 'active') {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.csms,
        Key,
        UpdateExpression: 'SET activeTransactionId = :tx, chargerId = :charger, evseId = :evse, connectorId = :conn',
        ExpressionAttributeValues: {
          ':tx': tx.transactionId,
          ':charger': tx.chargerId,
          ':evse': tx.evseId,
          ':conn': tx.connectorId ?? 1,
        },
      }),
    );
    return;
  }
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.csms,
        Key,
        UpdateExpression: 'REMOVE activeTransactionId',
        ConditionExpression: 'activeTransactionId = :tx',
        ExpressionAttributeValues: { ':tx': tx.transactionId },
      }),
    );
  } catch (error) {
    // Another transaction already owns the connector: nothing to clear.
    if (!isConditionFailed(error)) throw error;
  }
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
