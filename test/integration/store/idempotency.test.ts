/**
 * The idempotency store: a claim under a lease, a retry that finds the answer, a claim given back or left past its
 * lease and taken over under the same `claimId`, a record past its day claimed afresh under a new one, and an attempt
 * whose claim was taken over changing nothing. The stores run on fixed clocks, so each lease is known.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdempotencyClaim, type IdempotencyScope, type IdempotencyStore, IDEMPOTENCY_TTL_SECONDS } from '#shared/store/idempotency-store.ts';
import { idempotencyKey } from '#shared/store/keys.ts';
import { currentSecond, depsAt, openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
let now: Date;
beforeAll(async () => {
  f = await openStoreFixture();
  now = currentSecond();
});
afterAll(async () => f?.close());

const LEASE = 15;
/** The store with its clock `seconds` from now. */
const storeAt = (seconds: number): IdempotencyStore => depsAt(f, new Date(now.getTime() + seconds * 1000)).stores.idempotency;
const scopeOf = (key: string, requestHash = 'hash-a'): IdempotencyScope => ({ routeId: 'SendCommand', caller: 'otto', key, requestHash });
const held = (claim: IdempotencyClaim) => {
  if (claim.state !== 'claimed') throw new Error(`expected a claim, got ${claim.state}`);
  return claim.held;
};
const recordOf = (scope: IdempotencyScope) => f.item('Csms', idempotencyKey(scope.routeId, scope.caller, scope.key));

describe('a pending claim', () => {
  it('answers a retry "in progress" within its lease, and lets the same request take it over after, under the same claimId', async () => {
    const scope = scopeOf('lease-1');
    const first = held(await storeAt(0).claim(scope, LEASE));
    expect(await recordOf(scope)).toMatchObject({ state: 'pending', leaseUntil: Math.floor(now.getTime() / 1000) + LEASE, claimId: first.claimId });
    expect(await storeAt(LEASE).claim(scope, LEASE)).toEqual({ state: 'in-progress' });
    expect(await storeAt(LEASE + 1).claim(scopeOf('lease-1', 'hash-b'), LEASE)).toEqual({ state: 'mismatch' });

    const second = held(await storeAt(LEASE + 1).claim(scope, LEASE));
    expect(second.claimId).toBe(first.claimId);
    expect(second.attemptId).not.toBe(first.attemptId);
    // Two retries racing past the lease: one takes it over, the other finds it in progress.
    expect(await storeAt(LEASE + 1).claim(scope, LEASE)).toEqual({ state: 'in-progress' });

    // The first attempt, late: its answer is not stored and its release gives nothing back.
    expect(await storeAt(LEASE + 2).complete(scope, first, { status: 202, body: { from: 'first' } })).toBe(false);
    await storeAt(LEASE + 2).release(scope, first);
    expect(await recordOf(scope)).toMatchObject({ state: 'pending', attemptId: second.attemptId });
    expect(await storeAt(LEASE + 2).complete(scope, second, { status: 202, body: { from: 'second' } })).toBe(true);
    expect(await storeAt(LEASE + 3).claim(scope, LEASE)).toEqual({ state: 'replay', response: { status: 202, body: { from: 'second' } } });
  });

  it('given back after a failure, is claimed again by the next request, any, under the same claimId', async () => {
    const scope = scopeOf('release-1');
    const first = held(await storeAt(0).claim(scope, LEASE));
    await storeAt(1).release(scope, first);
    expect(await recordOf(scope)).toMatchObject({ state: 'released', claimId: first.claimId });
    const other = held(await storeAt(2).claim(scopeOf('release-1', 'hash-b'), LEASE));
    expect(other.claimId).toBe(first.claimId);
    expect(await storeAt(3).claim(scope, LEASE)).toEqual({ state: 'mismatch' });
  });
});

describe('a record past its day', () => {
  it('is claimed afresh, under a new claimId, by the same request or another', async () => {
    const scope = scopeOf('expired-1');
    const first = held(await storeAt(0).claim(scope, LEASE));
    await storeAt(1).complete(scope, first, { status: 202 });
    expect(await storeAt(IDEMPOTENCY_TTL_SECONDS - 1).claim(scope, LEASE)).toMatchObject({ state: 'replay' });

    const again = held(await storeAt(IDEMPOTENCY_TTL_SECONDS + 1).claim(scope, LEASE));
    expect(again.claimId).not.toBe(first.claimId);
    const other = held(await storeAt(2 * IDEMPOTENCY_TTL_SECONDS + 2).claim(scopeOf('expired-1', 'hash-b'), LEASE));
    expect(other.claimId).not.toBe(again.claimId);
  });
});
