/**
 * Id tokens an operator put on a charger's or a location's local list (shared/local-list/list-tokens.ts): one item
 * each, in the holder's partition. Putting one that is there already keeps the first (its time and author).
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ListToken, ListTokenHolder } from '../local-list/list-tokens.ts';
import type { StoreContext } from './context.ts';
import { deleteAll, isConditionFailed, itemOfFailedCondition, unlessConditionFails, type Item } from './dynamo.ts';
import { chargerListTokenKey, LIST_TOKEN_PREFIX, locationListTokenKey, locationListTokensPk, localListPk, withoutKeys } from './keys.ts';
import { mapPage, queryAll, queryPage, type Page, type PageOptions, type PartitionQuery } from './queries.ts';

export const LIST_TOKEN_ITEM_TYPE = 'LocalListToken';

const keyOf = (holder: ListTokenHolder, idTokenType: string, idToken: string) =>
  holder.kind === 'charger' ? chargerListTokenKey(holder.chargerId, idTokenType, idToken) : locationListTokenKey(holder.locationId, idTokenType, idToken);

const tokensOf = (holder: ListTokenHolder): PartitionQuery => ({
  pk: holder.kind === 'charger' ? localListPk(holder.chargerId) : locationListTokensPk(holder.locationId),
  beginsWith: LIST_TOKEN_PREFIX,
});

/** The record of a list-token item (its holder's id is the partition's: left out). */
export const listTokenOf = (item: Item): ListToken => {
  const { idToken, idTokenType, assignedAt, assignedBy } = withoutKeys<ListToken>(item);
  return { idToken, idTokenType, assignedAt, assignedBy };
};

export const isListTokenItem = (item: Item): boolean => String(item.sk).startsWith(LIST_TOKEN_PREFIX);

export const listTokenStore = (ctx: StoreContext) => ({
  /** Puts the token on the holder's list; when it is there already, the one there stays and is answered. */
  async assign(holder: ListTokenHolder, token: ListToken): Promise<{ created: boolean; token: ListToken }> {
    const holderId = holder.kind === 'charger' ? { chargerId: holder.chargerId } : { locationId: holder.locationId };
    try {
      await ctx.db.send(
        new PutCommand({
          TableName: ctx.tables.Csms,
          Item: { ...keyOf(holder, token.idTokenType, token.idToken), type: LIST_TOKEN_ITEM_TYPE, ...holderId, ...token },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { created: true, token };
    } catch (error) {
      const there = itemOfFailedCondition(error);
      if (!isConditionFailed(error) || !there) throw error;
      return { created: false, token: listTokenOf(there) };
    }
  },

  /** False when the token was not on the holder's list. */
  async unassign(holder: ListTokenHolder, idTokenType: string, idToken: string): Promise<boolean> {
    const deleted = await unlessConditionFails(
      ctx.db.send(new DeleteCommand({ TableName: ctx.tables.Csms, Key: keyOf(holder, idTokenType, idToken), ConditionExpression: 'attribute_exists(pk)' })),
    );
    return deleted !== undefined;
  },

  /** A page of the holder's tokens, by type, then value. */
  list: async (holder: ListTokenHolder, page: PageOptions = {}): Promise<Page<ListToken>> => mapPage(await queryPage(ctx, tokensOf(holder), page), listTokenOf),

  /** Every token of the holder's list (one Query per 1 MB). */
  all: async (holder: ListTokenHolder): Promise<ListToken[]> => (await queryAll(ctx, tokensOf(holder))).map(listTokenOf),

  /** Takes every token off the holder's list (a deleted location's): a Query, then BatchWriteItem deletes. */
  async eraseAll(holder: ListTokenHolder): Promise<number> {
    const items = await queryAll(ctx, tokensOf(holder));
    await deleteAll(ctx.db, items.map((i) => ({ table: ctx.tables.Csms, key: { pk: String(i.pk), sk: String(i.sk) } })));
    return items.length;
  },
});

export type ListTokenStore = ReturnType<typeof listTokenStore>;
