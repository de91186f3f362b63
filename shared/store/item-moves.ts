/**
 * Scanning the table and moving items to other keys, for the one-time migrations of keys (token-case-migration.ts,
 * charger-id-migration.ts): the new item is put only where nothing is, and the old one deleted in the same
 * transaction if it is unchanged since the scan read it, so a run stopped half-way leaves no item twice, the next run
 * finishes it, and a write made meanwhile is never undone.
 */
import { DeleteCommand, GetCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.ts';
import { transactionConditionsFailed, unlessConditionFails, type Item } from './dynamo.ts';

export const keyOf = (item: Item) => ({ pk: String(item.pk), sk: String(item.sk) });

/**
 * What the migrations watch for writes made since the scan: the stamps writers move on (`rev`, `version`, `updatedAt`)
 * and what some writes change without them (a token blocked, a charger's boot, registration or password). Each must be
 * as scanned: equal, or still absent.
 */
const WATCHED = ['rev', 'version', 'updatedAt', 'blocked', 'registrationStatus', 'lastBootAt', 'passwordHash', 'nextPasswordHash'];
/** Maps compared by their size: while `rev` holds, a token's uses can only be taken away (token-use-store.ts). */
const WATCHED_BY_SIZE = ['uses'];

/** The condition that the item is still as it was read: a write under it never undoes one made since the scan. */
export const unchangedSince = (item: Item) => {
  const terms = ['attribute_exists(pk)'];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  WATCHED.forEach((name, i) => {
    names[`#w${i}`] = name;
    if (item[name] === undefined) terms.push(`attribute_not_exists(#w${i})`);
    else {
      values[`:w${i}`] = item[name];
      terms.push(`#w${i} = :w${i}`);
    }
  });
  WATCHED_BY_SIZE.forEach((name, i) => {
    names[`#s${i}`] = name;
    const map = item[name];
    if (typeof map !== 'object' || map === null) terms.push(`attribute_not_exists(#s${i})`);
    else {
      values[`:s${i}`] = Object.keys(map).length;
      terms.push(`size(#s${i}) = :s${i}`);
    }
  });
  return { ConditionExpression: terms.join(' AND '), ExpressionAttributeNames: names, ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}) };
};

/** The item as it is now (strongly consistent), to try again with after a write found it changed. */
export const readAgain = async (ctx: StoreContext, item: Item): Promise<Item | undefined> =>
  (await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: keyOf(item), ConsistentRead: true }))).Item;

/**
 * Puts `moved` (and `alongside`, each where nothing is) and deletes `from` if it is unchanged since it was read:
 * `taken` when one of the new keys holds an item already, `changed` when `from` was written since (read it again and
 * retry), `gone` when it no longer exists (a run beside this one moved it). Nothing is written unless `moved`.
 */
export const moveItem = async (ctx: StoreContext, from: Item, moved: Item, alongside: readonly Item[] = []): Promise<'moved' | 'taken' | 'changed' | 'gone'> => {
  const table = ctx.tables.Csms;
  const puts = [moved, ...alongside].map((Item) => ({ Put: { TableName: table, Item, ConditionExpression: 'attribute_not_exists(pk)' } }));
  try {
    await ctx.db.send(new TransactWriteCommand({ TransactItems: [...puts, { Delete: { TableName: table, Key: keyOf(from), ...unchangedSince(from) } }] }));
    return 'moved';
  } catch (error) {
    const failed = transactionConditionsFailed(error);
    if (failed?.slice(0, puts.length).some(Boolean)) return 'taken';
    if (failed?.[puts.length]) return (await readAgain(ctx, from)) ? 'changed' : 'gone';
    throw error;
  }
};

/** Deletes the item if it is unchanged since it was read (or gone already); false when it was written since. */
export const deleteIfUnchanged = async (ctx: StoreContext, item: Item): Promise<boolean> => {
  const deleted = await unlessConditionFails(ctx.db.send(new DeleteCommand({ TableName: ctx.tables.Csms, Key: keyOf(item), ...unchangedSince(item) })));
  return deleted !== undefined || (await readAgain(ctx, item)) === undefined;
};

/** Attempts at one item that concurrent writes keep changing: the next run finishes it. */
const ATTEMPTS = 3;

/**
 * Runs `place` on the item, and on the item as it is now each time `place` found it `changed` since it was read:
 * false when it was still changing after a few attempts (busy), true once placed (or gone).
 */
export const placeAsItIsNow = async (ctx: StoreContext, scanned: Item, place: (item: Item) => Promise<'done' | 'changed'>): Promise<boolean> => {
  let item: Item | undefined = scanned;
  for (let attempt = 1; item !== undefined; attempt++) {
    if ((await place(item)) === 'done') return true;
    if (attempt === ATTEMPTS) return false;
    item = await readAgain(ctx, item);
  }
  return true;
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
