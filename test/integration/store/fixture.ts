/**
 * Stores on this test file's own tables, built as hosts build them (`makeDeps`), plus what the store tests need
 * to look behind the layer: raw items (tests only), a count of DynamoDB requests (the capacity meter) and the
 * inputs of the requests sent.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChargerItem } from '#shared/charger/registry.ts';
import type { Deps } from '#shared/deps.ts';
import { silentLog } from '#shared/log/logger.ts';
import { capacitySnapshot, resetCapacity } from '#shared/store/capacity-meter.ts';
import { makeDocumentClient, type Item, type Key } from '#shared/store/dynamo.ts';
import { makeDomainDeps } from '#shared/store/make-deps.ts';
import { DEFAULT_RETENTION, type Retention } from '#shared/store/retention.ts';
import type { TableName } from '#shared/store/tables.ts';
import type { TransactionRecord } from '#shared/transaction/transaction.ts';
import { makeDeps } from '#functions/_common/deps.ts';
import { createTestTables, deleteTestTables, type TestTables } from '../../support/dynamo.ts';

export interface StoreFixture {
  readonly tables: TestTables;
  /** The environment a host of these tables would have, capacity meter on. */
  readonly env: NodeJS.ProcessEnv;
  /** Dependencies as `makeDeps` builds them. */
  readonly deps: Deps;
  /** A document client that is not metered, for looking at raw items. */
  readonly raw: DynamoDBDocumentClient;
  /** The raw item (with its key, index and TTL attributes), strongly consistent. */
  item(table: TableName, key: Key): Promise<Item | undefined>;
  /** Every raw item of one partition of a table. */
  partition(table: TableName, pk: string): Promise<Item[]>;
  close(): Promise<void>;
}

export const openStoreFixture = async (): Promise<StoreFixture> => {
  const tables = await createTestTables();
  const env: NodeJS.ProcessEnv = { ...process.env, ...tables.env, CSMS_CAPACITY_METER: 'on' };
  const deps = makeDeps(env, silentLog);
  const raw = makeDocumentClient({ ...process.env, ...tables.env });
  return {
    tables,
    env,
    deps,
    raw,
    async item(table, key) {
      return (await raw.send(new GetCommand({ TableName: tables.names[table], Key: key, ConsistentRead: true }))).Item;
    },
    async partition(table, pk) {
      const out = await raw.send(
        new QueryCommand({
          TableName: tables.names[table],
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
        }),
      );
      return out.Items ?? [];
    },
    async close() {
      raw.destroy();
      await deleteTestTables(tables);
    },
  };
};

/**
 * A fixed clock for `depsAt`: the current second, taken once. Not a date in the past: DynamoDB Local runs TTL,
 * and history dated from a past `now` may already have expired and vanish while a test reads it.
 */
export const currentSecond = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000);

/** Dependencies on the fixture's tables with a fixed clock and the given retention (metered like the fixture's). */
export const depsAt = (f: StoreFixture, now: Date, retention: Retention = DEFAULT_RETENTION): Deps =>
  makeDomainDeps({ db: makeDocumentClient(f.env), tables: f.tables.names, retention, now: () => now, log: silentLog });

/**
 * Runs one operation and counts the DynamoDB requests it sent (metered clients only). The meter is global to
 * the test file's process: measure one awaited operation at a time.
 */
export const countingRequests = async <T>(operation: () => Promise<T>): Promise<{ result: T; requests: number }> => {
  resetCapacity();
  const result = await operation();
  return { result, requests: capacitySnapshot().requests };
};

/** Attributes that belong to the storage, never to a record the domain sees: the table's and every index's keys. */
export const STORAGE_ATTRIBUTES = ['pk', 'sk', ...[1, 2, 3, 4, 5, 6, 7, 8].flatMap((n) => [`gsi${n}pk`, `gsi${n}sk`])] as const;

/** A transaction record with what every transaction has; `overrides` decide the rest. */
export const transactionRecord = (
  overrides: Partial<TransactionRecord> & Pick<TransactionRecord, 'chargerId' | 'transactionId'>,
): TransactionRecord => ({
  protocol: 'ocpp2.0.1',
  status: 'active',
  startedAt: '2026-01-01T10:00:00.000Z',
  firstEventAt: '2026-01-01T10:00:00.000Z',
  version: 1,
  updatedAt: '2026-01-01T10:00:00.000Z',
  ...overrides,
});

/** A charger profile item (with the hash only the password check reads). */
export const chargerItem = (overrides: Partial<ChargerItem> & Pick<ChargerItem, 'chargerId'>): ChargerItem => ({
  registrationStatus: 'accepted',
  securityProfile: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
  passwordHash: 'scrypt$not-a-real-hash',
  ...overrides,
});
