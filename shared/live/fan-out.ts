/**
 * Fan-out of live events to operator connections: each event goes to the connections subscribed to its charger,
 * its location or every charger, for its kind. Connections are served in parallel, each call with its own deadline,
 * so a slow or vanished subscriber costs the others nothing. A gone one (410) is forgotten. One whose post fails or
 * misses its deadline is dropped: its connection is closed and its subscriptions forgotten, since it would otherwise
 * stay subscribed while missing events. So an open connection receives every event at least once (a batch whose
 * subscribers cannot be read is retried whole; subscribers tell a repeat by its `eventId`), and a closed one may have
 * missed some: its client reconnects and subscribes again. A connection that takes the batch in, but slowly, is
 * dropped too once its share of the batch outlasts `connectionBudgetMs`, so the batch ends well within the function's
 * timeout. An event too large for one WebSocket message goes out without its `data` (`dataOmitted`), rather than
 * failing, and dropping, everyone subscribed to it.
 */
import type { Log } from '../log/logger.ts';
import { ANY_LOCATION_TARGET, targetsOf, type LiveEvent, type LiveKind, type LiveTarget } from './live-event.ts';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '../websocket-limits.ts';

export interface Subscriber {
  readonly connectionId: string;
  readonly kinds: readonly LiveKind[];
}

