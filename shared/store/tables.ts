/**
 * The DynamoDB tables, as data. The CDK stack (lib/) and the local runtime (bin/local) both create
 * tables from these definitions, so their keys and indexes cannot drift. Access patterns: docs/data-model.md.
 */
export interface IndexDef {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /**
   * What the index holds besides its keys and the table's. `KEYS_ONLY`: an update that changes no key of the index
   * writes nothing to it (ALL rewrites the index copy on every change of the item); a listing then reads the items.
   * @default 'ALL'
   */
  readonly projection?: 'ALL' | 'KEYS_ONLY';
}

export interface TableDef {
  /** Logical name: the CDK construct id and the local table name. */
  readonly name: string;
  /** Environment variable through which handlers receive the physical table name. */
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly indexes: readonly IndexDef[];
  /** Attribute holding an epoch-seconds expiry; DynamoDB TTL deletes the item after it. */
  readonly ttlAttribute: string;
  /** Whether the table streams NEW_AND_OLD_IMAGES (operator live events, later issues). */
  readonly stream: boolean;
}

export const csmsTable = {
  name: 'Csms',
  envVar: 'CSMS_TABLE',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    // Transactions by charger, id token, location and state (docs/data-model.md, "Listing transactions"): keys only,
    // so the updates of a running transaction (every TransactionEvent) write the item alone, not four index copies.
    { name: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk', projection: 'KEYS_ONLY' },
    { name: 'gsi6', partitionKey: 'gsi6pk', sortKey: 'gsi6sk', projection: 'KEYS_ONLY' },
    { name: 'gsi7', partitionKey: 'gsi7pk', sortKey: 'gsi7sk', projection: 'KEYS_ONLY' },
    { name: 'gsi8', partitionKey: 'gsi8pk', sortKey: 'gsi8sk', projection: 'KEYS_ONLY' },
  ],
  ttlAttribute: 'expiresAt',
  stream: true,
} as const satisfies TableDef;

export const messageLogTable = {
  name: 'MessageLog',
  envVar: 'MESSAGE_LOG_TABLE',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [],
  ttlAttribute: 'expiresAt',
  stream: false,
} as const satisfies TableDef;

export const tables = [csmsTable, messageLogTable] as const satisfies readonly TableDef[];
export type TableName = (typeof tables)[number]['name'];
