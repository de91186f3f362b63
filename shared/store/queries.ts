/**
 * The two ways the domain reads lists, both key-conditioned queries (never scans): one page of a partition
 * with an opaque cursor, and every item of a partition.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.ts';
import type { csmsTable, TableName } from './tables.ts';

export interface Page<T> {
  items: T[];
  /** Pass back to get the next page; absent on the last page. */
  cursor?: string;
}

export interface PageOptions {
  limit?: number;
  cursor?: string;
  newestFirst?: boolean;
}

/** The Csms table's GSIs (shared/store/tables.ts). */
export type IndexName = (typeof csmsTable)['indexes'][number]['name'];
/** A page of a partition whose sort keys start with a time: only keys from `from` to `to` (ISO times, inclusive). */
export interface TimeRange {
  from?: string;
  to?: string;
}

/** The sort-key range of a time range over keys `<ISO time>#...`; undefined when the range is open at both ends. */
export const timeBetween = (range: TimeRange = {}): readonly [string, string] | undefined =>
  range.from === undefined && range.to === undefined ? undefined : [range.from ?? '0', `${range.to ?? '9'}\uffff`];

export interface PartitionQuery {
  pk: string;
  /** @default 'Csms' */
  table?: TableName;
  /** Query an index (its partition key is `<index>pk`, sort key `<index>sk`) instead of the table. */
  index?: IndexName;
  /** Inclusive sort-key range. */
  between?: readonly [string, string];
  beginsWith?: string;
}

/** A cursor that is not one this API handed out (or not for this list): the caller's mistake, a 400 over HTTP. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** Cursors are the LastEvaluatedKey, base64url-encoded: opaque to callers, stable across processes. */
const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key && Buffer.from(JSON.stringify(key)).toString('base64url');

/** DynamoDB orders string keys by their UTF-8 bytes. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Whether a sort key lies in the query's range: a start key outside it is a ValidationException, not an empty page. */
const inRange = (sk: string, q: PartitionQuery): boolean => {
  if (q.between) return byteOrder(sk, q.between[0]) >= 0 && byteOrder(sk, q.between[1]) <= 0;
  return q.beginsWith === undefined || sk.startsWith(q.beginsWith);
};

/**
 * The start key of a cursor, checked before DynamoDB sees it: exactly the key attributes a page of this query ends on
 * (the table's `pk`, `sk`, and the index's own when one is queried), strings, with the queried partition and a sort
 * key inside the queried range. A forged or foreign cursor (it is readable JSON) can then neither fail the query
 * (DynamoDB refuses a start key of another shape or outside the range) nor start it in another partition.
 */
const decodeCursor = (cursor: string | undefined, q: PartitionQuery): Record<string, unknown> | undefined => {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = /^[A-Za-z0-9_-]{1,2048}$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    key = undefined;
  }
  const pkName = q.index ? `${q.index}pk` : 'pk';
  const skName = q.index ? `${q.index}sk` : 'sk';
  const names = q.index ? ['pk', 'sk', pkName, skName] : ['pk', 'sk'];
  const attributes = key !== null && typeof key === 'object' && !Array.isArray(key) ? (key as Record<string, unknown>) : undefined;
  const sk = attributes?.[skName];
  const valid =
    attributes !== undefined &&
    Object.keys(attributes).length === names.length &&
    names.every((n) => typeof attributes[n] === 'string') &&
    attributes[pkName] === q.pk &&
    typeof sk === 'string' &&
    inRange(sk, q);
  if (!valid) throw new InvalidCursorError('cursor is not one this list handed out');
  return key as Record<string, unknown>;
};

const keyCondition = (q: PartitionQuery): Pick<QueryCommandInput, 'IndexName' | 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> => {
  const pk = q.index ? `${q.index}pk` : 'pk';
  const sk = q.index ? `${q.index}sk` : 'sk';
  const range = q.between ? ' AND #sk BETWEEN :from AND :to' : q.beginsWith !== undefined ? ' AND begins_with(#sk, :prefix)' : '';
  return {
    ...(q.index ? { IndexName: q.index } : {}),
    KeyConditionExpression: `#pk = :pk${range}`,
    ExpressionAttributeNames: { '#pk': pk, ...(range ? { '#sk': sk } : {}) },
    ExpressionAttributeValues: {
      ':pk': q.pk,
      ...(q.between ? { ':from': q.between[0], ':to': q.between[1] } : {}),
      ...(q.beginsWith !== undefined ? { ':prefix': q.beginsWith } : {}),
    },
  };
};

export const queryPage = async (ctx: StoreContext, q: PartitionQuery, options: PageOptions = {}): Promise<Page<Record<string, unknown>>> => {
  const out = await ctx.db.send(
    new QueryCommand({
      TableName: ctx.tables[q.table ?? 'Csms'],
      ...keyCondition(q),
      ScanIndexForward: !(options.newestFirst ?? false),
      Limit: options.limit ?? 100,
      ExclusiveStartKey: decodeCursor(options.cursor, q),
    }),
  );
  const cursor = encodeCursor(out.LastEvaluatedKey);
  return { items: (out.Items ?? []) as Record<string, unknown>[], ...(cursor ? { cursor } : {}) };
};

export const queryAll = async (ctx: StoreContext, q: PartitionQuery): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage(ctx, q, { limit: 1000, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
};

/** A page with its items mapped (e.g. stripped of key attributes). */
export const mapPage = <T>(page: Page<Record<string, unknown>>, f: (item: Record<string, unknown>) => T): Page<T> => ({
  ...page,
  items: page.items.map(f),
});

/**
 * How many items a Query matches (`Select: 'COUNT'`: DynamoDB reads them but returns none), page by page, stopping
 * once `atMost` is reached.
 */
export const countQuery = async (ctx: StoreContext, input: Omit<QueryCommandInput, 'Select' | 'ExclusiveStartKey'>, atMost = Number.POSITIVE_INFINITY): Promise<number> => {
  let count = 0;
  let cursor: Record<string, unknown> | undefined;
  do {
    const out = await ctx.db.send(new QueryCommand({ ...input, Select: 'COUNT', ...(cursor ? { ExclusiveStartKey: cursor } : {}) }));
    count += out.Count ?? 0;
    cursor = out.LastEvaluatedKey;
  } while (cursor && count < atMost);
  return count;
};
