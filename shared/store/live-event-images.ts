/**
 * Which item changes of the Csms table are live events, and what an event shows of the item (docs/live-events.md).
 * A change is an event when it moves what its kind is about (a connector's status, a command's status, a boot),
 * not on every write of the item (presence is touched by heartbeats). The event's data is the new image without
 * key, index and TTL attributes and without the attributes each type names as hidden: nothing secret or internal
 * (an unmasked command payload, a password or token hash, a connection id) ever reaches an operator connection.
 */
import type { LiveEvent, LiveKind } from '../live/live-event.ts';
import { withoutKeys } from './keys.ts';

type Image = Readonly<Record<string, unknown>>;

export interface ImageChange {
  readonly eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly newImage?: Image;
  readonly oldImage?: Image;
}

interface EventSource {
  readonly kind: LiveKind;
  /** Attributes whose change makes an event; none: every insert or change. */
  readonly watched?: readonly string[];
  /** Only new items are events (facts written once). */
  readonly insertsOnly?: boolean;
  readonly hidden: readonly string[];
}

/** By item `type`: what the live stream route receives (functions/ws/operators/routes.ts lists these types). */
export const LIVE_EVENT_SOURCES = {
  Presence: { kind: 'status', watched: ['connected', 'connectionId'], hidden: ['connectionId', 'sourceIp', 'lastSeenAt', 'heldCommandsAt'] },
  Connector: { kind: 'status', watched: ['status', 'statusTimestamp', 'availability', 'transactionId'], hidden: [] },
  MeterValue: { kind: 'meterValues', insertsOnly: true, hidden: [] },
  Transaction: { kind: 'transactions', hidden: [] },
  Command: { kind: 'commands', watched: ['status'], hidden: ['sendPayload', 'nextPasswordHash'] },
  File: { kind: 'files', watched: ['status'], hidden: ['uploadTokenHash'] },
  Charger: { kind: 'boot', watched: ['lastBootAt', 'registrationStatus'], hidden: ['passwordHash', 'nextPasswordHash'] },
} as const satisfies Readonly<Record<string, EventSource>>;

export const LIVE_EVENT_ITEM_TYPES = Object.keys(LIVE_EVENT_SOURCES) as (keyof typeof LIVE_EVENT_SOURCES)[];

const ALWAYS_HIDDEN = ['expiresAt'];

const moved = (source: EventSource, change: ImageChange): boolean => {
  if (change.eventName === 'INSERT' || !change.oldImage) return true;
  if (source.insertsOnly) return false;
  if (!source.watched) return true;
  const before = change.oldImage;
  const after = change.newImage ?? {};
  return source.watched.some((a) => JSON.stringify(after[a]) !== JSON.stringify(before[a]));
};

/** The live event a change of the table is, if any. `eventId`: the stream record's id; `at`: when it was written. */
export const liveEventOf = (change: ImageChange, eventId: string, at: string): LiveEvent | undefined => {
  const after = change.newImage;
  if (change.eventName === 'REMOVE' || !after) return undefined;
  const source: EventSource | undefined = (LIVE_EVENT_SOURCES as Readonly<Record<string, EventSource>>)[String(after.type)];
  if (!source || typeof after.chargerId !== 'string' || !moved(source, change)) return undefined;
  const hidden = new Set([...ALWAYS_HIDDEN, ...source.hidden]);
  const data = Object.fromEntries(Object.entries(withoutKeys<Image>(after)).filter(([k]) => !hidden.has(k)));
  const locationId = typeof after.locationId === 'string' ? after.locationId : undefined;
  return { type: 'event', eventId, kind: source.kind, chargerId: after.chargerId, ...(locationId ? { locationId } : {}), at, data };
};
