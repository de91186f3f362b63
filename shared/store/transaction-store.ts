/**
 * Transactions of every OCPP version, one item each, written with optimistic concurrency (the version a writer
 * read), because API Gateway may run two messages of one charger at the same time; and the raw 2.x
 * TransactionEvents, by seqNo, as an audit trail. Every write of the transaction item moves its `version` on, so
 * the conditional update of an in-order 2.x event (`applyInOrder`, no read) and the versioned put of a writer that
 * read the record exclude each other.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactionPatch } from '../transaction/in-order-patch.ts';
import type { TransactionRecord } from '../transaction/transaction.ts';
import type { StoreContext } from './context.ts';
import { itemOfFailedCondition, unlessConditionFails, type Item } from './dynamo.ts';
import { patchExpressions } from './patch-expression.ts';
import { chargerTransactionsPk, tokenUseKey, transactionEventKey, transactionIndexes, transactionKey, withoutKeys } from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';
import { expiresAfter } from './retention.ts';

/**
 * How long a closed token use is kept: only to outlast an open write of the same transaction still in flight
 * (a copy of its start racing its end), which it makes fail. Days, because TTL deletes lazily anyway.
 */
const CLOSED_USE_DAYS = 1;

const tokenUseItem = (tx: TransactionRecord & { idToken: string }) => ({
  ...tokenUseKey(tx.idToken, tx.chargerId, tx.transactionId),
  type: 'TokenUse',
  chargerId: tx.chargerId,
  transactionId: tx.transactionId,
  ...(tx.idTokenType !== undefined ? { idTokenType: tx.idTokenType } : {}),
  since: tx.receivedAt ?? tx.startedAt ?? tx.firstEventAt,
});

const toItem = (tx: TransactionRecord): Item => ({
  ...transactionKey(tx.chargerId, tx.transactionId),
  // Keyed by when we first heard of it: a charger's clock cannot move its transactions in any list.
  ...transactionIndexes(tx.chargerId, tx.transactionId, tx.receivedAt ?? tx.startedAt ?? tx.firstEventAt, tx.idToken),
  type: 'Transaction',
  ...tx,
});
const fromItem = (item: Item): TransactionRecord => withoutKeys<TransactionRecord>(item);

export interface TransactionEventFact {
  chargerId: string;
  transactionId: string;
  seqNo: number;
  messageId: string;
  eventType: string;
  timestamp: string;
  event: unknown;
}

