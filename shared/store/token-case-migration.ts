/**
 * Id token values are case-insensitive, so every key built from one holds its canonical form (keys.ts,
 * shared/token/token-value.ts). A table written before that holds values with lower-case letters under keys in the
 * case they were given, where lookups no longer go. This moves them, once: `npm run cli -- token migrate-case`
 * (locally, or with `--aws`). It scans the whole table: run it before chargers connect.
 *
 * Each move is one transaction (put under the canonical key if nothing is there, delete the old item if it is
 * unchanged since the scan), so a run stopped half-way leaves no item twice, the next run finishes it, and a write
 * made meanwhile is never undone (the item is read again and moved as it is now). Where the canonical key holds an
 * item already, the old one is folded into it when they stand for the same thing (token uses are added to its uses;
 * a local list entry, assignment or pending remote start of the same token is deleted). Two case variants of one id
 * token of one type, both registered before, cannot both have the key: the other is left where it is and reported,
 * for an operator to merge or delete.
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.ts';
import { transactionConditionsFailed, unlessConditionFails, type Item } from './dynamo.ts';
import { deleteIfUnchanged, forEachItemOfTypes, keyOf, moveItem, placeAsItIsNow, unchangedSince } from './item-moves.ts';
import {
  chargerListTokenKey,
  idTokenGroupPk,
  idTokenKey,
  ID_TOKEN_PK_PREFIX,
  localListEntryKey,
  locationListTokenKey,
  pendingStartKey,
  tokenReservationsPk,
  tokenTransactionsPk,
  tokenUsesKey,
} from './keys.ts';

/** Where an item belongs now: its key and the index keys that hold a token value; undefined when it holds none. */
interface Placement {
  readonly key: { pk: string; sk: string };
  readonly indexKeys: Record<string, string>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The items whose keys hold a token value, by their `type`. */
const PLACEMENTS: Record<string, (item: Item) => Placement | undefined> = {
  IdToken: (item) => {
    const value = str(item.value);
    const type = str(item.tokenType);
    if (value === undefined || type === undefined) return undefined;
    const groupId = str(item.groupId);
    const indexKeys: Record<string, string> = groupId !== undefined ? { gsi1pk: idTokenGroupPk(groupId) } : {};
    return { key: idTokenKey(value, type), indexKeys };
  },
  // The uses item holds no value of its own: its partition is the value.
  TokenUses: (item) => {
    const pk = str(item.pk);
    return pk?.startsWith(ID_TOKEN_PK_PREFIX) ? { key: tokenUsesKey(pk.slice(ID_TOKEN_PK_PREFIX.length)), indexKeys: {} } : undefined;
  },
  Transaction: (item) => {
    const idToken = str(item.idToken);
    return idToken !== undefined && item.gsi6pk !== undefined ? { key: keyOf(item), indexKeys: { gsi6pk: tokenTransactionsPk(idToken) } } : undefined;
  },
  Reservation: (item) => {
    const idToken = str(item.idToken);
    return idToken !== undefined && item.gsi2pk !== undefined ? { key: keyOf(item), indexKeys: { gsi2pk: tokenReservationsPk(idToken) } } : undefined;
  },
  LocalListToken: (item) => {
    const [value, type, chargerId, locationId] = [str(item.idToken), str(item.idTokenType), str(item.chargerId), str(item.locationId)];
    if (value === undefined || type === undefined) return undefined;
    if (chargerId !== undefined) return { key: chargerListTokenKey(chargerId, type, value), indexKeys: {} };
    return locationId !== undefined ? { key: locationListTokenKey(locationId, type, value), indexKeys: {} } : undefined;
  },
  LocalListEntry: (item) => {
    const [chargerId, value] = [str(item.chargerId), str(item.idToken)];
    return chargerId !== undefined && value !== undefined ? { key: localListEntryKey(chargerId, value, str(item.idTokenType)), indexKeys: {} } : undefined;
  },
  PendingRemoteStart: (item) => {
    const [chargerId, idTag] = [str(item.chargerId), str(item.idTag)];
    return chargerId !== undefined && idTag !== undefined ? { key: pendingStartKey(chargerId, idTag), indexKeys: {} } : undefined;
  },
};
const TYPES = Object.keys(PLACEMENTS);

/**
 * Items that stand for the same thing as one at the canonical key, whatever case their value had: a local list entry or
 * assignment of the same token and type, a pending remote start for the same idTag. The one at the key stays.
 */
const SAME_AS_CANONICAL = new Set(['LocalListToken', 'LocalListEntry', 'PendingRemoteStart']);

export interface TokenCaseMigrationReport {
  /** Items scanned whose keys may hold a token value. */
  scanned: number;
  /** Items put under their canonical key (and the old one deleted). */
  moved: number;
  /** Items whose index keys were rewritten in place. */
  reindexed: number;
  /**
   * Items whose canonical key held an item already, folded into it: token uses added to its uses, a local list entry,
   * assignment or pending remote start of the same token deleted (the one at the key stands for it).
   */
  merged: number;
  /** Id tokens left where they are: their canonical key holds a case variant of the same type, registered before. */
  conflicts: { pk: string; sk: string; type: string; canonical: { pk: string; sk: string } }[];
  /** Items written again and again while the run tried to move them: left for the next run. */
  busy: number;
}

export const tokenCaseMigration = (ctx: StoreContext) => {
  const table = () => ctx.tables.Csms;

  /** Index keys rewritten unless the item changed them meanwhile (or is gone). */
  const reindex = async (item: Item, indexKeys: Record<string, string>): Promise<void> => {
    const names = Object.keys(indexKeys);
    await unlessConditionFails(
      ctx.db.send(
        new UpdateCommand({
          TableName: table(),
          Key: keyOf(item),
          UpdateExpression: `SET ${names.map((n, i) => `#n${i} = :v${i}`).join(', ')}`,
          ConditionExpression: names.map((_n, i) => `#n${i} = :old${i}`).join(' AND '),
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
          ExpressionAttributeValues: Object.fromEntries(names.flatMap((n, i) => [[`:v${i}`, indexKeys[n]], [`:old${i}`, item[n]]])),
        }),
      ),
    );
  };

  /**
   * The old uses item's uses added to the one at the canonical key (token-use-store.ts: a map by use name, with a
   * `rev` every claim moves on) and the old item deleted, in one transaction: the transactions holding either spelling
   * hold the one token. `changed` when either item changed meanwhile (try again with it as it is now).
   */
  const mergeUses = async (old: Item, canonical: { pk: string; sk: string }): Promise<'merged' | 'changed'> => {
    const uses = Object.entries((old.uses ?? {}) as Record<string, unknown>);
    const remove = { Delete: { TableName: table(), Key: keyOf(old), ...unchangedSince(old) } };
    const add = {
      Update: {
        TableName: table(),
        Key: canonical,
        UpdateExpression: `SET ${uses.map((_u, i) => `#uses.#n${i} = :u${i}`).join(', ')}, rev = :rev, updatedAt = :now`,
        // Gone meanwhile with its last use: then the old item simply moves on the next try.
        ConditionExpression: 'attribute_exists(#uses)',
        ExpressionAttributeNames: { '#uses': 'uses', ...Object.fromEntries(uses.map(([name], i) => [`#n${i}`, name])) },
        ExpressionAttributeValues: { ':rev': randomUUID(), ':now': ctx.now().toISOString(), ...Object.fromEntries(uses.map(([, use], i) => [`:u${i}`, use])) },
      },
    };
    try {
      await ctx.db.send(new TransactWriteCommand({ TransactItems: uses.length > 0 ? [add, remove] : [remove] }));
      return 'merged';
    } catch (error) {
      if (transactionConditionsFailed(error)) return 'changed';
      throw error;
    }
  };

  /** One item to its place; `changed` when a write made since the scan got in the way (read it again, try again). */
  const place = async (item: Item, report: TokenCaseMigrationReport): Promise<'done' | 'changed'> => {
    const type = String(item.type);
    const to = PLACEMENTS[type]?.(item);
    if (!to) return 'done';
    if (to.key.pk !== item.pk || to.key.sk !== item.sk) {
      const outcome = await moveItem(ctx, item, { ...item, ...to.key, ...to.indexKeys });
      if (outcome === 'changed') return 'changed';
      if (outcome === 'moved') report.moved++;
      if (outcome !== 'taken') return 'done';
      if (type === 'TokenUses' || SAME_AS_CANONICAL.has(type)) {
        const merged = type === 'TokenUses' ? await mergeUses(item, to.key) : (await deleteIfUnchanged(ctx, item)) ? 'merged' : 'changed';
        if (merged === 'changed') return 'changed';
        report.merged++;
      } else report.conflicts.push({ ...keyOf(item), type, canonical: to.key });
      return 'done';
    }
    const stale = Object.fromEntries(Object.entries(to.indexKeys).filter(([name, value]) => item[name] !== value));
    if (Object.keys(stale).length > 0) {
      await reindex(item, stale);
      report.reindexed++;
    }
    return 'done';
  };

  return {
    async run(): Promise<TokenCaseMigrationReport> {
      const report: TokenCaseMigrationReport = { scanned: 0, moved: 0, reindexed: 0, merged: 0, conflicts: [], busy: 0 };
      await forEachItemOfTypes(ctx, TYPES, async (scanned) => {
        report.scanned++;
        if (!(await placeAsItIsNow(ctx, scanned, (item) => place(item, report)))) report.busy++;
      });
      return report;
    },
  };
};
