/**
 * The DynamoDB plumbing every store module shares: the document client (endpoint from the one client-config
 * helper), condition failures read as results, and the batch calls with DynamoDB's limits and retries.
 * Nothing outside shared/store/ sees these: the domain gets intent-named operations (see stores.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { awsClientConfig } from './client-config.ts';
import { traced } from './tracing.ts';
import { meterCapacity } from './capacity-meter.ts';

export type Db = DynamoDBDocumentClient;
export type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

/**
 * A DynamoDB request that has not connected in 1 s or answered in 3 s fails (and the SDK retries it, three
 * attempts in all). Without these the SDK waits forever on a store that stopped answering, and a charger's
 * message would outlive its Lambda's timeout; DynamoDB answers in milliseconds when it is well.
 */
const DYNAMODB_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true } as const;

export const makeDocumentClient = (env: NodeJS.ProcessEnv = process.env): Db => {
  const client = traced(
    new DynamoDBClient({ ...awsClientConfig('dynamodb', env), requestHandler: DYNAMODB_TIMEOUTS }),
    (error) => isConditionFailed(error) || transactionConditionsFailed(error) !== undefined,
  );
  if (env.CSMS_CAPACITY_METER === 'on') meterCapacity(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
};

/** A failed condition expression: the expected outcome of a race or a retry, never a fault. */
export const isConditionFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * The item a failed condition found (ReturnValuesOnConditionCheckFailure: ALL_OLD). The document client
 * unmarshalls outputs but not errors, so the item arrives in DynamoDB's attribute-value form.
 */
export const itemOfFailedCondition = (error: unknown): Item | undefined => {
  const item = isConditionFailed(error) ? (error as { Item?: Parameters<typeof unmarshall>[0] }).Item : undefined;
  return item && unmarshall(item);
};

/**
 * Runs a conditional write; `undefined` when its condition failed (the caller decides what that means),
 * the write's output otherwise. Any other error is a fault and propagates.
 */
export const unlessConditionFails = async <T>(write: Promise<T>): Promise<T | undefined> => {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
};

/** Which items of a cancelled transaction failed their condition; undefined for any other error. */
export const transactionConditionsFailed = (error: unknown): boolean[] | undefined => {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((r) => r.Code === 'ConditionalCheckFailed') ? reasons.map((r) => r.Code === 'ConditionalCheckFailed') : undefined;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** DynamoDB may leave part of a batch unprocessed under load; retried with backoff, then it is a fault. */
const MAX_BATCH_ATTEMPTS = 8;
const backoffMs = (attempt: number) => Math.min(1_000, 25 * 2 ** attempt);

/** BatchWriteItem's limit. */
const WRITE_BATCH = 25;
/**
 * BatchWriteItem requests of one call in flight at once: enough that a message's few hundred items are written
 * in a few round trips, few enough that one message cannot open dozens of connections or burst a partition.
 */
export const PARALLEL_BATCHES = 4;

/** Runs `work` over `inputs` with at most `limit` in flight; rejects with the first failure, after all have settled. */
export const inParallel = async <T>(inputs: readonly T[], limit: number, work: (input: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < inputs.length && failures.length === 0) {
      const input = inputs[next++] as T;
      await work(input).catch((error: unknown) => {
        failures.push(error);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  if (failures.length > 0) throw failures[0];
};

/**
 * Puts `items` (any tables) with as few requests as DynamoDB allows: one PutItem for one item, else
 * BatchWriteItem requests of 25, `PARALLEL_BATCHES` at a time. A key named twice is written once (the last one
 * wins), as a batch must not name the same key twice.
 */
export const putAll = async (db: Db, items: readonly { table: string; item: Item }[]): Promise<void> => {
  const unique = [...new Map(items.map((p) => [`${p.table}\u0000${String(p.item.pk)}\u0000${String(p.item.sk)}`, p])).values()];
  if (unique.length === 0) return;
  if (unique.length === 1) {
    const [only] = unique;
    await db.send(new PutCommand({ TableName: only!.table, Item: only!.item }));
    return;
  }
  const chunks: (typeof unique)[] = [];
  for (let i = 0; i < unique.length; i += WRITE_BATCH) chunks.push(unique.slice(i, i + WRITE_BATCH));
  await inParallel(chunks, PARALLEL_BATCHES, (chunk) => writeChunk(db, chunk));
};

const writeChunk = async (db: Db, chunk: readonly { table: string; item: Item }[]): Promise<void> => {
  let pending: Record<string, { PutRequest: { Item: Item } }[]> = {};
  for (const { table, item } of chunk) (pending[table] ??= []).push({ PutRequest: { Item: item } });
  for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
    if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`${Object.values(pending).flat().length} items not written after ${attempt} attempts`);
    if (attempt > 0) await sleep(backoffMs(attempt));
    const out = await db.send(new BatchWriteCommand({ RequestItems: pending }));
    pending = (out.UnprocessedItems ?? {}) as typeof pending;
  }
};

/**
 * Deletes items by key (any tables) in BatchWriteItem requests of 25, `PARALLEL_BATCHES` at a time, retrying what
 * DynamoDB leaves unprocessed. For erasing what an operator deleted; the keys are the table's `pk`/`sk`.
 */
export const deleteAll = async (db: Db, keys: readonly { table: string; key: Key }[]): Promise<void> => {
  const chunks: (typeof keys)[] = [];
  for (let i = 0; i < keys.length; i += WRITE_BATCH) chunks.push(keys.slice(i, i + WRITE_BATCH));
  await inParallel(chunks, PARALLEL_BATCHES, async (chunk) => {
    let pending: Record<string, { DeleteRequest: { Key: Key } }[]> = {};
    for (const { table, key } of chunk) (pending[table] ??= []).push({ DeleteRequest: { Key: key } });
    for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`${Object.values(pending).flat().length} items not deleted after ${attempt} attempts`);
      if (attempt > 0) await sleep(backoffMs(attempt));
      const out = await db.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = (out.UnprocessedItems ?? {}) as typeof pending;
    }
  });
};

/** One key to read in a BatchGetItem; `consistent` where a stale read would be wrong (optimistic concurrency). */
export interface KeyToRead {
  table: string;
  key: Key;
  consistent?: boolean;
}

/** BatchGetItem's limit. */
const READ_BATCH = 100;
const keyId = (table: string, key: Key) => `${table}\u0000${key.pk}\u0000${key.sk}`;

/**
 * Reads several items, of any tables, in one BatchGetItem (consistency is per table in a batch: when some keys of a
 * table must be strongly consistent, all of that table's are read so). Past 100 distinct keys, in BatchGetItems of 100,
 * `PARALLEL_BATCHES` at a time. Returns the items in the order of `keys`, `undefined` where none exists.
 */
export const getAll = async (db: Db, keys: readonly KeyToRead[]): Promise<(Item | undefined)[]> => {
  const distinct = new Map<string, KeyToRead>();
  for (const k of keys) if (!distinct.get(keyId(k.table, k.key))?.consistent) distinct.set(keyId(k.table, k.key), k);
  if (distinct.size <= READ_BATCH) return readBatch(db, keys);
  const all = [...distinct.values()];
  const batches = Array.from({ length: Math.ceil(all.length / READ_BATCH) }, (_, i) => all.slice(i * READ_BATCH, (i + 1) * READ_BATCH));
  const found = new Map<string, Item | undefined>();
  await inParallel(batches, PARALLEL_BATCHES, async (batch) => {
    const items = await readBatch(db, batch);
    batch.forEach((k, i) => found.set(keyId(k.table, k.key), items[i]));
  });
  return keys.map((k) => found.get(keyId(k.table, k.key)));
};

const readBatch = async (db: Db, keys: readonly KeyToRead[]): Promise<(Item | undefined)[]> => {
  const byTable = new Map<string, { Keys: Key[]; ConsistentRead: boolean }>();
  for (const k of keys) {
    const entry = byTable.get(k.table) ?? { Keys: [], ConsistentRead: false };
    if (!entry.Keys.some((x) => x.pk === k.key.pk && x.sk === k.key.sk)) entry.Keys.push(k.key);
    entry.ConsistentRead ||= k.consistent === true;
    byTable.set(k.table, entry);
  }
  const found = new Map<string, Item>();
  let pending: Record<string, { Keys: Key[]; ConsistentRead: boolean }> = Object.fromEntries(byTable);
  for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
    if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`keys not read after ${attempt} attempts`);
    if (attempt > 0) await sleep(backoffMs(attempt));
    const out = await db.send(new BatchGetCommand({ RequestItems: pending }));
    for (const [table, items] of Object.entries(out.Responses ?? {})) {
      for (const item of items) found.set(keyId(table, { pk: String(item.pk), sk: String(item.sk) }), item);
    }
    pending = (out.UnprocessedKeys ?? {}) as typeof pending;
  }
  return keys.map((k) => found.get(keyId(k.table, k.key)));
};
