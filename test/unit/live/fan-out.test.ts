import { describe, expect, it } from 'vitest';
import { fanOut, type OperatorLink, type Subscriber, type SubscriberDirectory } from '#shared/live/fan-out.ts';
import type { LiveEvent, LiveKind } from '#shared/live/live-event.ts';
import { silentLog } from '#shared/log/logger.ts';

const event = (o: Partial<LiveEvent> = {}): LiveEvent => ({ type: 'event', eventId: 'e1', kind: 'status', chargerId: 'CP-1', at: '2026-01-01T00:00:00.000Z', data: {}, ...o });
const all: readonly LiveKind[] = ['status', 'meterValues', 'transactions', 'commands', 'files', 'boot'];

/** Subscriptions by target, chargers' locations, and what was closed and read. */
const directory = (byTarget: Record<string, Subscriber[]>, locations: Record<string, string> = {}) => {
  const closed: string[] = [];
  const reads: string[] = [];
  const dir: SubscriberDirectory = {
    subscribersOf: async (targets) => {
      reads.push(...targets);
      return targets.flatMap((t) => byTarget[t] ?? []);
    },
    locationsOf: async (ids) => new Map(ids.flatMap((id) => (locations[id] ? [[id, locations[id]] as const] : []))),
    close: async (id) => void closed.push(id),
  };
  return { dir, closed, reads };
};

/** Posts recorded per connection; `hang` never answers, `gone` answers 410. */
const link = (behaviour: Record<string, 'hang' | 'gone'> = {}) => {
  const posted: Record<string, string[]> = {};
  const l: OperatorLink = {
    post: (connectionId, message, signal) => {
      if (behaviour[connectionId] === 'hang') return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      if (behaviour[connectionId] === 'gone') return Promise.resolve('gone');
      (posted[connectionId] ??= []).push(message);
      return Promise.resolve('sent');
    },
  };
  return { l, posted };
};

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
    const report = await fanOut({ subscribers: dir, link: l, log: silentLog, postTimeoutMs: 100 }, [event(), event({ eventId: 'e2' })]);
    // Assess
    expect(Object.keys(posted).sort()).toEqual(['a', 'c', 'd']);
    expect(posted.a!.map((m) => (JSON.parse(m) as LiveEvent).eventId)).toEqual(['e1', 'e2']);
    expect(JSON.parse(posted.c![0]!)).toMatchObject({ locationId: 'LIS-1' });
    expect(report).toEqual({ events: 2, sent: 6, gone: 0, failed: 0 });
    expect(reads.sort()).toEqual(['all', 'charger:cp-1', 'location:LIS-1']); // one read per target for the batch
  });

  it('does not let a stuck subscriber hold the others up, and forgets a gone one', async () => {
    const { dir, closed } = directory({ all: ['slow', 'gone', 'fine'].map((connectionId) => ({ connectionId, kinds: all })) });
    const { l, posted } = link({ slow: 'hang', gone: 'gone' });
    const started = Date.now();
    const report = await fanOut({ subscribers: dir, link: l, log: silentLog, postTimeoutMs: 200 }, [event(), event({ eventId: 'e2' }), event({ eventId: 'e3' })]);
    // One timeout for the stuck connection, not one per event; the healthy one got all three meanwhile.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(posted.fine).toHaveLength(3);
    expect(closed).toEqual(['gone']);
    expect(report).toEqual({ events: 3, sent: 3, gone: 1, failed: 1 });
  });
});
