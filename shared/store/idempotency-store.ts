/**
 * Idempotency records of operator creates (`Idempotency-Key`): the first request with a key claims it with a
 * conditional put; a retry finds the claim in the same request (the failed condition returns the item) and answers
 * the stored response, or "still in progress", or "that key was used for another request". Records expire after a
 * day (the table's TTL); a key used again after that starts a new claim.
 *
 * A claim is held under a lease: the time its request may still run. A request that failed gives the claim back
 * (`released`); one whose lease lapsed (its Lambda timed out or died before it could answer) may be taken over by a
 * retry of the same request. Either way the key's use goes on under the same `claimId`, so the retry finds what the
 * first attempt may have recorded. Completing and releasing are conditioned on the attempt that holds the claim: an
 * attempt whose claim was taken over changes nothing.
 *
 *   claim ──► pending (attempt A, lease) ──► done (replayed)
 *                 │  failed: released ──► a retry (any request) claims it again, same claimId
 *                 │  lease lapsed ──────► a retry of the same request takes it over, same claimId
 *   24 h (TTL) ──► gone or expired: a new claim, a new claimId
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

/** The claim a request holds while it runs. */
export interface HeldClaim {
  /** Names this use of the key: the same for a retry after a release or a lapsed lease, new once the record expired. */
  readonly claimId: string;
  /** This attempt's own: completing or releasing only takes effect while this attempt holds the claim. */
  readonly attemptId: string;
}

export type IdempotencyClaim =
  | { readonly state: 'claimed'; readonly held: HeldClaim }
  | { readonly state: 'replay'; readonly response: StoredResponse }
  | { readonly state: 'in-progress' }
  | { readonly state: 'mismatch' };

interface IdempotencyRecord {
  readonly requestHash?: string;
  readonly state?: 'pending' | 'done' | 'released';
  readonly claimId?: string;
  readonly attemptId?: string;
  /** Epoch seconds: a pending claim's attempt may be running until then. */
  readonly leaseUntil?: number;
  /** Epoch seconds: the table's TTL attribute. */
  readonly expiresAt?: number;
  readonly response?: StoredResponse;
}

/** Whether `scope`'s request may claim a record it found: given back, or the same request's with its lease lapsed. */
const mayTakeOver = (found: IdempotencyRecord, scope: IdempotencyScope, nowSeconds: number): boolean =>
  found.attemptId !== undefined &&
  (found.state === 'released' || (found.state === 'pending' && found.requestHash === scope.requestHash && (found.leaseUntil ?? Infinity) < nowSeconds));

const answerTo = (found: IdempotencyRecord, scope: IdempotencyScope): IdempotencyClaim => {
  if (found.requestHash !== scope.requestHash) return { state: 'mismatch' };
  if (found.state !== 'done') return { state: 'in-progress' };
  return { state: 'replay', response: found.response! };
};

/** A race lost twice in a row is a busy key: answered "in progress". */
const MAX_CLAIM_ROUNDS = 3;

export const idempotencyStore = (ctx: StoreContext) => {
  const keyOf = (scope: IdempotencyScope) => idempotencyKey(scope.routeId, scope.caller, scope.key);

  /** A new record: the key is unused, or its record expired (the TTL may not have removed it yet). */
  const claimFresh = async (scope: IdempotencyScope, held: HeldClaim, leaseUntil: number, now: Date) => {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    await ctx.db.send(
      new PutCommand({
        TableName: ctx.tables.Csms,
        Item: {
          ...keyOf(scope),
          type: 'IdempotencyRecord',
          requestHash: scope.requestHash,
          state: 'pending',
          ...held,
          leaseUntil,
          createdAt: now.toISOString(),
          expiresAt: nowSeconds + IDEMPOTENCY_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSeconds',
        ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  };

  /** Claims a record found released or lapsed, if it is still as found (another retry may have been quicker). */
  const takeOver = async (scope: IdempotencyScope, found: IdempotencyRecord, attemptId: string, leaseUntil: number, now: Date) => {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tables.Csms,
        Key: keyOf(scope),
        UpdateExpression: 'SET requestHash = :hash, #state = :pending, attemptId = :attempt, leaseUntil = :lease, expiresAt = :expires',
        ConditionExpression: 'attemptId = :seenAttempt AND #state = :seenState AND expiresAt >= :nowSeconds',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':hash': scope.requestHash,
          ':pending': 'pending',
          ':attempt': attemptId,
          ':lease': leaseUntil,
          ':expires': nowSeconds + IDEMPOTENCY_TTL_SECONDS,
          ':seenAttempt': found.attemptId,
          ':seenState': found.state,
          ':nowSeconds': nowSeconds,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  };

  /** Runs a write that holds `held`'s claim; false when another attempt holds it by now (or the record is gone). */
  const whileHeld = async (scope: IdempotencyScope, held: HeldClaim, set: string, values: Record<string, unknown>, names: Record<string, string> = {}) => {
    try {
      await ctx.db.send(
        new UpdateCommand({
          TableName: ctx.tables.Csms,
          Key: keyOf(scope),
          UpdateExpression: `SET ${set}`,
          ConditionExpression: 'attemptId = :attempt AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state', ...names },
          ExpressionAttributeValues: { ':attempt': held.attemptId, ':pending': 'pending', ...values },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  };

  return {
    /** `leaseSeconds`: how long the claiming request may run; past it, a retry of the same request may take over. */
    async claim(scope: IdempotencyScope, leaseSeconds: number): Promise<IdempotencyClaim> {
      const now = ctx.now();
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const leaseUntil = Math.ceil(now.getTime() / 1000 + leaseSeconds);
      const attemptId = randomUUID();
      let found: IdempotencyRecord | undefined;
      for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
        const held = { claimId: found?.claimId ?? randomUUID(), attemptId };
        try {
          if (found) await takeOver(scope, found, attemptId, leaseUntil, now);
          else await claimFresh(scope, held, leaseUntil, now);
          return { state: 'claimed', held };
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
          found = itemOfFailedCondition(error) as IdempotencyRecord | undefined;
          // Gone (the TTL removed it) or expired since it was read: the next round claims it afresh.
          if (found && (found.expiresAt ?? 0) < nowSeconds) found = undefined;
          if (found && !mayTakeOver(found, scope, nowSeconds)) return answerTo(found, scope);
        }
      }
      return { state: 'in-progress' };
    },

    /** Stores the answer for replays; false when the claim was taken over meanwhile (nothing is stored). */
    async complete(scope: IdempotencyScope, held: HeldClaim, response: StoredResponse): Promise<boolean> {
      return whileHeld(scope, held, '#state = :done, #response = :response', { ':done': 'done', ':response': response }, { '#response': 'response' });
    },

    /** Gives the key back after a failure, so the client's retry runs the request again (under the same claim). */
    async release(scope: IdempotencyScope, held: HeldClaim): Promise<void> {
      await whileHeld(scope, held, '#state = :released', { ':released': 'released' });
    },
  };
};

export type IdempotencyStore = ReturnType<typeof idempotencyStore>;
