/**
 * The capacity meter's tallies by scope and operation, on DynamoDB Local through the real SDK: the benchmark files
 * each request under the handler that made it, and a write that failed its condition is counted as failed.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationsSnapshot, resetCapacity, scopeRequests } from '#shared/store/capacity-meter.ts';
import { isConditionFailed, makeDocumentClient, type Db } from '#shared/store/dynamo.ts';
import { createTestTables, deleteTestTables, type TestTables } from '../../support/dynamo.ts';

let tables: TestTables;
let db: Db;
let scope = '';

beforeAll(async () => {
  tables = await createTestTables();
  db = makeDocumentClient({ ...process.env, ...tables.env, CSMS_CAPACITY_METER: 'on' });
  scopeRequests(() => scope);
});
afterAll(async () => {
  scopeRequests(() => '');
  db?.destroy();
  if (tables) await deleteTestTables(tables);
});

describe('operationsSnapshot', () => {
  it('files each request under the scope it started in, by operation, with the units DynamoDB reported', async () => {
    resetCapacity();
    const key = { pk: 'METER#1', sk: 'ITEM' };
    scope = 'writer';
    await db.send(new PutCommand({ TableName: tables.names.Csms, Item: { ...key, n: 1 } }));
    const refused = await db
      .send(new PutCommand({ TableName: tables.names.Csms, Item: { ...key, n: 2 }, ConditionExpression: 'attribute_not_exists(pk)' }))
      .catch((e: unknown) => e);
    expect(isConditionFailed(refused)).toBe(true);
    scope = 'reader';
    await db.send(new GetCommand({ TableName: tables.names.Csms, Key: key, ConsistentRead: true }));
    await db.send(new GetCommand({ TableName: tables.names.Csms, Key: key }));
    scope = '';

    expect(operationsSnapshot()).toEqual({
      writer: { PutItem: { requests: 2, readUnits: 0, writeUnits: 1, failed: 1 } },
      reader: { GetItem: { requests: 2, readUnits: 1.5, writeUnits: 0, failed: 0 } },
    });
  });

  it('starts again from nothing after a reset, and hands out copies', async () => {
    resetCapacity();
    scope = 'reader';
    await db.send(new GetCommand({ TableName: tables.names.Csms, Key: { pk: 'METER#2', sk: 'NONE' } }));
    scope = '';
    const first = operationsSnapshot();
    first.reader!.GetItem!.requests = 99;
    expect(operationsSnapshot()).toEqual({ reader: { GetItem: { requests: 1, readUnits: 0.5, writeUnits: 0, failed: 0 } } });
  });
});
