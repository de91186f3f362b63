/**
 * Scanning the table and moving items to other keys, for the one-time migrations of keys (token-case-migration.ts,
 * charger-id-migration.ts): the new item is put only where nothing is, and the old one deleted in the same
 * transaction, so a run stopped half-way leaves no item twice and the next run finishes it.
 */
import { ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.ts';
import { transactionConditionsFailed, type Item } from './dynamo.ts';

export const keyOf = (item: Item) => ({ pk: String(item.pk), sk: String(item.sk) });

/**
 * Puts `moved` (and `alongside`, each where nothing is) and deletes `from`: `taken` when one of the new keys holds an
 * item already (nothing is written), `gone` when `from` no longer exists (a run beside this one moved it).
 */
export const moveItem = async (ctx: StoreContext, from: Item, moved: Item, alongside: readonly Item[] = []): Promise<'moved' | 'taken' | 'gone'> => {
  const table = ctx.tables.Csms;
  const puts = [moved, ...alongside].map((Item) => ({ Put: { TableName: table, Item, ConditionExpression: 'attribute_not_exists(pk)' } }));
  try {
    await ctx.db.send(new TransactWriteCommand({ TransactItems: [...puts, { Delete: { TableName: table, Key: keyOf(from), ConditionExpression: 'attribute_exists(pk)' } }] }));
    return 'moved';
  } catch (error) {
    const failed = transactionConditionsFailed(error);
    if (failed?.slice(0, puts.length).some(Boolean)) return 'taken';
    if (failed?.[puts.length]) return 'gone';
    throw error;
  }
};

/** Every item of the table whose `type` is one of `types`, one page at a time, in scan order. */
export const forEachItemOfTypes = async (ctx: StoreContext, types: readonly string[], visit: (item: Item) => Promise<void>): Promise<void> => {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.db.send(
      new ScanCommand({
        TableName: ctx.tables.Csms,
        FilterExpression: `#type IN (${types.map((_t, i) => `:t${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: Object.fromEntries(types.map((t, i) => [`:t${i}`, t])),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) await visit(item);
    start = page.LastEvaluatedKey;
  } while (start);
};
