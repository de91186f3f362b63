/** Local tables are created from shared/store/tables.ts, idempotently, with what the CDK stack deploys. */
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { csmsTable, messageLogTable, tables } from '#shared/store/tables.ts';
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

it('creates each table with its keys, GSIs (projecting all attributes), stream and TTL', async () => {
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
  ]);
  expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  const ttl = await db.send(new DescribeTimeToLiveCommand({ TableName: physicalTableName(messageLogTable, prefix) }));
  expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
});

it('returns the env var → table name map, and does it again without error when the tables exist', async () => {
  const expected = { CSMS_TABLE: `${prefix}Csms`, MESSAGE_LOG_TABLE: `${prefix}MessageLog` };
  expect(await ensureTables(db, tables, prefix)).toEqual(expected);
});
