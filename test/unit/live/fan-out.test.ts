import { describe, expect, it } from 'vitest';
import { fanOut, MAX_LIVE_MESSAGE_BYTES, type OperatorLink, type Subscriber, type SubscriberDirectory } from '#shared/live/fan-out.ts';
import type { LiveEvent, LiveKind } from '#shared/live/live-event.ts';
import { type Log, silentLog } from '#shared/log/logger.ts';

const event = (o: Partial<LiveEvent> = {}): LiveEvent => ({ type: 'event', eventId: 'e1', kind: 'status', chargerId: 'CP-1', at: '2026-01-01T00:00:00.000Z', data: {}, ...o });
const all: readonly LiveKind[] = ['status', 'meterValues', 'transactions', 'commands', 'files', 'boot'];

/**
 * Subscriptions by target, chargers' locations, and what was closed and read. A target is watched (its marker live)
 * when it has subscriptions, and `locations` when some location does; `stale` targets are watched with nobody left.
 */
const directory = (byTarget: Record<string, Subscriber[]>, locations: Record<string, string> = {}, stale: string[] = []) => {
  const closed: string[] = [];
  const reads: string[] = [];
  const markerReads: string[][] = [];
  const locationReads: string[][] = [];
  const watchedTargets = new Set([...Object.keys(byTarget), ...stale]);
  if ([...watchedTargets].some((t) => t.startsWith('location:'))) watchedTargets.add('locations');
  const dir: SubscriberDirectory = {
    watched: async (targets) => {
      markerReads.push([...targets]);
      return new Set(targets.filter((t) => watchedTargets.has(t)));
    },
    subscribersOf: async (target) => {
      reads.push(target);
      return byTarget[target] ?? [];
    },
    locationsOf: async (ids) => {
      locationReads.push([...ids]);
      return new Map(ids.flatMap((id) => (locations[id] ? [[id, locations[id]] as const] : [])));
    },
    close: async (id) => void closed.push(id),
  };
  return { dir, closed, reads, markerReads, locationReads };
};

/** What a connection does with a post: never answers, answers 410, or fails (as after the SDK's retries). */
type PostBehaviour = 'hang' | 'gone' | 'fail' | 'slow';
/** What a disconnect of it does, when not closed at once: never answers, or fails. */
type DisconnectBehaviour = 'hang' | 'fail';

const abortedBy = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

/** Posts recorded per connection, and the connections disconnected (asked to, whatever the outcome). */
const link = (posts: Record<string, PostBehaviour> = {}, disconnects: Record<string, DisconnectBehaviour> = {}) => {
  const posted: Record<string, string[]> = {};
  const disconnected: string[] = [];
  const l: OperatorLink = {
    post: (connectionId, message, signal) => {
      if (posts[connectionId] === 'hang') return abortedBy(signal);
      if (posts[connectionId] === 'gone') return Promise.resolve('gone');
      if (posts[connectionId] === 'fail') return Promise.reject(new Error('InternalServerErrorException'));
      // Answers each post, but only after 60 ms (or fails when the signal aborts first).
      if (posts[connectionId] === 'slow')
        return Promise.race([
          abortedBy(signal),
          new Promise<'sent'>((resolve) => setTimeout(() => resolve('sent'), 60)).then((r) => ((posted[connectionId] ??= []).push(message), r)),
        ]);
      (posted[connectionId] ??= []).push(message);
      return Promise.resolve('sent');
    },
    disconnect: (connectionId, signal) => {
      disconnected.push(connectionId);
      if (disconnects[connectionId] === 'hang') return abortedBy(signal);
      if (disconnects[connectionId] === 'fail') return Promise.reject(new Error('ForbiddenException'));
      return Promise.resolve();
    },
  };
  return { l, posted, disconnected };
};

/** A log that keeps its warnings. */
const warnings = () => {
  const lines: { message: string; fields: object }[] = [];
  const log: Log = { ...silentLog, warn: (message, ...extra) => void lines.push({ message, fields: Object.assign({}, ...extra) as object }) };
  return { log, lines };
};

const subscribed = (...ids: string[]) => ({ all: ids.map((connectionId) => ({ connectionId, kinds: all })) });
const three = [event(), event({ eventId: 'e2' }), event({ eventId: 'e3' })];

