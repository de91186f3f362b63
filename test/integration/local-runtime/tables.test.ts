/** Local tables are created from shared/store/tables.ts, idempotently, with what the CDK stack deploys. */
import { DescribeTableCommand, DescribeTimeToLiveCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csmsTable, messageLogTable, tables } from '#shared/store/tables.ts';
import { startDynamoLocal } from '../../../bin/local/dynamo-local.ts';
import { deleteTables, ensureTables, physicalTableName } from '../../../bin/local/tables.ts';
import { localDynamoClient } from '../../../bin/local/handler-env.ts';
import { testDynamoEndpoint, uniquePrefix } from '../../support/dynamo.ts';

const prefix = uniquePrefix('tables');
const db = localDynamoClient(testDynamoEndpoint());

beforeAll(async () => {
  await ensureTables(db, tables, prefix);
});

afterAll(async () => {
  await deleteTables(db, tables.map((t) => physicalTableName(t, prefix)));
  db.destroy();
});

it('creates each table with its keys, GSIs (the transactions’ keys only), stream and TTL', async () => {
  const { Table } = await db.send(new DescribeTableCommand({ TableName: physicalTableName(csmsTable, prefix) }));
  expect(Table?.KeySchema).toEqual([
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ]);
  expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType]).sort()).toEqual([
    ['gsi1', 'ALL'],
    ['gsi2', 'ALL'],
    ['gsi3', 'ALL'],
    ['gsi4', 'ALL'],
    ['gsi5', 'KEYS_ONLY'],
    ['gsi6', 'KEYS_ONLY'],
    ['gsi7', 'KEYS_ONLY'],
    ['gsi8', 'KEYS_ONLY'],
  ]);
  expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  const ttl = await db.send(new DescribeTimeToLiveCommand({ TableName: physicalTableName(messageLogTable, prefix) }));
  expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
});

it('returns the env var → table name map, and does it again without error when the tables exist', async () => {
  const expected = { CSMS_TABLE: `${prefix}Csms`, MESSAGE_LOG_TABLE: `${prefix}MessageLog` };
  expect(await ensureTables(db, tables, prefix)).toEqual(expected);
});

/**
 * On a DynamoDB Local of its own: an index added to a table becomes active after a background build, which a
 * DynamoDB Local busy with the rest of the suite can hold back for minutes.
 */
describe('a data directory from an older checkout', () => {
  let own: { db: DynamoDBClient; stop(): Promise<void> };
  beforeAll(async () => {
    const local = await startDynamoLocal();
    own = { db: localDynamoClient(local.endpoint), stop: async () => local.stop() };
  });
  afterAll(async () => {
    own?.db.destroy();
    await own?.stop();
  });

  it('moves the transactions of a data directory from before gsi5–gsi8 to those indexes, once', async () => {
    // Prepare: the Csms table as it was (gsi1–gsi4), with a transaction keyed the old way
    const legacyPrefix = uniquePrefix('legacy');
    const legacy = { ...csmsTable, indexes: csmsTable.indexes.slice(0, 4) };
    await ensureTables(own.db, [legacy], legacyPrefix);
    const name = physicalTableName(csmsTable, legacyPrefix);
    const at = '2026-01-01T10:00:00.000Z#TX-OLD';
    const old = {
      pk: { S: 'TX#CP-OLD#TX-OLD' }, sk: { S: 'TX' }, type: { S: 'Transaction' }, status: { S: 'ended' },
      gsi1pk: { S: 'CHARGER#CP-OLD#TX' }, gsi1sk: { S: at }, gsi2pk: { S: 'IDTOKEN#TAG#TX' }, gsi2sk: { S: at },
    };
    await own.db.send(new PutItemCommand({ TableName: name, Item: old }));
    try {
      // Act
      await ensureTables(own.db, [csmsTable], legacyPrefix);
      await ensureTables(own.db, [csmsTable], legacyPrefix); // a second start finds nothing left to move
      // Assess
      const { Item } = await own.db.send(new GetItemCommand({ TableName: name, Key: { pk: old.pk, sk: old.sk }, ConsistentRead: true }));
      expect(Item).toEqual({
        pk: old.pk, sk: old.sk, type: old.type, status: old.status,
        gsi5pk: old.gsi1pk, gsi5sk: { S: at }, gsi6pk: old.gsi2pk, gsi6sk: { S: at }, gsi8pk: { S: 'TXS#ENDED' }, gsi8sk: { S: at },
      });
    } finally {
      await deleteTables(own.db, [name]);
    }
    // Four indexes added one after the other, each awaited until active (seconds).
  }, 60_000);

  it('finishes a move that an earlier start left half done (its indexes added, the move recorded as pending)', async () => {
    // Prepare: today's table, a transaction still keyed the old way, and the pending mark a stopped start leaves
    const prefix2 = uniquePrefix('halfmoved');
    await ensureTables(own.db, [csmsTable], prefix2);
    const name = physicalTableName(csmsTable, prefix2);
    const key = { pk: { S: 'TX#CP-HALF#TX-1' }, sk: { S: 'TX' } };
    const pending = { pk: { S: 'LOCAL#MIGRATION' }, sk: { S: 'TRANSACTION-INDEXES' } };
    await own.db.send(new PutItemCommand({ TableName: name, Item: { ...key, type: { S: 'Transaction' }, status: { S: 'active' }, gsi1pk: { S: 'CHARGER#CP-HALF#TX' }, gsi1sk: { S: 'T#TX-1' } } }));
    await own.db.send(new PutItemCommand({ TableName: name, Item: { ...pending, type: { S: 'LocalMigration' } } }));
    try {
      // Act
      await ensureTables(own.db, [csmsTable], prefix2);
      // Assess
      const moved = await own.db.send(new GetItemCommand({ TableName: name, Key: key, ConsistentRead: true }));
      expect(moved.Item).toMatchObject({ gsi5pk: { S: 'CHARGER#CP-HALF#TX' }, gsi8pk: { S: 'TXS#ACTIVE' }, gsi8sk: { S: 'T#TX-1' } });
      expect(moved.Item).not.toHaveProperty('gsi1pk');
      expect((await own.db.send(new GetItemCommand({ TableName: name, Key: pending, ConsistentRead: true }))).Item).toBeUndefined();
    } finally {
      await deleteTables(own.db, [name]);
    }
  });
});
