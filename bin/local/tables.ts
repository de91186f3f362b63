/**
 * Creates the tables of shared/store/tables.ts on a local DynamoDB, idempotently: the same definitions the CDK
 * stack deploys, so local keys and indexes cannot drift from AWS. Keys are strings, as in the CDK stack.
 */
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, GlobalSecondaryIndex, TableDescription } from '@aws-sdk/client-dynamodb';
import { csmsTable, type IndexDef, type TableDef } from '#shared/store/tables.ts';

/** Physical table name: the logical name, optionally prefixed so parallel test files cannot collide. */
export const physicalTableName = (def: TableDef, prefix = ''): string => `${prefix}${def.name}`;

/** The environment variables (`def.envVar`) through which handlers receive the physical names. */
export const tableEnv = (defs: readonly TableDef[], prefix = ''): Record<string, string> =>
  Object.fromEntries(defs.map((d) => [d.envVar, physicalTableName(d, prefix)]));

const keyAttributes = (def: TableDef) => [
  ...new Set([def.partitionKey, def.sortKey, ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey])]),
];

const gsi = (i: IndexDef): GlobalSecondaryIndex => ({
  IndexName: i.name,
  KeySchema: [
    { AttributeName: i.partitionKey, KeyType: 'HASH' },
    { AttributeName: i.sortKey, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: i.projection ?? 'ALL' },
});

const createTable = (def: TableDef, name: string) =>
  new CreateTableCommand({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes(def).map((a) => ({ AttributeName: a, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: def.partitionKey, KeyType: 'HASH' },
      { AttributeName: def.sortKey, KeyType: 'RANGE' },
    ],
    ...(def.indexes.length ? { GlobalSecondaryIndexes: def.indexes.map(gsi) } : {}),
    ...(def.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
  });

const describe = async (db: DynamoDBClient, name: string): Promise<TableDescription | undefined> => {
  try {
    return (await db.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return undefined;
    throw e;
  }
};

/** A data directory from an older checkout may lack indexes added since; add them rather than fail later. */
const addMissingIndexes = async (db: DynamoDBClient, def: TableDef, name: string, table: TableDescription) => {
  const present = new Set(table.GlobalSecondaryIndexes?.map((i) => i.IndexName));
  const missing = def.indexes.filter((i) => !present.has(i.name));
  const transactionsToMove = def.name === csmsTable.name && present.has('gsi1') && missing.some((i) => TRANSACTION_INDEXES.includes(i.name));
  // Recorded first: a start that stops while the indexes build or the move runs leaves it for the next start.
  if (transactionsToMove) await db.send(new PutItemCommand({ TableName: name, Item: { ...PENDING_TRANSACTION_MOVE, type: { S: 'LocalMigration' } } }));
  for (const index of missing) {
    await db.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: keyAttributes(def).map((a) => ({ AttributeName: a, AttributeType: 'S' })),
        GlobalSecondaryIndexUpdates: [{ Create: gsi(index) }],
      }),
    );
    // One index at a time, as on AWS: DynamoDB Local accepts the next while one is still building, and then fails
    // writes to the last one added (InternalFailure).
    await untilIndexesActive(db, name);
  }
  const pending = async () => (await db.send(new GetItemCommand({ TableName: name, Key: PENDING_TRANSACTION_MOVE, ConsistentRead: true }))).Item !== undefined;
  if (def.name === csmsTable.name && (transactionsToMove || (await pending()))) {
    await moveTransactionsToTheirIndexes(db, name);
    await db.send(new DeleteItemCommand({ TableName: name, Key: PENDING_TRANSACTION_MOVE }));
  }
};

/** An index over a large data directory, or on a busy machine, builds for a while: up to 5 minutes. */
const untilIndexesActive = async (db: DynamoDBClient, name: string) => {
  for (let attempt = 0; attempt < 3000; attempt++) {
    const table = await describe(db, name);
    if (table?.GlobalSecondaryIndexes?.every((i) => i.IndexStatus === 'ACTIVE')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name}: its indexes did not become active within 5 minutes`);
};

/** The transactions' keys-only indexes, which replaced gsi1–gsi4 for them. */
const TRANSACTION_INDEXES = ['gsi5', 'gsi6', 'gsi7', 'gsi8'];
/** Marks a data directory whose transactions are still to be moved to their indexes (written before the move starts). */
const PENDING_TRANSACTION_MOVE: Record<string, AttributeValue> = { pk: { S: 'LOCAL#MIGRATION' }, sk: { S: 'TRANSACTION-INDEXES' } };

/**
 * Transactions written before they had indexes of their own carry their keys in gsi1–gsi4 (projecting everything,
 * so every update of them rewrote four index copies): move each to gsi5–gsi8, once, when those indexes are added.
 */
const moveTransactionsToTheirIndexes = async (db: DynamoDBClient, name: string) => {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: name,
        FilterExpression: '#type = :tx AND attribute_exists(gsi1pk)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':tx': { S: 'Transaction' } },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const sk = item.gsi1sk;
      if (!item.pk || !item.sk || !item.gsi1pk || !sk) continue;
      const state = item.gsi4pk ?? { S: item.status?.S === 'ended' ? 'TXS#ENDED' : 'TXS#ACTIVE' };
      const moved: Record<string, AttributeValue> = {
        gsi5pk: item.gsi1pk,
        gsi5sk: sk,
        ...(item.gsi2pk ? { gsi6pk: item.gsi2pk, gsi6sk: sk } : {}),
        ...(item.gsi3pk ? { gsi7pk: item.gsi3pk, gsi7sk: sk } : {}),
        gsi8pk: state,
        gsi8sk: sk,
      };
      const names = Object.keys(moved);
      await db.send(
        new UpdateItemCommand({
          TableName: name,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: `SET ${names.map((n) => `${n} = :${n}`).join(', ')} REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, gsi4pk, gsi4sk`,
          ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, moved[n]!])),
        }),
      );
    }
    start = page.LastEvaluatedKey;
  } while (start);
};

const enableTtl = async (db: DynamoDBClient, def: TableDef, name: string) => {
  const ttl = await db.send(new DescribeTimeToLiveCommand({ TableName: name }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED') return;
  await db.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true },
    }),
  );
};

const ensureTable = async (db: DynamoDBClient, def: TableDef, name: string) => {
  const existing = await describe(db, name);
  if (existing) {
    await addMissingIndexes(db, def, name, existing);
  } else {
    try {
      await db.send(createTable(def, name));
    } catch (e) {
      if (!(e instanceof ResourceInUseException)) throw e; // created concurrently: fine
    }
  }
  await waitUntilTableExists({ client: db, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: name });
  await enableTtl(db, def, name);
};

/** Creates every missing table (and TTL, GSIs, stream); returns `def.envVar` → physical name. */
export const ensureTables = async (
  db: DynamoDBClient,
  defs: readonly TableDef[],
  prefix = '',
): Promise<Record<string, string>> => {
  await Promise.all(defs.map((d) => ensureTable(db, d, physicalTableName(d, prefix))));
  return tableEnv(defs, prefix);
};

export const deleteTables = async (db: DynamoDBClient, names: readonly string[]): Promise<void> => {
  await Promise.all(
    names.map((TableName) =>
      db.send(new DeleteTableCommand({ TableName })).catch((e: unknown) => {
        if (!(e instanceof ResourceNotFoundException)) throw e;
      }),
    ),
  );
};
