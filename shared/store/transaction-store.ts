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
import { getAll, isConditionFailed, itemOfFailedCondition, unlessConditionFails, type Item, type Key } from './dynamo.ts';
import { patchExpressions, type UpdateExpressions } from './patch-expression.ts';
import {
  TRANSACTION_EVENT_PREFIX,
  chargerTransactionsPk,
  locationTransactionsPk,
  stateTransactionsPk,
  tokenTransactionsPk,
  transactionEventKey,
  transactionIndexes,
  transactionKey,
  withoutKeys,
  type TransactionState,
} from './keys.ts';
import { queryPage, type IndexName, type Page, type PageOptions } from './queries.ts';
import { expiresAfter } from './retention.ts';

const toItem = (tx: TransactionRecord): Item => ({
  ...transactionKey(tx.chargerId, tx.transactionId),
  // Keyed by when we first heard of it: a charger's clock cannot move its transactions in any list.
  ...transactionIndexes({ ...tx, receivedAt: tx.receivedAt ?? tx.startedAt ?? tx.firstEventAt }),
  type: 'Transaction',
  ...tx,
});
const fromItem = (item: Item): TransactionRecord => withoutKeys<TransactionRecord>(item);

/**
 * An ending update moves the item to the ended partition of the state index (gsi8; its sort key stays). A storage
 * attribute, not a record field: added beside the patch's own assignments.
 */
const movedToEnded = (u: UpdateExpressions): UpdateExpressions => ({
  ...u,
  UpdateExpression: `${u.UpdateExpression}, #gsi8pk = :endedStatePk`,
  ExpressionAttributeNames: { ...u.ExpressionAttributeNames, '#gsi8pk': 'gsi8pk' },
  ExpressionAttributeValues: { ...u.ExpressionAttributeValues, ':endedStatePk': stateTransactionsPk('ended') },
});

/** Which partition answers a listing: exactly one filter, chosen by the domain (shared/transaction/transaction-queries.ts). */
export type TransactionPartition =
  | { chargerId: string }
  | { idToken: string }
  | { locationId: string }
  | { state: TransactionState };

const partitionOf = (p: TransactionPartition): { index: IndexName; pk: string } =>
  'chargerId' in p
    ? { index: 'gsi5', pk: chargerTransactionsPk(p.chargerId) }
    : 'idToken' in p
      ? { index: 'gsi6', pk: tokenTransactionsPk(p.idToken) }
      : 'locationId' in p
        ? { index: 'gsi7', pk: locationTransactionsPk(p.locationId) }
        : { index: 'gsi8', pk: stateTransactionsPk(p.state) };

/** The transaction's fields that name a command (`linkCommand`). */
export type CommandLink = 'startedByCommand' | 'stopRequestedByCommand';

