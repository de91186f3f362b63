/**
 * Id tokens (RFID cards, app tokens, eMAIDs), identified by value and type as OCPP 2.x does: two tokens with
 * the same value and different types are distinct. OCPP 1.6 has no type and finds a value among its types.
 * The token's expiry is a field of its own, not the table's TTL attribute: an expired token is refused, not
 * deleted.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdTokenRecord } from '../token/id-tokens.ts';
import type { StoreContext } from './context.ts';
import { unlessConditionFails, type Item } from './dynamo.ts';
import { ALL_TOKENS_PK, ID_TOKEN_TYPE_PREFIX, idTokenGroupPk, idTokenIndexes, idTokenKey, idTokenValuePk, withoutKeys } from './keys.ts';
import { mapPage, queryAll, queryPage, type Page, type PageOptions } from './queries.ts';

/** Stored as `validUntil`: `expiresAt` is the table's TTL attribute, and a token must never vanish by TTL. */
const toItem = ({ expiresAt, ...token }: IdTokenRecord): Item => ({
  ...idTokenKey(token.value, token.tokenType),
  ...idTokenIndexes(token.value, token.tokenType, token.groupId),
  type: 'IdToken',
  ...token,
  ...(expiresAt ? { validUntil: expiresAt } : {}),
});
const fromItem = (item: Item): IdTokenRecord => {
  const { validUntil, ...token } = withoutKeys<IdTokenRecord & { validUntil?: string }>(item);
  return validUntil ? { ...token, expiresAt: validUntil } : token;
};

/** The item exists and has not moved on from the version read (tokens written before versions count as 0). */
const versionCondition = (expected: number) =>
  expected === 0
    ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(version)' }
    : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expected } };

export const idTokenStore = (ctx: StoreContext) => {
  return {
    async createIfAbsent(token: IdTokenRecord): Promise<'created' | 'exists'> {
      const written = await unlessConditionFails(
        ctx.db.send(new PutCommand({ TableName: ctx.tables.Csms, Item: toItem(token), ConditionExpression: 'attribute_not_exists(pk)' })),
      );
      return written ? 'created' : 'exists';
    },

    async get(value: string, type: string): Promise<IdTokenRecord | undefined> {
      const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: idTokenKey(value, type) }));
      return out.Item && fromItem(out.Item);
    },

    /** For reading the token together with other items (stores.ts `readTogether`). */
    read: (value: string, type: string) => ({ table: ctx.tables.Csms, key: idTokenKey(value, type), decode: fromItem }),

    /** Every token with this value, whatever its type (OCPP 1.6 idTag). */
    withValue: async (value: string): Promise<IdTokenRecord[]> =>
      (await queryAll(ctx, { pk: idTokenValuePk(value), beginsWith: ID_TOKEN_TYPE_PREFIX })).map(fromItem),

    async list(options: PageOptions & { groupId?: string } = {}): Promise<Page<IdTokenRecord>> {
      const { groupId, ...page } = options;
      const query = groupId !== undefined ? { index: 'gsi1' as const, pk: idTokenGroupPk(groupId) } : { index: 'gsi2' as const, pk: ALL_TOKENS_PK };
      return mapPage(await queryPage(ctx, query, page), fromItem);
    },

    /** False when no such token exists. Moves the version on, so an operator's edit read before it gets a 412. */
    async setBlocked(value: string, type: string, blocked: boolean): Promise<boolean> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: idTokenKey(value, type),
            UpdateExpression: 'SET blocked = :b, version = if_not_exists(version, :zero) + :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':b': blocked, ':zero': 0, ':one': 1 },
          }),
        ),
      );
      return out !== undefined;
    },

    /**
     * Replaces the token if it is still at `expected` (the version read; 0 for a token written before versions):
     * false when it changed or went meanwhile. A whole put, so its index attributes follow a changed group.
     */
    async replaceIfVersion(token: IdTokenRecord, expected: number): Promise<boolean> {
      const written = await unlessConditionFails(
        ctx.db.send(new PutCommand({ TableName: ctx.tables.Csms, Item: toItem(token), ...versionCondition(expected) })),
      );
      return written !== undefined;
    },

    /** Deletes the token (only its `TYPE#` item: its `USES` item belongs to its transactions) if still at `expected`. */
    async deleteIfVersion(value: string, type: string, expected: number): Promise<boolean> {
      const deleted = await unlessConditionFails(
        ctx.db.send(new DeleteCommand({ TableName: ctx.tables.Csms, Key: idTokenKey(value, type), ...versionCondition(expected) })),
      );
      return deleted !== undefined;
    },
  };
};

export type IdTokenStore = ReturnType<typeof idTokenStore>;
