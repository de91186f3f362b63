/**
 * A charger's local authorization list (local-list.ts): the version item and one item per entry, in the charger's
 * partition. Entries are written with BatchWriteItem (puts and deletes, 25 a request, four requests at a time); the
 * version item is written after them, so the version shown never runs ahead of the entries that were written.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalListEntry, LocalListToken, LocalListVersion } from '../local-list/local-list.ts';
import type { StoreContext } from './context.ts';
import { deleteAll, putAll, type Item } from './dynamo.ts';
import { LOCAL_LIST_ENTRY_PREFIX, LOCAL_LIST_SK, localListEntryKey, localListKey, localListPk, withoutKeys } from './keys.ts';
import { queryAll } from './queries.ts';
import { setRemove } from './update-expression.ts';

const entryItem = (e: LocalListEntry): Item => ({ ...localListEntryKey(e.chargerId, e.idToken, e.idTokenType), type: 'LocalListEntry', ...e });

export interface StoredLocalList {
  version?: LocalListVersion;
  entries: LocalListEntry[];
}

export const localListStore = (ctx: StoreContext) => {
  /** Every item of the list (version first), in one Query for up to 1,000 items. */
  const all = (chargerId: string) => queryAll(ctx, { pk: localListPk(chargerId), beginsWith: LOCAL_LIST_SK });
  const isEntry = (item: Item) => String(item.sk).startsWith(LOCAL_LIST_ENTRY_PREFIX);

  return {
    async read(chargerId: string): Promise<StoredLocalList> {
      const items = await all(chargerId);
      const version = items.find((i) => i.sk === LOCAL_LIST_SK);
      return {
        ...(version ? { version: withoutKeys<LocalListVersion>(version) } : {}),
        entries: items.filter(isEntry).map((i) => withoutKeys<LocalListEntry>(i)),
      };
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

    /** Sets the known version (and, from a SendLocalList, what the entries are of); other attributes stay. */
    async setVersion(v: LocalListVersion): Promise<void> {
      await ctx.db.send(new UpdateCommand({ TableName: ctx.tables.Csms, Key: localListKey(v.chargerId), ...setRemove({ type: 'LocalListVersion', ...v }) }));
    },
  };
};

export type LocalListStore = ReturnType<typeof localListStore>;
