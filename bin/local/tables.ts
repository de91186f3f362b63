/**
 * Creates the tables of shared/store/tables.ts on a local DynamoDB, idempotently: the same definitions the CDK
 * stack deploys, so local keys and indexes cannot drift from AWS. Keys are strings, as in the CDK stack.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, GlobalSecondaryIndex, TableDescription } from '@aws-sdk/client-dynamodb';
import type { IndexDef, TableDef } from '#shared/store/tables.ts';

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
  Projection: { ProjectionType: 'ALL' },
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
  for (const index of def.indexes.filter((i) => !present.has(i.name))) {
    await db.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: keyAttributes(def).map((a) => ({ AttributeName: a, AttributeType: 'S' })),
        GlobalSecondaryIndexUpdates: [{ Create: gsi(index) }],
      }),
    );
  }
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