/** A raw 2.x event as stored (`recordEvent`). */
export interface StoredTransactionEvent extends TransactionEventFact {
  receivedAt: string;
}

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
  /**
   * One page of one partition (charger, token, location or state), newest first; `from`/`to` bound the time we
   * first received the transaction (inclusive; ISO prefixes work: `2026-01`). The indexes hold keys only: the page's
   * items are read by key (BatchGetItem, 100 a request), in the index's order. One deleted meanwhile is left out,
   * and so is one that left a state partition between the two reads (it ended): the page holds what its filter says.
   */
  const list = async (partition: TransactionPartition, options: PageOptions & { from?: string; to?: string } = {}): Promise<Page<TransactionRecord>> => {
    const { from, to, ...page } = options;
    const between = [from ?? '0', `${to ?? '9999'}~`] as const;
    const keys = await queryPage(ctx, { ...partitionOf(partition), between }, { newestFirst: true, limit: 50, ...page });
    const items = await getAll(ctx.db, keys.items.map((k) => ({ table: ctx.tables.Csms, key: { pk: k.pk, sk: k.sk } as Key })));
    const stillIn = (tx: TransactionRecord) => !('state' in partition) || tx.status === partition.state;
    return { ...keys, items: items.flatMap((i) => (i ? [fromItem(i)] : [])).filter(stillIn) };
  };
  return {
    /** Strongly consistent: writers compute the next version from it. */
    async get(chargerId: string, transactionId: string): Promise<TransactionRecord | undefined> {
      const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: transactionKey(chargerId, transactionId), ConsistentRead: true }));
      return out.Item && fromItem(out.Item);
    },

    /** Whether it exists (an eventually consistent read of its key only: for operator reads). */
    async exists(chargerId: string, transactionId: string): Promise<boolean> {
      const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: transactionKey(chargerId, transactionId), ProjectionExpression: 'pk' }));
      return out.Item !== undefined;
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
     * The patch never touches the keys or the index attributes (start time and id token stay as they were), except
     * that an Ended moves the item to the ended partition of the state index (no extra request; see data-model.md).
     */
    async applyInOrder(chargerId: string, transactionId: string, patch: TransactionPatch): Promise<TransactionRecord | undefined> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: transactionKey(chargerId, transactionId),
            ...(patch.endsTransaction ? movedToEnded : (u: UpdateExpressions) => u)(
              patchExpressions(patch, [
                { path: ['version'], to: { sum: [{ path: ['version'] }, { value: 1 }] } },
                { path: ['updatedAt'], to: { value: ctx.now().toISOString() } },
              ]),
            ),
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
              'SET #status = :ended, endedAt = :at, stopReason = :reason, inferredEnd = :true, version = version + :one, updatedAt = :now, gsi8pk = :endedPk',
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
              ':endedPk': stateTransactionsPk('ended'),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return out?.Attributes && fromItem(out.Attributes);
    },

    /**
     * Names the command that started the transaction, or asked it to stop, unless one is named already (the first
     * wins): one conditional UpdateItem that moves `version` on, so a writer that read the record before retries
     * from a fresh read and keeps the link. `unknown`: no such transaction (nothing written).
     */
    async linkCommand(chargerId: string, transactionId: string, link: CommandLink, commandId: string): Promise<'linked' | 'linkedBefore' | 'unknown'> {
      try {
        await ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: transactionKey(chargerId, transactionId),
            UpdateExpression: 'SET #link = :command, version = version + :one, updatedAt = :now',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#link)',
            ExpressionAttributeNames: { '#link': link },
            ExpressionAttributeValues: { ':command': commandId, ':one': 1, ':now': ctx.now().toISOString() },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'linked';
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        return itemOfFailedCondition(error) ? 'linkedBefore' : 'unknown';
      }
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

    list,

    /** Newest first; `from`/`to` bound the time received (ISO prefixes work: `2026-01`). */
    listOfCharger: (chargerId: string, options: PageOptions & { from?: string; to?: string } = {}): Promise<Page<TransactionRecord>> =>
      list({ chargerId }, options),

    /**
     * The transaction with its newest raw events, in one query of its partition (read backwards: the `TX` item sorts
     * after every `EVENT#`). `events` in seqNo order; `more` when older events were left out.
     */
    async withEvents(chargerId: string, transactionId: string, maxEvents: number): Promise<{ transaction?: TransactionRecord; events: StoredTransactionEvent[]; more: boolean }> {
      const page = await queryPage(ctx, { pk: transactionKey(chargerId, transactionId).pk }, { newestFirst: true, limit: maxEvents + 1 });
      const tx = page.items.find((i) => i.sk === 'TX');
      const events = page.items
        .filter((i) => String(i.sk).startsWith(TRANSACTION_EVENT_PREFIX))
        .map((i) => withoutKeys<StoredTransactionEvent & { expiresAt?: number }>(i))
        .map(({ expiresAt: _expires, ...e }) => e)
        .reverse();
      return { ...(tx ? { transaction: fromItem(tx) } : {}), events, more: page.cursor !== undefined };
    },
  };
};

export type TransactionStore = ReturnType<typeof transactionStore>;
