/**
 * The transactions holding a token, one item per token value (`IDTOKEN#<value>` / `USES`): a map of its uses and a
 * revision (`rev`, a random id) that every claim changes. A start claims the token with one conditional write:
 *
 *   claimFirst      no use at all (the common case): sent beside the start's reads, so it adds no round trip
 *   claimIfUnchanged  after deciding from the uses a failed claim returned: only if no claim landed since (`rev`)
 *
 * Of two starts racing for a token nobody holds, one `claimFirst` wins; the other fails, gets the uses (with the
 * winner) in the same request, decides, and its conditional claim fails if a third start claimed meanwhile. Uses a
 * start did not decide on (an event that gives a transaction its token later, a message sent again) are added
 * without condition but move `rev` on all the same. A use is removed when its transaction ends; the item goes with its
 * last use. Uses whose transaction ended or never got written are dropped by the next conditional claim.
 *
 * One charger holds a value in at most USES_KEPT_PER_CHARGER transactions: an add beyond that drops the charger's
 * oldest uses. Uses on the starting charger never count against its own starts, so without the bound a charger could
 * start any number of transactions with a card and grow the item until every start of the card, on any charger, reads
 * all of them (and past DynamoDB's 400 KB item limit, fails).
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TokenUse } from '../transaction/token-use.ts';
import type { StoreContext } from './context.ts';
import { itemOfFailedCondition, isConditionFailed, unlessConditionFails, type Item } from './dynamo.ts';
import { tokenUseName, tokenUsesKey } from './keys.ts';

/** More than any charger runs with one card at once; each use is some 140 bytes of the item. */
export const USES_KEPT_PER_CHARGER = 16;

/** The uses of a token as one read saw them; `rev` absent when no item exists. */
export interface TokenUses {
  uses: TokenUse[];
  rev?: string;
}

export type ClaimOutcome = { claimed: true } | ({ claimed: false } & TokenUses);

const usesOf = (item: Item | undefined): TokenUses =>
  item === undefined ? { uses: [] } : { uses: Object.values((item.uses ?? {}) as Record<string, TokenUse>), rev: item.rev as string };