export const transactionStore = (ctx: StoreContext) => {
  return {
    /** Strongly consistent: writers compute the next version from it. */
    async get(chargerId: string, transactionId: string): Promise<TransactionRecord | undefined> {
      const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: transactionKey(chargerId, transactionId), ConsistentRead: true }));
      return out.Item && fromItem(out.Item);
    },

    /** For reading the transaction together with other items (stores.ts `readTogether`); strongly consistent. */
    read: (chargerId: string, transactionId: string) => ({ table: ctx.tables.Csms, key: transactionKey(chargerId, transactionId), consistent: true, decode: fromItem }),

    /** Writes `next` if the stored version is still `next.version - 1` (absent for version 1); false on a lost race. */
    async putIfVersion(next: TransactionRecord): Promise<boolean> {
      const first = next.version === 1;
      const written = await unlessConditionFails(
        ctx.db.send(
          new PutCommand({
            TableName: ctx.tables.Csms,
            Item: toItem(next),
            ConditionExpression: first ? 'attribute_not_exists(pk)' : 'version = :expected',
            ...(first ? {} : { ExpressionAttributeValues: { ':expected': next.version - 1 } }),
          }),
        ),
      );
      return written !== undefined;
    },

    /**
     * Applies an in-order event's patch in one conditional UpdateItem, without reading the transaction: the new
     * record, or `undefined` when a precondition failed (nothing written; the caller takes the general path).
     * The patch never touches the keys or the index attributes (start time and id token stay as they were).
     */
    async applyInOrder(chargerId: string, transactionId: string, patch: TransactionPatch): Promise<TransactionRecord | undefined> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: transactionKey(chargerId, transactionId),
            ...patchExpressions(patch, [
              { path: ['version'], to: { sum: [{ path: ['version'] }, { value: 1 }] } },
              { path: ['updatedAt'], to: { value: ctx.now().toISOString() } },
            ]),
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return out?.Attributes && fromItem(out.Attributes);
    },

    /** Creates the transaction unless its key is taken; then returns what holds the key (one request either way). */
    async createOrGetExisting(tx: TransactionRecord): Promise<{ created: true } | { created: false; existing: TransactionRecord }> {
      try {
        await ctx.db.send(
          new PutCommand({
            TableName: ctx.tables.Csms,
            Item: toItem(tx),
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { created: true };
      } catch (error) {
        const existing = itemOfFailedCondition(error);
        if (!existing) throw error;
        return { created: false, existing: fromItem(existing) };
      }
    },

    /**
     * Records in the token's partition that `tx` holds its token, unless the transaction's use was closed already
     * (its end was merged by a message racing this one): one conditional put, sent beside the transaction's write.
     */
    async openTokenUse(tx: TransactionRecord & { idToken: string }): Promise<void> {
      await unlessConditionFails(
        ctx.db.send(new PutCommand({ TableName: ctx.tables.Csms, Item: { ...tokenUseItem(tx), open: true }, ConditionExpression: 'attribute_not_exists(pk)' })),
      );
    },

    /**
     * Records that `tx` no longer holds its token. Ending is final, so this is a plain put (batched with the
     * message when it is still being handled), and it wins over an open write of the same transaction in either
     * order. Kept a day (TTL), then gone.
     */
    closeTokenUse(tx: TransactionRecord & { idToken: string }): Promise<void> {
      const now = ctx.now();
      return ctx.puts.put(ctx.tables.Csms, { ...tokenUseItem(tx), open: false, expiresAt: expiresAfter(now, CLOSED_USE_DAYS) });
    },

    /**
     * Ends an open transaction that a newer one on its connector has replaced (its own end was lost or is still
     * queued on the charger), without reading it first: the ended record, or undefined when it had ended already
     * or does not exist.
     */
    async endAsSuperseded(chargerId: string, transactionId: string, endedAt: string): Promise<TransactionRecord | undefined> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: transactionKey(chargerId, transactionId),
            UpdateExpression:
              'SET #status = :ended, endedAt = :at, stopReason = :reason, inferredEnd = :true, version = version + :one, updatedAt = :now',
            ConditionExpression: '#status = :active',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':ended': 'ended',
              ':active': 'active',
              ':at': endedAt,
              ':reason': 'Superseded',
              ':true': true,
              ':one': 1,
              ':now': ctx.now().toISOString(),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return out?.Attributes && fromItem(out.Attributes);
    },

    /** The raw 2.x event, kept by seqNo (a retried event lands on the same item); batched with the message. */
    recordEvent(fact: TransactionEventFact): Promise<void> {
      const now = ctx.now();
      return ctx.puts.put(ctx.tables.Csms, {
        ...transactionEventKey(fact.chargerId, fact.transactionId, fact.seqNo),
        type: 'TransactionEvent',
        ...fact,
        receivedAt: now.toISOString(),
        expiresAt: expiresAfter(now, ctx.retention.transactionEventDays),
      });
    },

    /** Newest first; `from`/`to` bound the start time (ISO prefixes work: `2026-01`). */
    async listOfCharger(chargerId: string, options: PageOptions & { from?: string; to?: string } = {}): Promise<Page<TransactionRecord>> {
      const { from, to, ...page } = options;
      const between = [from ?? '0', `${to ?? '9999'}~`] as const;
      return mapPage(await queryPage(ctx, { index: 'gsi1', pk: chargerTransactionsPk(chargerId), between }, { newestFirst: true, limit: 50, ...page }), fromItem);
    },
  };
};

export type TransactionStore = ReturnType<typeof transactionStore>;
