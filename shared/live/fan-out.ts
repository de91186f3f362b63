/**
 * Fan-out of live events to operator connections: each event goes to the connections subscribed to its charger,
 * its location or every charger, for its kind. Posts run in parallel, each with its own deadline, so a slow or
 * vanished subscriber costs the others nothing; a gone one (410) is forgotten. Delivery is at least once: a batch
 * whose subscribers cannot be read is retried whole, and subscribers tell a repeat by its `eventId`.
 */
import type { Log } from '../log/logger.ts';
import { targetsOf, type LiveEvent, type LiveKind, type LiveTarget } from './live-event.ts';

export interface Subscriber {
  readonly connectionId: string;
  readonly kinds: readonly LiveKind[];
}

/** The store's side (shared/store/live-subscription-store.ts). */
export interface SubscriberDirectory {
  /** The subscriptions to each target: one read per target. */
  subscribersOf(targets: readonly LiveTarget[]): Promise<Subscriber[]>;
  /** The location of each charger that has one (ids as the events carry them). */
  locationsOf(chargerIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Drops a connection that is gone, with its subscriptions. */
  close(connectionId: string): Promise<void>;
}

/** Posts to one operator connection: `gone` when it no longer exists; throws on a failure or when `signal` aborts. */
export interface OperatorLink {
  post(connectionId: string, message: string, signal: AbortSignal): Promise<'sent' | 'gone'>;
}

export interface FanOutPorts {
  readonly subscribers: SubscriberDirectory;
  readonly link: OperatorLink;
  readonly log: Log;
  /** How long one post may take before it counts as failed. */
  readonly postTimeoutMs: number;
}

export interface FanOutReport {
  readonly events: number;
  readonly sent: number;
  readonly gone: number;
  readonly failed: number;
}

/** Events without a location get their charger's (one read for the batch's chargers). */
const withLocations = async (ports: FanOutPorts, events: readonly LiveEvent[]): Promise<LiveEvent[]> => {
  const missing = [...new Set(events.filter((e) => e.locationId === undefined).map((e) => e.chargerId))];
  if (missing.length === 0) return [...events];
  const locations = await ports.subscribers.locationsOf(missing);
  return events.map((e) => {
    const locationId = e.locationId ?? locations.get(e.chargerId);
    return locationId === undefined ? e : { ...e, locationId };
  });
};

/** One delivery per connection, even when several of its subscriptions match. */
const recipientsOf = async (ports: FanOutPorts, event: LiveEvent, cache: Map<string, Promise<Subscriber[]>>): Promise<string[]> => {
  const lists = await Promise.all(
    targetsOf(event).map((target) => {
      let found = cache.get(target);
      if (!found) cache.set(target, (found = ports.subscribers.subscribersOf([target])));
      return found;
    }),
  );
  return [...new Set(lists.flat().filter((s) => s.kinds.includes(event.kind)).map((s) => s.connectionId))];
};

const postWithDeadline = async (ports: FanOutPorts, connectionId: string, message: string): Promise<'sent' | 'gone' | 'failed'> => {
  const signal = AbortSignal.timeout(ports.postTimeoutMs);
  try {
    return await ports.link.post(connectionId, message, signal);
  } catch (error) {
    ports.log.warn('live event not delivered', { connectionId, reason: signal.aborted ? 'timeout' : String(error) });
    return 'failed';
  }
};

/** Sends each event to its subscribers; reports what happened. Throws only when subscribers cannot be read. */
export const fanOut = async (ports: FanOutPorts, events: readonly LiveEvent[]): Promise<FanOutReport> => {
  const located = await withLocations(ports, events);
  const cache = new Map<string, Promise<Subscriber[]>>();
  const deliveries = await Promise.all(
    located.map(async (event) => ({ message: JSON.stringify(event), to: await recipientsOf(ports, event, cache) })),
  );
  // Per connection in order, connections in parallel: one connection's events arrive in stream order.
  const byConnection = new Map<string, string[]>();
  for (const d of deliveries) for (const c of d.to) byConnection.set(c, [...(byConnection.get(c) ?? []), d.message]);
  const outcomes = await Promise.all(
    [...byConnection].map(async ([connectionId, messages]) => {
      const results: ('sent' | 'gone' | 'failed')[] = [];
      for (const message of messages) {
        const result = await postWithDeadline(ports, connectionId, message);
        results.push(result);
        if (result === 'gone') {
          await ports.subscribers.close(connectionId);
          break;
        }
        if (result === 'failed') break; // a stuck subscriber gets no more of this batch: the others are not held up
      }
      return results;
    }),
  );
  const all = outcomes.flat();
  const count = (r: string) => all.filter((x) => x === r).length;
  return { events: events.length, sent: count('sent'), gone: count('gone'), failed: count('failed') };
};
