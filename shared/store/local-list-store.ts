/**
 * A charger's local authorization list (local-list.ts): the version item and one item per entry, in the charger's
 * partition. Entries are written with BatchWriteItem (puts and deletes, 25 a request, four requests at a time); the
 * version item is written after them, so the version shown never runs ahead of the entries that were written. The
 * version item also keeps a full update that is due and the last sync; the tokens put on the charger's list
 * (list-token-store.ts) sit under the same prefix, so one Query reads all a sync needs of the partition.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FullUpdateDue, LocalListEntry, LocalListSync, LocalListToken, LocalListVersion } from '../local-list/local-list.ts';
import type { ListToken } from '../local-list/list-tokens.ts';
import type { StoreContext } from './context.ts';
import { deleteAll, putAll, unlessConditionFails, type Item } from './dynamo.ts';
import { isListTokenItem, listTokenOf } from './list-token-store.ts';
import { LOCAL_LIST_ENTRY_PREFIX, LOCAL_LIST_SK, localListEntryKey, localListKey, localListPk, withoutKeys } from './keys.ts';
import { queryAll } from './queries.ts';
import { setRemove } from './update-expression.ts';

const entryItem = (e: LocalListEntry): Item => ({ ...localListEntryKey(e.chargerId, e.idToken, e.idTokenType), type: 'LocalListEntry', ...e });

export interface StoredLocalList {
  version?: LocalListVersion;
  fullUpdateDue?: FullUpdateDue;
  lastSync?: LocalListSync;
  entries: LocalListEntry[];
}

const VERSION_ITEM_TYPE = 'LocalListVersion';

/** The version item's parts: the version only once an answer told one (a sync or a refusal may write the item first). */
const stateOf = (item: Item | undefined): Omit<StoredLocalList, 'entries'> => {
  if (!item) return {};
  const { fullUpdateDue, lastSync, ...version } = withoutKeys<LocalListVersion & { fullUpdateDue?: FullUpdateDue; lastSync?: LocalListSync }>(item);
  return {
    ...(version.version !== undefined ? { version } : {}),
    ...(fullUpdateDue ? { fullUpdateDue } : {}),
    ...(lastSync ? { lastSync } : {}),
  };
};

export const localListStore = (ctx: StoreContext) => {
  /** Every item of the list (version first), in one Query for up to 1,000 items. */
  const all = (chargerId: string) => queryAll(ctx, { pk: localListPk(chargerId), beginsWith: LOCAL_LIST_SK });
  const isEntry = (item: Item) => String(item.sk).startsWith(LOCAL_LIST_ENTRY_PREFIX);
  const listOf = (items: readonly Item[]): StoredLocalList => ({
    ...stateOf(items.find((i) => i.sk === LOCAL_LIST_SK)),
    entries: items.filter(isEntry).map((i) => withoutKeys<LocalListEntry>(i)),
  });
  const updateVersionItem = (chargerId: string, set: Record<string, unknown>, remove: readonly string[] = []) =>
    new UpdateCommand({ TableName: ctx.tables.Csms, Key: localListKey(chargerId), ...setRemove({ type: VERSION_ITEM_TYPE, chargerId, ...set }, remove) });

  return {
    read: async (chargerId: string): Promise<StoredLocalList> => listOf(await all(chargerId)),

    /** The list and the tokens put on the charger's own list, in the same Query. */
    async readWithTokens(chargerId: string): Promise<{ list: StoredLocalList; tokens: ListToken[] }> {
      const items = await all(chargerId);
      return { list: listOf(items), tokens: items.filter(isListTokenItem).map(listTokenOf) };
    },

    /** A Full update: `entries` become the list; every other entry goes (a Query for the entries there now first). */
    async replaceEntries(chargerId: string, entries: readonly LocalListEntry[]): Promise<void> {
      const keep = new Set(entries.map((e) => localListEntryKey(chargerId, e.idToken, e.idTokenType).sk));
      const stale = (await all(chargerId)).filter((i) => isEntry(i) && !keep.has(String(i.sk)));
      await Promise.all([
        putAll(ctx.db, entries.map((e) => ({ table: ctx.tables.Csms, item: entryItem(e) }))),
        deleteAll(ctx.db, stale.map((i) => ({ table: ctx.tables.Csms, key: { pk: String(i.pk), sk: String(i.sk) } }))),
      ]);
    },

    /** A Differential update: puts `upserts`, deletes `removals` (distinct tokens: the domain reduced them). */
    async changeEntries(chargerId: string, upserts: readonly LocalListEntry[], removals: readonly LocalListToken[]): Promise<void> {
      await Promise.all([
        putAll(ctx.db, upserts.map((e) => ({ table: ctx.tables.Csms, item: entryItem(e) }))),
        deleteAll(ctx.db, removals.map((t) => ({ table: ctx.tables.Csms, key: localListEntryKey(chargerId, t.idToken, t.idTokenType) }))),
      ]);
    },

    /**
     * Sets the known version (and, from a SendLocalList, what the entries are of); other attributes stay. An accepted
     * Full update passes `fullUpdateDone`: a full update is no longer due.
     */
    async setVersion(v: LocalListVersion, options: { fullUpdateDone?: boolean } = {}): Promise<void> {
      await ctx.db.send(updateVersionItem(v.chargerId, { ...v }, options.fullUpdateDone ? ['fullUpdateDue'] : []));
    },

    /** Marks a full update due (a refused SendLocalList said the charger's version is not what we sent against). */
    async markFullUpdateDue(chargerId: string, due: FullUpdateDue): Promise<void> {
      await ctx.db.send(updateVersionItem(chargerId, { fullUpdateDue: due }));
    },

    /**
     * Records a sync if no other was recorded since the caller read `lastSentVersion` (undefined: none ever was):
     * false when one was, so two syncs at once never send the same version numbers.
     */
    async claimSync(chargerId: string, sync: LocalListSync, lastSentVersion: number | undefined): Promise<boolean> {
      const update = updateVersionItem(chargerId, { lastSync: sync });
      const condition =
        lastSentVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(lastSync)' }
          : { ConditionExpression: 'lastSync.sentVersion = :lastSent', ExpressionAttributeValues: { ...update.input.ExpressionAttributeValues, ':lastSent': lastSentVersion } };
      return (await unlessConditionFails(ctx.db.send(new UpdateCommand({ ...update.input, ...condition })))) !== undefined;
    },
  };
};

export type LocalListStore = ReturnType<typeof localListStore>;
