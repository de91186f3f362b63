/**
 * Id token values are case-insensitive, so every key built from one holds its canonical form (keys.ts,
 * shared/token/token-value.ts). A table written before that holds values with lower-case letters under keys in the
 * case they were given, where lookups no longer go. This moves them, once: `npm run cli -- token migrate-case`
 * (locally, or with `--aws`). Run it before chargers connect: it scans the whole table, and a token changed while it
 * runs may be moved with its state as scanned.
 *
 * Each move is one transaction (put under the canonical key if nothing is there, delete the old item), so a run
 * stopped half-way leaves no item twice and the next run finishes it. Two case variants of one token (both
 * registered before, with the same type) cannot both have the one key: the first moved keeps it, the other is left
 * where it is and reported, for an operator to merge or delete.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.ts';
import { unlessConditionFails, type Item } from './dynamo.ts';
import { forEachItemOfTypes, keyOf, moveItem } from './item-moves.ts';
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

export interface TokenCaseMigrationReport {
  /** Items scanned whose keys may hold a token value. */
  scanned: number;
  /** Items put under their canonical key (and the old one deleted). */
  moved: number;
  /** Items whose index keys were rewritten in place. */
  reindexed: number;
  /** Items left where they are: their canonical key holds another item (a case variant registered before). */
  conflicts: { pk: string; sk: string; type: string; canonical: { pk: string; sk: string } }[];
}

export const tokenCaseMigration = (ctx: StoreContext) => {
  const table = () => ctx.tables.Csms;

  /** Put under the canonical key if free, the old one deleted: false when the key was taken. */
  const move = async (item: Item, to: Placement): Promise<boolean> => (await moveItem(ctx, item, { ...item, ...to.key, ...to.indexKeys })) !== 'taken';

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

  return {
    async run(): Promise<TokenCaseMigrationReport> {
      const report: TokenCaseMigrationReport = { scanned: 0, moved: 0, reindexed: 0, conflicts: [] };
      await forEachItemOfTypes(ctx, TYPES, async (item) => {
        report.scanned++;
        const type = String(item.type);
        const to = PLACEMENTS[type]?.(item);
        if (!to) return;
        const stale = Object.fromEntries(Object.entries(to.indexKeys).filter(([name, value]) => item[name] !== value));
        if (to.key.pk !== item.pk || to.key.sk !== item.sk) {
          if (await move(item, to)) report.moved++;
          else report.conflicts.push({ ...keyOf(item), type, canonical: to.key });
        } else if (Object.keys(stale).length > 0) {
          await reindex(item, stale);
          report.reindexed++;
        }
      });
      return report;
    },
  };
};
