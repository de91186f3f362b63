/**
 * The live-subscription store on DynamoDB Local: a subscription marks its target (and, for a location, that some
 * location is watched) until later than any connection can live, in the same requests as the subscription; the
 * fan-out reads a batch's markers in one request and a target's subscribers without its marker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_LOCATION_TARGET, chargerTarget, locationTarget } from '#shared/live/live-event.ts';
import { OPERATOR_CONNECTION_TTL_SECONDS } from '#shared/store/live-subscription-store.ts';
import { liveTargetMarkerKey } from '#shared/store/keys.ts';
import { countingRequests, currentSecond, depsAt, openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const NOW = currentSecond();
const later = (seconds: number) => depsAt(f, new Date(NOW.getTime() + seconds * 1000)).stores.liveSubscriptions;

describe('live subscriptions: target markers', () => {
  it('marks a subscribed charger, location and "some location" in the subscribe’s own write; one read answers a batch', async () => {
    // Prepare
    const store = later(0);
    await store.open({ connectionId: 'conn-m1', principal: 'alice', connectedAt: NOW.toISOString() });
    const cp = chargerTarget('CP-MARK-1');
    const loc = locationTarget('LOC-MARK-1');
    // Act
    const { requests } = await countingRequests(() => store.subscribe('conn-m1', [cp, loc], ['status']));
    // Assess: the connection's update, then one BatchWriteItem of two subscriptions and three markers
    expect(requests).toBe(2);
    const marker = await f.item('Csms', liveTargetMarkerKey(cp));
    expect(marker).toMatchObject({ type: 'LiveTargetMarker', target: cp });
    expect(Number(marker?.expiresAt)).toBeGreaterThan(NOW.getTime() / 1000 + OPERATOR_CONNECTION_TTL_SECONDS);
    const unwatched = chargerTarget('CP-MARK-NOBODY');
    const read = await countingRequests(() => store.watched([cp, unwatched, loc, ANY_LOCATION_TARGET, 'all']));
    expect(read.requests).toBe(1);
    expect([...read.result].sort()).toEqual([ANY_LOCATION_TARGET, cp, loc].sort());
    // A target's subscribers, never its marker
    expect(await store.subscribersOf(cp)).toEqual([{ connectionId: 'conn-m1', kinds: ['status'] }]);
  });

  it('keeps a marker after the last unsubscribe (a query that finds nobody) until it expires', async () => {
    // Prepare
    const store = later(0);
    await store.open({ connectionId: 'conn-m2', principal: 'alice', connectedAt: NOW.toISOString() });
    const cp = chargerTarget('CP-MARK-2');
    await store.subscribe('conn-m2', [cp], ['status']);
    // Act
    await store.unsubscribe('conn-m2', [cp]);
    // Assess
    expect([...(await store.watched([cp]))]).toEqual([cp]);
    expect(await store.subscribersOf(cp)).toEqual([]);
    expect([...(await later(OPERATOR_CONNECTION_TTL_SECONDS + 3600).watched([cp]))]).toEqual([]);
    expect(await countingRequests(() => store.watched([])).then((r) => r.requests)).toBe(0);
  });

  it('moves a marker later with each subscribe, so it outlives every connection subscribed there', async () => {
    // Prepare: a first connection subscribes, another an hour later
    const cp = chargerTarget('CP-MARK-3');
    const first = later(0);
    await first.open({ connectionId: 'conn-m3a', principal: 'alice', connectedAt: NOW.toISOString() });
    await first.subscribe('conn-m3a', [cp], ['status']);
    const second = later(3600);
    await second.open({ connectionId: 'conn-m3b', principal: 'bob', connectedAt: NOW.toISOString() });
    // Act
    await second.subscribe('conn-m3b', [cp], ['status']);
    // Assess: watched past the first connection's end, up to the second's
    expect([...(await later(OPERATOR_CONNECTION_TTL_SECONDS + 1800).watched([cp]))]).toEqual([cp]);
    expect([...(await later(3600 + OPERATOR_CONNECTION_TTL_SECONDS + 1800).watched([cp]))]).toEqual([]);
  });

  it('writes no marker for a refused subscribe', async () => {
    const store = later(0);
    const cp = chargerTarget('CP-MARK-4');
    expect(await store.subscribe('conn-never-opened', [cp], ['status'])).toEqual({ subscribed: false, reason: 'closed' });
    expect(await f.item('Csms', liveTargetMarkerKey(cp))).toBeUndefined();
  });
});