/** The store's side (shared/store/live-subscription-store.ts). */
export interface SubscriberDirectory {
  /** Those of the targets that may have subscribers (ANY_LOCATION_TARGET: some location may): one read for them all. */
  watched(targets: readonly LiveTarget[]): Promise<Set<LiveTarget>>;
  /** The subscriptions to one target: one read. */
  subscribersOf(target: LiveTarget): Promise<Subscriber[]>;
  /** The location of each charger that has one (ids as the events carry them). */
  locationsOf(chargerIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Forgets a connection (gone, or dropped by the fan-out) with its subscriptions. */
  close(connectionId: string): Promise<void>;
}

/** One operator connection's side of the operators' API (functions/_common/connections.ts). */
export interface OperatorLink {
  /** Posts one message: `gone` when the connection no longer exists; throws on a failure or when `signal` aborts. */
  post(connectionId: string, message: string, signal: AbortSignal): Promise<'sent' | 'gone'>;
  /** Closes the connection (one already gone is fine); throws on a failure or when `signal` aborts. */
  disconnect(connectionId: string, signal: AbortSignal): Promise<void>;
}

export interface FanOutPorts {
  readonly subscribers: SubscriberDirectory;
  readonly link: OperatorLink;
  readonly log: Log;
  /** How long one call on a connection (a post, or the disconnect that drops it) may take before it counts as failed. */
  readonly callTimeoutMs: number;
  /** How long one connection's posts of a batch may take together before it counts as slow and is dropped. */
  readonly connectionBudgetMs: number;
}

/** API Gateway's largest WebSocket message (and PostToConnection payload): 128 KB. */
export const MAX_LIVE_MESSAGE_BYTES = MAX_WEBSOCKET_MESSAGE_BYTES;

/** The event as one message; one too large for a message loses its `data` (the REST API has the record). */
export const liveMessageOf = (event: LiveEvent): string => {
  const whole = JSON.stringify(event);
  return Buffer.byteLength(whole, 'utf8') <= MAX_LIVE_MESSAGE_BYTES ? whole : JSON.stringify({ ...event, data: {}, dataOmitted: true });
};

export interface FanOutReport {
  readonly events: number;
  /** Posts delivered. */
  readonly sent: number;
  /** Connections found gone (410) and forgotten. */
  readonly gone: number;
  /** Connections dropped (closed and forgotten) because a post to them failed or missed its deadline. */
  readonly dropped: number;
}

type Delivery = 'sent' | 'gone' | 'failed';

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

const targetsOfAll = (events: readonly LiveEvent[]): LiveTarget[] => [...new Set(events.flatMap(targetsOf))];

/**
 * The batch's events with their locations, and the subscribers of each of their targets that may have any. Markers
 * are read first, so a batch nobody watches costs that one read and nothing else.
 */
const audienceOf = async (ports: FanOutPorts, events: readonly LiveEvent[]) => {
  const unlocated = events.some((e) => e.locationId === undefined);
  const first = [...targetsOfAll(events), ...(unlocated ? [ANY_LOCATION_TARGET] : [])];
  const watched = await ports.subscribers.watched(first);
  const someLocationWatched = watched.delete(ANY_LOCATION_TARGET);
  if (watched.size === 0 && !someLocationWatched) return { located: events, subscribers: new Map<LiveTarget, Subscriber[]>() };
  const located = await withLocations(ports, events);
  if (someLocationWatched) {
    const locations = targetsOfAll(located).filter((t) => !first.includes(t));
    for (const t of await ports.subscribers.watched(locations)) watched.add(t);
  }
  const subscribers = new Map(await Promise.all([...watched].map(async (t) => [t, await ports.subscribers.subscribersOf(t)] as const)));
  return { located, subscribers };
};

/** One delivery per connection, even when several of its subscriptions match. */
const recipientsOf = (event: LiveEvent, subscribers: ReadonlyMap<LiveTarget, readonly Subscriber[]>): string[] => {
  const matching = targetsOf(event).flatMap((t) => subscribers.get(t) ?? []);
  return [...new Set(matching.filter((s) => s.kinds.includes(event.kind)).map((s) => s.connectionId))];
};

/** A failure, or `timeout` when the call missed its deadline. */
const reasonOf = (error: unknown, signal: AbortSignal): string => (signal.aborted ? 'timeout' : String(error));

const postWithDeadline = async (ports: FanOutPorts, connectionId: string, message: string, budget: AbortSignal): Promise<Delivery> => {
  const signal = AbortSignal.any([AbortSignal.timeout(ports.callTimeoutMs), budget]);
  try {
    return await ports.link.post(connectionId, message, signal);
  } catch (error) {
    ports.log.warn('live event not delivered: dropping the subscriber', { connectionId, reason: reasonOf(error, signal) });
    return 'failed';
  }
};

/**
 * Closes the connection and forgets its subscriptions. A failed disconnect is only logged: forgotten, the connection
 * gets no more events, and API Gateway ends it at its idle timeout or 2-hour limit at the latest.
 */
const drop = async (ports: FanOutPorts, connectionId: string): Promise<void> => {
  const disconnecting = async () => {
    const signal = AbortSignal.timeout(ports.callTimeoutMs);
    try {
      await ports.link.disconnect(connectionId, signal);
    } catch (error) {
      ports.log.warn('live subscriber not disconnected', { connectionId, reason: reasonOf(error, signal) });
    }
  };
  await Promise.all([disconnecting(), ports.subscribers.close(connectionId)]);
};

/** One connection's events in stream order, until one is not delivered or the connection's budget is spent. */
const deliverTo = async (ports: FanOutPorts, connectionId: string, messages: readonly string[]): Promise<Delivery[]> => {
  const budget = AbortSignal.timeout(ports.connectionBudgetMs);
  const results: Delivery[] = [];
  for (const message of messages) {
    const result = await postWithDeadline(ports, connectionId, message, budget);
    results.push(result);
    if (result === 'gone') {
      await ports.subscribers.close(connectionId);
      break;
    }
    if (result === 'failed') {
      await drop(ports, connectionId);
      break;
    }
  }
  return results;
};

/** Sends each event to its subscribers; reports what happened. Throws only when subscribers cannot be read or forgotten. */
export const fanOut = async (ports: FanOutPorts, events: readonly LiveEvent[]): Promise<FanOutReport> => {
  const { located, subscribers } = await audienceOf(ports, events);
  const deliveries = located.map((event) => ({ message: liveMessageOf(event), to: recipientsOf(event, subscribers) }));
  // Per connection in order, connections in parallel: one connection's events arrive in stream order, and dropping
  // one holds no other up.
  const byConnection = new Map<string, string[]>();
  for (const d of deliveries) for (const c of d.to) byConnection.set(c, [...(byConnection.get(c) ?? []), d.message]);
  const all = (await Promise.all([...byConnection].map(([connectionId, messages]) => deliverTo(ports, connectionId, messages)))).flat();
  const count = (r: Delivery) => all.filter((x) => x === r).length;
  // A connection is dropped at its one failed post.
  return { events: events.length, sent: count('sent'), gone: count('gone'), dropped: count('failed') };
};
