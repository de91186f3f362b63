/**
 * Tables for one test file on the run's shared DynamoDB Local: the platform's table definitions under a prefix
 * unique to the file, so files running in parallel never see each other's items.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { tables } from '#shared/store/tables.ts';
import type { TableName } from '#shared/store/tables.ts';
import { LOCAL_AWS_ENV, localDynamoClient } from '../../bin/local/handler-env.ts';
import { deleteTables, ensureTables, physicalTableName } from '../../bin/local/tables.ts';
import './provided-context.ts';

export interface TestTables {
  readonly endpoint: string;
  readonly prefix: string;
  /** Logical name → physical name. */
  readonly names: Readonly<Record<TableName, string>>;
  /** AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB and every table's env var (CSMS_TABLE, ...). */
  readonly env: Readonly<Record<string, string>>;
  /** A client on the shared DynamoDB Local; destroyed by deleteTestTables. */
  readonly client: DynamoDBClient;
}

/** The shared DynamoDB Local's endpoint. */
export const testDynamoEndpoint = (): string => inject('dynamodbEndpoint');

/** A fresh prefix: letters, digits and `_` only, valid in table names. */
export const uniquePrefix = (label = 't'): string => `${label}_${process.pid}_${randomBytes(4).toString('hex')}_`;

export const createTestTables = async (prefix: string = uniquePrefix()): Promise<TestTables> => {
  const endpoint = testDynamoEndpoint();
  const client = localDynamoClient(endpoint);
  const tableVars = await ensureTables(client, tables, prefix);
  return {
    endpoint,
    prefix,
    names: Object.fromEntries(tables.map((t) => [t.name, physicalTableName(t, prefix)])) as Record<TableName, string>,
    env: { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint, ...tableVars },
    client,
  };
};

/** Deletes the file's tables (DynamoDB Local slows down as stream-enabled tables pile up in one JVM). */
export const deleteTestTables = async (t: TestTables): Promise<void> => {
  await deleteTables(t.client, Object.values(t.names));
  t.client.destroy();
};
