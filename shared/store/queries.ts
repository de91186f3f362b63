/**
 * The two ways the domain reads lists, both key-conditioned queries (never scans): one page of a partition
 * with an opaque cursor, and every item of a partition.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.ts';
import type { TableName } from './tables.ts';

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

export interface PartitionQuery {
  pk: string;
  /** @default 'Csms' */
  table?: TableName;
  /** Query an index (its partition key is `<index>pk`, sort key `<index>sk`) instead of the table. */
  index?: 'gsi1' | 'gsi2';
  /** Inclusive sort-key range. */
  between?: readonly [string, string];
  beginsWith?: string;
}

/** Cursors are the LastEvaluatedKey, base64url-encoded: opaque to callers, stable across processes. */
const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key && Buffer.from(JSON.stringify(key)).toString('base64url');
const decodeCursor = (cursor: string | undefined): Record<string, unknown> | undefined =>
  cursor ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;

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
      ExclusiveStartKey: decodeCursor(options.cursor),
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
