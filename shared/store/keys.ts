/**
 * Key builders for the single Csms table. One place, so the data model in docs/data-model.md and the code
 * agree. Numbers in sort keys are zero-padded so that string order is numeric order.
 */
import { createHash } from 'node:crypto';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export const chargerKey = (chargerId: string) => ({ pk: `CHARGER#${chargerId}`, sk: 'CHARGER' });
export const connectionKey = (connectionId: string) => ({ pk: `CONNECTION#${connectionId}`, sk: 'CONNECTION' });
export const connectorKey = (chargerId: string, evseId: number, connectorId: number) => ({
  pk: `CHARGER#${chargerId}`,
  sk: `CONNECTOR#${pad(evseId, 4)}#${pad(connectorId, 4)}`,
});
export const CONNECTOR_PREFIX = 'CONNECTOR#';

export const statusHistoryPk = (chargerId: string, evseId: number, connectorId: number) =>
  `STATUS#${chargerId}#${evseId}#${connectorId}`;

export const transactionKey = (chargerId: string, transactionId: string) => ({
  pk: `TX#${chargerId}#${transactionId}`,
  sk: 'TX',
});
export const transactionEventKey = (chargerId: string, transactionId: string, seqNo: number) => ({
  pk: `TX#${chargerId}#${transactionId}`,
  sk: `EVENT#${pad(seqNo, 10)}`,
});
/** gsi1: transactions of a charger by start time. */
export const chargerTransactionsPk = (chargerId: string) => `CHARGER#${chargerId}#TX`;
/** gsi2: transactions of an id token by start time. */
export const tokenTransactionsPk = (idToken: string) => `IDTOKEN#${idToken}#TX`;

export const meterPk = (chargerId: string) => `METER#${chargerId}`;
/** gsi1: meter values of a transaction by time. */
export const transactionMetersPk = (chargerId: string, transactionId: string) => `TX#${chargerId}#${transactionId}`;

export const idTokenKey = (value: string) => ({ pk: `IDTOKEN#${value}`, sk: 'IDTOKEN' });
export const idTokenGroupPk = (groupId: string) => `IDGROUP#${groupId}`;

export const counterKey = (name: string) => ({ pk: `COUNTER#${name}`, sk: 'COUNTER' });
export const transactionStartKey = (chargerId: string, fingerprint: string) => ({
  pk: `TXSTART#${chargerId}#${fingerprint}`,
  sk: 'TXSTART',
});

export const timelinePk = (chargerId: string) => `TIMELINE#${chargerId}`;
export const reportPk = (chargerId: string, requestId: number) => `REPORT#${chargerId}#${requestId}`;
export const reportPageSk = (seqNo: number) => `PAGE#${pad(seqNo, 6)}`;
export const REPORT_SUMMARY_SK = 'SUMMARY';

export const locationChargersPk = (locationId: string) => `LOCATION#${locationId}`;

/** Epoch seconds, the unit DynamoDB TTL reads. */
export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'type']);

/** An item without its key and index attributes: the record the domain works with. */
export const withoutKeys = <T>(item: Record<string, unknown>): T =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.has(k))) as T;

/**
 * A short stable digest of a value, for sort keys of facts a charger may send more than once (after a
 * reconnect, under a new message id): the same fact gets the same key and is stored once.
 */
export const contentKey = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