export const tokenUseStore = (ctx: StoreContext) => {
  const key = tokenUsesKey;
  const stamp = () => ({ ':type': 'TokenUses', ':rev': randomUUID(), ':now': ctx.now().toISOString() });
  const STAMP = '#type = :type, rev = :rev, updatedAt = :now';

  /**
   * Drops the oldest uses of `use`'s charger beyond USES_KEPT_PER_CHARGER from the uses just written (one UpdateItem
   * more, only then). Not a claim: `rev` stays, as for a release.
   */
  const keepBounded = async (value: string, use: TokenUse, written: Item | undefined): Promise<void> => {
    const ours = usesOf(written).uses.filter((u) => u.chargerId === use.chargerId && u.transactionId !== use.transactionId);
    // Newest first (`since` is ISO 8601): the current use and the USES_KEPT_PER_CHARGER - 1 newest others stay.
    const excess = ours.sort((a, b) => b.since.localeCompare(a.since)).slice(USES_KEPT_PER_CHARGER - 1);
    if (excess.length === 0) return;
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tables.Csms,
        Key: key(value),
        UpdateExpression: `REMOVE ${excess.map((_, i) => `uses.#old${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(uses)',
        ExpressionAttributeNames: Object.fromEntries(excess.map((u, i) => [`#old${i}`, tokenUseName(u.chargerId, u.transactionId)])),
      }),
    ).catch((error: unknown) => {
      if (!isConditionFailed(error)) throw error;
    });
  };

  /** A conditional UpdateItem adding `use`: claimed, or the uses the failed condition found (in the same request). */
  const conditional = async (value: string, use: TokenUse, input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<ClaimOutcome> => {
    try {
      const out = await ctx.db.send(new UpdateCommand({ ...input, ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      await keepBounded(value, use, out.Attributes);
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return { claimed: false, ...usesOf(itemOfFailedCondition(error)) };
    }
  };

  /** Claims the token if no transaction holds it; else answers who does. */
  const claimFirst = (value: string, use: TokenUse): Promise<ClaimOutcome> =>
    conditional(value, use, {
      TableName: ctx.tables.Csms,
      Key: key(value),
      UpdateExpression: `SET uses = :uses, ${STAMP}`,
      ConditionExpression: 'attribute_not_exists(uses) OR size(uses) = :zero',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':uses': { [tokenUseName(use.chargerId, use.transactionId)]: use }, ':zero': 0, ...stamp() },
    });

  return {
    claimFirst,

    /**
     * Adds `use` if the uses are still those of revision `rev` (what the caller decided on), dropping `gone` (uses
     * that hold nothing any more) in the same write; else answers the uses as they are now.
     */
    claimIfUnchanged: (value: string, use: TokenUse, rev: string, gone: readonly TokenUse[] = []): Promise<ClaimOutcome> => {
      const dropped = gone.filter((g) => g.chargerId !== use.chargerId || g.transactionId !== use.transactionId);
      return conditional(value, use, {
        TableName: ctx.tables.Csms,
        Key: key(value),
        UpdateExpression: `SET uses.#use = :use, ${STAMP}${dropped.length ? ` REMOVE ${dropped.map((_, i) => `uses.#gone${i}`).join(', ')}` : ''}`,
        ConditionExpression: 'rev = :expected',
        ExpressionAttributeNames: {
          '#type': 'type',
          '#use': tokenUseName(use.chargerId, use.transactionId),
          ...Object.fromEntries(dropped.map((g, i) => [`#gone${i}`, tokenUseName(g.chargerId, g.transactionId)])),
        },
        ExpressionAttributeValues: { ':use': use, ':expected': rev, ...stamp() },
      });
    },

    /**
     * Records a use nobody decided on (kept as first recorded when it is there already): into the map if the item
     * exists, else as the item's first use. Moves `rev` on, so a claim decided without it fails and decides again.
     */
    async open(value: string, use: TokenUse): Promise<void> {
      for (let attempt = 0; attempt < 4; attempt++) {
        const added = await conditional(value, use, {
          TableName: ctx.tables.Csms,
          Key: key(value),
          UpdateExpression: `SET uses.#use = if_not_exists(uses.#use, :use), ${STAMP}`,
          ConditionExpression: 'attribute_exists(uses)',
          ExpressionAttributeNames: { '#type': 'type', '#use': tokenUseName(use.chargerId, use.transactionId) },
          ExpressionAttributeValues: { ':use': use, ...stamp() },
        });
        if (added.claimed || (await claimFirst(value, use)).claimed) return;
      }
      throw new Error('token use not recorded: its item keeps changing');
    },

    /**
     * Removes the use of a transaction that holds the token no more: the whole item when it is the last use (one
     * DeleteItem), else that use (an UpdateItem more). Nothing when it is not there.
     */
    async release(value: string, ref: Pick<TokenUse, 'chargerId' | 'transactionId'>): Promise<void> {
      const names = { '#use': tokenUseName(ref.chargerId, ref.transactionId) };
      try {
        await ctx.db.send(
          new DeleteCommand({
            TableName: ctx.tables.Csms,
            Key: key(value),
            ConditionExpression: 'attribute_exists(uses.#use) AND size(uses) = :one',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':one': 1 },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        const uses = (itemOfFailedCondition(error)?.uses ?? {}) as Record<string, unknown>;
        if (!Object.hasOwn(uses, names['#use'])) return;
      }
      // Not a claim: `rev` stays (a start that decided with this use counted one use too many, never too few).
      await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({ TableName: ctx.tables.Csms, Key: key(value), UpdateExpression: 'REMOVE uses.#use', ConditionExpression: 'attribute_exists(uses.#use)', ExpressionAttributeNames: names }),
        ),
      );
    },

    /** The uses as stored (strongly consistent): for tests and tools; a start learns them from its failed claim. */
    async read(value: string): Promise<TokenUses> {
      const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: key(value), ConsistentRead: true }));
      return usesOf(out.Item);
    },
  };
};

export type TokenUseStore = ReturnType<typeof tokenUseStore>;
