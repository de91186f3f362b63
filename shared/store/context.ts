/**
 * What every store module runs with: the client, the physical table names, the clock, how long history is
 * kept, and where plain puts go. Per charger message the puts go to a WriteBatch, so the facts a message
 * records and its message-log entry reach DynamoDB in one request; elsewhere (CLI, operator API) they are
 * written at once.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { putAll, type Db, type Item } from './dynamo.ts';
import type { Retention } from './retention.ts';
import type { TableName } from './tables.ts';

/** Physical table names by logical name (tables.ts). */
export type TableNames = Readonly<Record<TableName, string>>;

/** Where unconditional puts of facts go: written now, or collected and written together. */
export interface PutSink {
  put(table: string, item: Item): Promise<void>;
}

export interface StoreContext {
  readonly db: Db;
  readonly tables: TableNames;
  readonly now: () => Date;
  readonly retention: Retention;
  readonly puts: PutSink;
}

export const immediatePuts = (db: Db): PutSink => ({
  async put(table, item) {
    await db.send(new PutCommand({ TableName: table, Item: item }));
  },
});

/**
 * The writes of one charger message. Plain puts are collected and written by `commit` in one request (or as
 * few as DynamoDB's batch limit allows); work that must finish before the answer but that the answer does not
 * depend on (a conditional state update) runs alongside and is awaited by `commit` too.
 */
export interface WriteBatch extends PutSink {
  alongside(work: Promise<unknown>): void;
  /** Writes the collected puts and waits for the work alongside; rejects if any of it failed. */
  commit(): Promise<void>;
}

export const createWriteBatch = (db: Db): WriteBatch => {
  const puts: { table: string; item: Item }[] = [];
  const work: Promise<unknown>[] = [];
  let committing = false;
  return {
    async put(table, item) {
      // Work alongside may put once the batch has gone out (e.g. after its own conditional write): write it at
      // once, as part of that work, which commit() awaits. Never dropped.
      if (committing) await db.send(new PutCommand({ TableName: table, Item: item }));
      else puts.push({ table, item });
    },
    alongside(promise) {
      // Observed at once so a failure is never "unhandled" before commit() looks at it.
      promise.catch(() => undefined);
      work.push(promise);
    },
    async commit() {
      committing = true;
      const written = putAll(db, puts.splice(0));
      const results = await Promise.allSettled([written, ...work.splice(0)]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
};