describe('fanOut', () => {
  it('sends an event to its charger’s, its location’s and everything’s subscribers once each, by kind', async () => {
    // Prepare
    const { dir, reads } = directory(
      {
        'charger:cp-1': [{ connectionId: 'a', kinds: all }, { connectionId: 'b', kinds: ['boot'] }],
        'location:LIS-1': [{ connectionId: 'a', kinds: all }, { connectionId: 'c', kinds: ['status'] }],
        all: [{ connectionId: 'd', kinds: all }],
        'charger:cp-2': [{ connectionId: 'e', kinds: all }],
      },
      { 'CP-1': 'LIS-1' },
    );
    const { l, posted } = link();
    // Act
    const report = await fanOut({ subscribers: dir, link: l, log: silentLog, callTimeoutMs: 100, connectionBudgetMs: 5_000 }, [event(), event({ eventId: 'e2' })]);
    // Assess
    expect(Object.keys(posted).sort()).toEqual(['a', 'c', 'd']);
    expect(posted.a!.map((m) => (JSON.parse(m) as LiveEvent).eventId)).toEqual(['e1', 'e2']);
    expect(JSON.parse(posted.c![0]!)).toMatchObject({ locationId: 'LIS-1' });
    expect(report).toEqual({ events: 2, sent: 6, gone: 0, dropped: 0 });
    expect(reads.sort()).toEqual(['all', 'charger:cp-1', 'location:LIS-1']); // one read per watched target for the batch
  });

  it('reads one batch of markers and nothing else when nobody watches the batch’s chargers', async () => {
    // Prepare: someone watches another charger only
    const { dir, reads, markerReads, locationReads } = directory({ 'charger:cp-9': [{ connectionId: 'a', kinds: all }] }, { 'CP-1': 'LIS-1' });
    const { l, posted } = link();
    // Act
    const report = await fanOut({ subscribers: dir, link: l, log: silentLog, callTimeoutMs: 100, connectionBudgetMs: 5_000 }, [event(), event({ eventId: 'e2', chargerId: 'CP-2' })]);
    // Assess
    expect(markerReads).toEqual([['charger:cp-1', 'all', 'charger:cp-2', 'locations']]);
    expect(reads).toEqual([]);
    expect(locationReads).toEqual([]);
    expect(posted).toEqual({});
    expect(report).toEqual({ events: 2, sent: 0, gone: 0, dropped: 0 });
  });

  it('looks up locations only while some location is watched, and then reads those locations’ markers', async () => {
    // Prepare: one viewer of every charger, none of a location
    const everything = directory({ all: [{ connectionId: 'a', kinds: all }] }, { 'CP-1': 'LIS-1' });
    const { l, posted } = link();
    // Act
    await fanOut({ subscribers: everything.dir, link: l, log: silentLog, callTimeoutMs: 100, connectionBudgetMs: 5_000 }, [event()]);
    // Assess: the event still names its location; no location's marker or subscribers read
    expect(JSON.parse(posted.a![0]!)).toMatchObject({ locationId: 'LIS-1' });
    expect(everything.markerReads).toEqual([['charger:cp-1', 'all', 'locations']]);
    expect(everything.reads).toEqual(['all']);

    // Prepare: a viewer of location LIS-1, and a stale marker of LIS-2 (its viewers gone)
    const located = directory({ 'location:LIS-1': [{ connectionId: 'b', kinds: all }] }, { 'CP-1': 'LIS-1', 'CP-2': 'LIS-2' }, ['location:LIS-2']);
    const second = link();
    // Act
    await fanOut({ subscribers: located.dir, link: second.l, log: silentLog, callTimeoutMs: 100, connectionBudgetMs: 5_000 }, [event(), event({ eventId: 'e2', chargerId: 'CP-2' })]);
    // Assess
    expect(located.locationReads).toEqual([['CP-1', 'CP-2']]);
    expect(located.markerReads).toEqual([['charger:cp-1', 'all', 'charger:cp-2', 'locations'], ['location:LIS-1', 'location:LIS-2']]);
    expect(located.reads.sort()).toEqual(['location:LIS-1', 'location:LIS-2']);
    expect(Object.keys(second.posted)).toEqual(['b']);
    expect(second.posted.b!.map((m) => (JSON.parse(m) as LiveEvent).eventId)).toEqual(['e1']);
  });

  it('drops a subscriber whose post fails: closes its connection, forgets it, sends it nothing more of the batch', async () => {
    // Prepare
    const { dir, closed } = directory(subscribed('broken', 'fine'));
    const { l, posted, disconnected } = link({ broken: 'fail' });
    const { log, lines } = warnings();
    // Act
    const report = await fanOut({ subscribers: dir, link: l, log, callTimeoutMs: 200, connectionBudgetMs: 5_000 }, three);
    // Assess
    expect(disconnected).toEqual(['broken']);
    expect(closed).toEqual(['broken']);
    expect(posted.broken).toBeUndefined();
    expect(posted.fine).toHaveLength(3);
    expect(report).toEqual({ events: 3, sent: 3, gone: 0, dropped: 1 });
    expect(lines).toEqual([{ message: expect.stringContaining('dropping the subscriber'), fields: { connectionId: 'broken', reason: expect.stringContaining('InternalServerError') } }]);
  });

  it('drops a subscriber that misses its deadline without holding the others up', async () => {
    // Prepare
    const { dir, closed } = directory(subscribed('slow', 'fine'));
    const { l, posted, disconnected } = link({ slow: 'hang' });
    const { log, lines } = warnings();
    const started = Date.now();
    // Act
    const report = await fanOut({ subscribers: dir, link: l, log, callTimeoutMs: 200, connectionBudgetMs: 5_000 }, three);
    // Assess: one deadline for the stuck connection, not one per event; the healthy one got all three meanwhile.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(posted.fine).toHaveLength(3);
    expect(disconnected).toEqual(['slow']);
    expect(closed).toEqual(['slow']);
    expect(report).toEqual({ events: 3, sent: 3, gone: 0, dropped: 1 });
    expect(lines.map((w) => w.fields)).toEqual([{ connectionId: 'slow', reason: 'timeout' }]);
  });

  it('forgets a gone subscriber without a disconnect', async () => {
    const { dir, closed } = directory(subscribed('gone', 'fine'));
    const { l, posted, disconnected } = link({ gone: 'gone' });
    const report = await fanOut({ subscribers: dir, link: l, log: silentLog, callTimeoutMs: 200, connectionBudgetMs: 5_000 }, three);
    expect(closed).toEqual(['gone']);
    expect(disconnected).toEqual([]);
    expect(posted.fine).toHaveLength(3);
    expect(report).toEqual({ events: 3, sent: 3, gone: 1, dropped: 0 });
  });

  it('forgets a dropped subscriber even when its disconnect fails or hangs, logging it, within one more deadline', async () => {
    // Prepare
    const { dir, closed } = directory(subscribed('refused', 'stuck', 'fine'));
    const { l, posted, disconnected } = link({ refused: 'fail', stuck: 'hang' }, { refused: 'fail', stuck: 'hang' });
    const { log, lines } = warnings();
    const started = Date.now();
    // Act
    const report = await fanOut({ subscribers: dir, link: l, log, callTimeoutMs: 200, connectionBudgetMs: 5_000 }, three);
    // Assess: the stuck one's post and disconnect each had a deadline, in parallel with everyone else.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(disconnected.sort()).toEqual(['refused', 'stuck']);
    expect(closed.sort()).toEqual(['refused', 'stuck']);
    expect(posted.fine).toHaveLength(3);
    expect(report).toEqual({ events: 3, sent: 3, gone: 0, dropped: 2 });
    const notDisconnected = lines.filter((w) => w.message === 'live subscriber not disconnected').map((w) => w.fields);
    expect(notDisconnected).toEqual(expect.arrayContaining([{ connectionId: 'refused', reason: expect.stringContaining('ForbiddenException') }, { connectionId: 'stuck', reason: 'timeout' }]));
    expect(notDisconnected).toHaveLength(2);
  });

  it('drops a subscriber that takes each post in time but the batch too slowly, and serves the others in full', async () => {
    const { dir, closed } = directory(subscribed('slow', 'fast'));
    const { l, posted, disconnected } = link({ slow: 'slow' });
    const report = await fanOut({ subscribers: dir, link: l, log: silentLog, callTimeoutMs: 1_000, connectionBudgetMs: 100 }, three);
    expect(posted.fast).toHaveLength(3);
    expect(posted.slow?.length ?? 0).toBeLessThan(3);
    expect(disconnected).toEqual(['slow']);
    expect(closed).toEqual(['slow']);
    expect(report).toMatchObject({ dropped: 1 });
  });

  it('sends an event too large for one WebSocket message without its data, and a small one whole', async () => {
    const { dir } = directory(subscribed('a'));
    const { l, posted, disconnected } = link();
    const large = event({ eventId: 'big', kind: 'commands', data: { payload: 'x'.repeat(MAX_LIVE_MESSAGE_BYTES) } });
    const report = await fanOut({ subscribers: dir, link: l, log: silentLog, callTimeoutMs: 200, connectionBudgetMs: 5_000 }, [large, event({ eventId: 'small', data: { status: 'Available' } })]);
    const [big, small] = posted.a!.map((m) => JSON.parse(m) as LiveEvent);
    expect(big).toMatchObject({ eventId: 'big', kind: 'commands', chargerId: 'CP-1', data: {}, dataOmitted: true });
    expect(Buffer.byteLength(posted.a![0]!)).toBeLessThanOrEqual(MAX_LIVE_MESSAGE_BYTES);
    expect(small).toMatchObject({ eventId: 'small', data: { status: 'Available' } });
    expect(small?.dataOmitted).toBeUndefined();
    expect(disconnected).toEqual([]);
    expect(report).toMatchObject({ sent: 2, dropped: 0 });
  });
});
