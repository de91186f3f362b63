/**
 * Live events for operators (docs/live-events.md): what an operator connection may ask for, and what it receives.
 * Connections only ever receive: the one thing a client may send is a subscription change, answered with an ack.
 */
import * as z from 'zod/mini';

/** The event kinds, each produced by changes of some item types (shared/store/live-event-images.ts). */
export const LIVE_KINDS = ['status', 'meterValues', 'transactions', 'commands', 'files', 'boot'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

/** One change, as every subscriber receives it. `eventId` is the stream record's: a redelivery repeats it. */
export interface LiveEvent {
  readonly type: 'event';
  readonly eventId: string;
  readonly kind: LiveKind;
  readonly chargerId: string;
  readonly locationId?: string;
  /** When the change was written (the stream record's approximate creation time), ISO-8601. */
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** Set when `data` was left out because the event was too large for one WebSocket message. */
  readonly dataOmitted?: true;
}

/**
 * What a subscription is to: one charger (its id in lower case: ids are case-insensitive), one location, or every
 * charger. Stored as `charger:<id>`, `location:<id>` or `all`.
 */
export type LiveTarget = string;
export const ALL_CHARGERS_TARGET: LiveTarget = 'all';
export const chargerTarget = (chargerId: string): LiveTarget => `charger:${chargerId.toLowerCase()}`;
export const locationTarget = (locationId: string): LiveTarget => `location:${locationId}`;

/**
 * Not a subscription target: stands for "some location has subscribers", so the fan-out looks up the locations of a
 * batch's chargers only when someone may want them (no colon: it cannot be a `location:<id>`).
 */
export const ANY_LOCATION_TARGET: LiveTarget = 'locations';
export const isLocationTarget = (target: LiveTarget): boolean => target.startsWith('location:');

/** The targets an event of this charger (at this location) reaches. */
export const targetsOf = (event: Pick<LiveEvent, 'chargerId' | 'locationId'>): LiveTarget[] => [
  chargerTarget(event.chargerId),
  ...(event.locationId ? [locationTarget(event.locationId)] : []),
  ALL_CHARGERS_TARGET,
];

/** At most this many chargers and locations in one message, and targets held by one connection. */
export const MAX_TARGETS_PER_MESSAGE = 50;
export const MAX_TARGETS_PER_CONNECTION = 100;

const id = z.string().check(z.minLength(1), z.maxLength(128));
const ids = z.optional(z.array(id).check(z.maxLength(MAX_TARGETS_PER_MESSAGE)));
const SubscriptionMessage = z.strictObject({
  action: z.enum(['subscribe', 'unsubscribe']),
  chargers: ids,
  locations: ids,
  kinds: z.optional(z.array(z.enum(LIVE_KINDS)).check(z.minLength(1))),
});

/** A subscription change. No chargers and no locations: every charger (`subscribe`), or everything held (`unsubscribe`). */
export interface SubscriptionChange {
  readonly action: 'subscribe' | 'unsubscribe';
  readonly targets: readonly LiveTarget[];
  /** The kinds the targets deliver (subscribe). @default every kind */
  readonly kinds: readonly LiveKind[];
}

export type ParsedMessage = { readonly ok: true; readonly change: SubscriptionChange } | { readonly ok: false; readonly error: string };

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** Reads a client's message: a subscribe or unsubscribe, or why it is refused (anything else, publishing included). */
export const parseSubscriptionMessage = (text: string | undefined): ParsedMessage => {
  const json = text === undefined ? undefined : parseJson(text);
  if (typeof json !== 'object' || json === null) return { ok: false, error: 'send a JSON object: {"action":"subscribe"|"unsubscribe", ...}' };
  const action = (json as { action?: unknown }).action;
  if (action !== 'subscribe' && action !== 'unsubscribe') {
    return { ok: false, error: `unknown action ${JSON.stringify(action)}: this connection only receives events; send subscribe or unsubscribe` };
  }
  const parsed = SubscriptionMessage.safeParse(json);
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ') };
  const { chargers = [], locations = [], kinds } = parsed.data;
  const named = [...new Set([...chargers.map(chargerTarget), ...locations.map(locationTarget)])];
  const targets = named.length > 0 || action === 'unsubscribe' ? named : [ALL_CHARGERS_TARGET];
  return { ok: true, change: { action, targets, kinds: kinds ? [...new Set(kinds)] : [...LIVE_KINDS] } };
};

/** A connection's answer to a message: an ack naming what changed, or an error. */
export type LiveReply =
  | { readonly type: 'ack'; readonly action: SubscriptionChange['action']; readonly targets: readonly LiveTarget[]; readonly kinds?: readonly LiveKind[] }
  | { readonly type: 'error'; readonly error: string };

/**
 * How a client authenticates (browsers cannot set headers on a WebSocket): it offers two subprotocols, this one and
 * `bearer.<access token>`; the `$connect` authorizer reads the token from the second and `$connect` answers with
 * this one (never echoing the token). A JWT's characters are all valid in a subprotocol name.
 */
export const LIVE_SUBPROTOCOL = 'csms-live.v1';
const BEARER_PREFIX = 'bearer.';
export const bearerSubprotocol = (accessToken: string): string => `${BEARER_PREFIX}${accessToken}`;

/** The access token among the offered subprotocols (`Sec-WebSocket-Protocol`, comma-separated), if one is there. */
export const tokenOfSubprotocols = (offered: string | undefined): string | undefined =>
  offered
    ?.split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(BEARER_PREFIX) && p.length > BEARER_PREFIX.length)
    ?.slice(BEARER_PREFIX.length);

/** Whether the client offered the live-events protocol (a client that did not would refuse our answer). */
export const offersLiveSubprotocol = (offered: string | undefined): boolean =>
  offered?.split(',').some((p) => p.trim() === LIVE_SUBPROTOCOL) ?? false;
