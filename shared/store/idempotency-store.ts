/**
 * Idempotency records of operator creates (`Idempotency-Key`): the first request with a key claims it with a
 * conditional put; a retry finds the claim in the same request (the failed condition returns the item) and answers
 * the stored response, or "still in progress", or "that key was used for another request". A request that failed
 * releases its claim so it can be retried. Records expire after a day (the table's TTL).
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.ts';
import { isConditionFailed, itemOfFailedCondition } from './dynamo.ts';
import { idempotencyKey } from './keys.ts';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** A response as it can be answered again. */
export interface StoredResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface IdempotencyScope {
  readonly routeId: string;
  /** Who asked: keys are per caller, so one caller can neither replay nor block another's. */
  readonly caller: string;
  readonly key: string;
  /** A digest of the request (path, body and query): the same key with a different request is refused. */
  readonly requestHash: string;
}

export type IdempotencyClaim =
  | { readonly state: 'claimed' }
  | { readonly state: 'replay'; readonly response: StoredResponse }
  | { readonly state: 'in-progress' }
  | { readonly state: 'mismatch' };

export const idempotencyStore = (ctx: StoreContext) => ({
  async claim(scope: IdempotencyScope): Promise<IdempotencyClaim> {
    const now = ctx.now();
    try {
      await ctx.db.send(
        new PutCommand({
          TableName: ctx.tables.Csms,
          Item: {
            ...idempotencyKey(scope.routeId, scope.caller, scope.key),
            type: 'IdempotencyRecord',
            requestHash: scope.requestHash,
            state: 'pending',
            createdAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
          },
          // An expired record the TTL has not removed yet counts as absent.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSeconds',
          ExpressionAttributeValues: { ':nowSeconds': Math.floor(now.getTime() / 1000) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { state: 'claimed' };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const found = itemOfFailedCondition(error);
      if (found?.requestHash !== scope.requestHash) return { state: 'mismatch' };
      if (found.state !== 'done') return { state: 'in-progress' };
      return { state: 'replay', response: found.response as StoredResponse };
    }
  },

  async complete(scope: IdempotencyScope, response: StoredResponse): Promise<void> {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tables.Csms,
        Key: idempotencyKey(scope.routeId, scope.caller, scope.key),
        UpdateExpression: 'SET #state = :done, #response = :response',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: { ':done': 'done', ':response': response },
      }),
    );
  },

  /** Gives the key back after a failure, so the client's retry runs the request again. */
  async release(scope: IdempotencyScope): Promise<void> {
    await ctx.db.send(
      new DeleteCommand({
        TableName: ctx.tables.Csms,
        Key: idempotencyKey(scope.routeId, scope.caller, scope.key),
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pending': 'pending' },
      }),
    ).catch((error: unknown) => {
      if (!isConditionFailed(error)) throw error;
    });
  },
});

export type IdempotencyStore = ReturnType<typeof idempotencyStore>;
