/**
 * Id tokens (RFID cards, app tokens, eMAIDs), one store for every OCPP version. Whether a token may charge is
 * a pure function of the token, the time, whether it is in use already, what it is presented for (a master pass
 * never starts) and where (restricted tokens); the protocol adapters (inbound/token-info.ts) translate the neutral
 * outcome into each version's words. Whether it is in use matters to starts only (shared/transaction/token-use.ts,
 * token-claim.ts): an Authorize is never answered ConcurrentTx.
 */
import type { Ports } from '../deps.ts';
import { sameChargerId } from '../charger/charger-id.ts';
import type { ChargerProfile } from '../charger/registry.ts';
import type { ItemRead } from '../store/stores.ts';
import type { TransactionRecord } from '../transaction/transaction.ts';
import type { HeldEvses } from '../reservation/reserved-evses.ts';

export interface IdTokenRecord {
  value: string;
  /** OCPP 2.x IdTokenEnumType (ISO14443, eMAID, Central, ...); with the value, what identifies the token. */
  tokenType: string;
  blocked: boolean;
  /** ISO 8601; absent = never expires. */
  expiresAt?: string;
  /** Parent / group id token (1.6 parentIdTag, 2.x groupIdToken). */
  groupId?: string;
  /**
   * The token belongs to the master pass group its `groupId` names (OCPP 2.0.1 C16; chargers set that id as
   * AuthCtrlr.MasterPassGroupId): it may stop any transaction and never starts one. Only with a `groupId`.
   */
  masterPass?: boolean;
  /** Chargers (ids, any case) the token may be used at; with `allowedLocations`, either admits. Absent: anywhere. */
  allowedChargers?: string[];
  /** Locations (ids) whose chargers the token may be used at. Absent (and no `allowedChargers`): anywhere. */
  allowedLocations?: string[];
  /** How long a 2.x charger may keep an accepted answer in its authorization cache (cacheExpiryDateTime). */
  cacheLifetimeSeconds?: number;
  /** Shown to the driver by 2.x chargers (idTokenInfo.personalMessage). */
  personalMessage?: PersonalMessage;
  label?: string;
  /** Who holds the token (free text: a customer number, a fleet), for operators. */
  owner?: string;
  createdAt: string;
  /** Who created it through the REST API or an import (a username or a machine client id). */
  createdBy?: string;
  updatedAt?: string;
  updatedBy?: string;
  /** Moves on with every operator write; a write conditioned on the one read is never a lost update. */
  version?: number;
  /** Transactions it may be in at once (shared/transaction/token-use.ts); absent: 1. */
  maxConcurrentTransactions?: number | 'unlimited';
}

/** OCPP 2.x MessageContentType with 2.0.1's formats (2.1 adds QRCODE), so one answer suits both versions. */
export interface PersonalMessage {
  format: 'ASCII' | 'HTML' | 'URI' | 'UTF8';
  /** RFC 5646 language tag, at most 8 characters. */
  language?: string;
  /** At most 512 characters. */
  content: string;
}

/** A token as a charger presents it: 2.x with its type, 1.6 (idTag) by value alone. */
export interface PresentedToken {
  value: string;
  type?: string;
}

/** The neutral verdict; token-info.ts words it per version (1.6 knows no Unknown or NotAtThisLocation: Invalid). */
export type TokenVerdict = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'Unknown' | 'ConcurrentTx' | 'NotAtThisLocation';

export interface TokenDecision {
  verdict: TokenVerdict;
  expiresAt?: string;
  groupId?: string;
  /** A master pass (C16): 2.x answers it with its group; 1.6 has no master pass and refuses it (token-info.ts). */
  masterPass?: true;
  /** Until when a charger may accept the token from its cache: set only by a cache lifetime, never past the expiry. */
  cacheExpiresAt?: string;
  personalMessage?: PersonalMessage;
}

/** What the token is presented for: to let charging begin, to end a transaction, or asked before either (Authorize). */
export type TokenPurpose = 'authorize' | 'start' | 'stop';

/**
 * What a 2.x TransactionEvent's idToken is presented for: the token that lets charging begin comes with a Started or
 * with triggerReason Authorized (a transaction started before authorization); an Ended, StopAuthorized or a token
 * repeated on another Updated does not start anything.
 */
export const tokenPurposeOfEvent = (e: { eventType: string; triggerReason: string }): TokenPurpose =>
  e.eventType !== 'Ended' && (e.eventType === 'Started' || e.triggerReason === 'Authorized') ? 'start' : 'stop';

/** Where a token is presented: the charger, and its location when the decision needed it. */
export interface TokenPlace {
  chargerId: string;
  locationId?: string;
}

export interface TokenContext {
  /** @default 'authorize' */
  purpose?: TokenPurpose;
  /** Without a place, a token restricted to chargers or locations is admitted nowhere (fail closed). */
  place?: TokenPlace;
}

const isMasterPass = (t: IdTokenRecord) => t.masterPass === true && t.groupId !== undefined;
const restrictedToLocations = (t: IdTokenRecord) => (t.allowedLocations?.length ?? 0) > 0;
const isRestricted = (t: IdTokenRecord) => (t.allowedChargers?.length ?? 0) > 0 || restrictedToLocations(t);
const namesCharger = (t: IdTokenRecord, chargerId: string) => (t.allowedChargers ?? []).some((c) => sameChargerId(c, chargerId));

/** Pure: may the token be used at this place? Unrestricted tokens everywhere; others at a named charger or location. */
export const admitsPlace = (t: IdTokenRecord, place: TokenPlace | undefined): boolean =>
  !isRestricted(t) ||
  (place !== undefined &&
    (namesCharger(t, place.chargerId) || (place.locationId !== undefined && (t.allowedLocations ?? []).includes(place.locationId))));

/** Whether deciding for this token at this charger needs the charger's location (its charger id alone does not admit it). */
export const needsLocation = (t: IdTokenRecord | undefined, chargerId: string): boolean =>
  t !== undefined && restrictedToLocations(t) && !namesCharger(t, chargerId);

/** Pure: blocked beats expired beats the place beats being a master pass beats concurrent use. */
const verdictOf = (t: IdTokenRecord, now: Date, hasOpenTransaction: boolean, { purpose = 'authorize', place }: TokenContext): TokenVerdict => {
  if (t.blocked) return 'Blocked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= now.getTime()) return 'Expired';
  if (!admitsPlace(t, place)) return 'NotAtThisLocation';
  // OCPP 2.0.1 C16: a master pass stops transactions and never starts one (no status names that; Invalid says "not
  // allowed for charging"). Having no transaction of its own, it is never in concurrent use either.
  if (isMasterPass(t)) return purpose === 'start' ? 'Invalid' : 'Accepted';
  if (hasOpenTransaction) return 'ConcurrentTx';
  return 'Accepted';
};

/** An accepted token's cache lifetime from now, cut at its own expiry (a later one would outlive the token). */
const cacheUntil = (t: IdTokenRecord, now: Date): string | undefined => {
  if (t.cacheLifetimeSeconds === undefined) return undefined;
  const lifetimeEnds = now.getTime() + t.cacheLifetimeSeconds * 1000;
  return new Date(t.expiresAt ? Math.min(lifetimeEnds, Date.parse(t.expiresAt)) : lifetimeEnds).toISOString();
};

/**
 * Pure: the verdict on a token (undefined: unknown) with the facts every version's answer carries. Where the token is
 * not admitted (its restriction names neither this charger nor its location) the verdict comes alone, whatever it is:
 * the group, expiry, message and master pass are the driver's, and a charger the card may not be used at needs none
 * of them (nor may a card stop its group's transactions there).
 */
export const decideToken = (token: IdTokenRecord | undefined, now: Date, hasOpenTransaction: boolean, context: TokenContext = {}): TokenDecision => {
  if (!token) return { verdict: 'Unknown' };
  const verdict = verdictOf(token, now, hasOpenTransaction, context);
  if (!admitsPlace(token, context.place)) return { verdict };
  const cacheExpiresAt = verdict === 'Accepted' ? cacheUntil(token, now) : undefined;
  return {
    verdict,
    ...(token.expiresAt ? { expiresAt: token.expiresAt } : {}),
    ...(token.groupId ? { groupId: token.groupId } : {}),
    ...(isMasterPass(token) ? { masterPass: true as const } : {}),
    ...(cacheExpiresAt ? { cacheExpiresAt } : {}),
    ...(token.personalMessage ? { personalMessage: token.personalMessage } : {}),
  };
};

/** RFID types first: what an OCPP 1.6 idTag almost always is. Then a stable order, so the choice never flips. */
const V16_TYPE_PREFERENCE = ['ISO14443', 'ISO15693'];
const preference = (t: IdTokenRecord) => {
  const i = V16_TYPE_PREFERENCE.indexOf(t.tokenType);
  return i < 0 ? V16_TYPE_PREFERENCE.length : i;
};

/** An OCPP 1.6 idTag names a value only; when tokens of several types share it, one is chosen deterministically. */
export const tokenForIdTag = (tokens: readonly IdTokenRecord[]): IdTokenRecord | undefined =>
  [...tokens].sort((a, b) => preference(a) - preference(b) || a.tokenType.localeCompare(b.tokenType))[0];

/** `NoAuthorization` (free vend: the charger started without asking) is not a token to look up. */
const isFreeVend = (token: PresentedToken) => token.type === 'NoAuthorization';

export interface ReadAndAuthorizeOptions<Also = never> {
  /** Read the charger's profile too (to check that it is accepted). */
  chargerId?: string;
  /** Read this transaction too (strongly consistent: the caller merges into it). */
  transaction?: { chargerId: string; transactionId: string };
  /** One more item, read in the same BatchGetItem (a remote start the message may link): no request of its own. */
  also?: ItemRead<Also>;
  /** The charger's EVSE holds (reservation/reserved-evses.ts), read in the same BatchGetItem: a start is checked against them. */
  heldEvses?: ItemRead<HeldEvses>;
  /** What the token is presented for (a master pass never starts). @default 'authorize' */
  purpose?: TokenPurpose;
  /** The charger the token is presented at, for its restrictions. @default `chargerId`, else the transaction's charger */
  presentedAt?: string;
}

export interface ReadAndAuthorizeResult<Also = never> {
  charger?: ChargerProfile;
  transaction?: TransactionRecord;
  also?: Also;
  /** The token the decision was about, when one was found (a start reads its limit and type). */
  token?: IdTokenRecord;
  heldEvses?: HeldEvses;
  /** Present when a token was presented: its own state only (a start adds concurrent use: token-claim.ts). */
  decision?: TokenDecision;
}

/**
 * What a charger message that presents a token needs, read in one wave of parallel requests: the charger, the
 * transaction and the `also` item in one BatchGetItem, and the token's types in one query of its value's partition
 * (a 1.6 idTag, which has no type, finds its type there).
 */
export const readAndAuthorize = async <Also = never>(
  deps: Ports,
  token: PresentedToken | undefined,
  options: ReadAndAuthorizeOptions<Also> = {},
): Promise<ReadAndAuthorizeResult<Also>> => {
  const { stores } = deps;
  const lookUp = token !== undefined && !isFreeVend(token);
  const [together, tokens] = await Promise.all([
    stores.readTogether({
      charger: options.chargerId === undefined ? undefined : stores.chargers.read(options.chargerId),
      transaction: options.transaction && stores.transactions.read(options.transaction.chargerId, options.transaction.transactionId),
      also: options.also,
      heldEvses: options.heldEvses,
    }),
    lookUp ? stores.idTokens.withValue(token.value) : undefined,
  ]);
  const record = !tokens ? undefined : token?.type === undefined ? tokenForIdTag(tokens) : tokens.find((t) => t.tokenType === token.type);
  const place = await placeOf(deps, record, options.presentedAt ?? options.chargerId ?? options.transaction?.chargerId, {
    ...together,
    chargerRead: options.chargerId !== undefined,
  });
  const context: TokenContext = { purpose: options.purpose ?? 'authorize', ...(place ? { place } : {}) };
  // Concurrent use is a start's to decide, with its claim (token-claim.ts): never counted here.
  const decision = token === undefined ? undefined : lookUp ? decideToken(record, deps.now(), false, context) : { verdict: 'Accepted' as const };
  return {
    ...(together.charger ? { charger: together.charger } : {}),
    ...(together.transaction ? { transaction: together.transaction } : {}),
    ...(together.also !== undefined ? { also: together.also } : {}),
    ...(record ? { token: record } : {}),
    ...(together.heldEvses !== undefined ? { heldEvses: together.heldEvses } : {}),
    ...(decision ? { decision } : {}),
  };
};

/**
 * Where the token is presented. The charger's location is looked up only for a token restricted to locations that
 * does not name this charger: from the charger or transaction read anyway, else one GetItem of the profile (the
 * only request a restriction adds, and only for such tokens).
 */
const placeOf = async (
  deps: Ports,
  record: IdTokenRecord | undefined,
  chargerId: string | undefined,
  known: { chargerRead: boolean; charger?: ChargerProfile; transaction?: TransactionRecord },
): Promise<TokenPlace | undefined> => {
  if (chargerId === undefined) return undefined;
  if (!needsLocation(record, chargerId)) return { chargerId };
  const locationId = known.chargerRead
    ? known.charger?.locationId
    : (known.transaction?.locationId ?? (await deps.stores.chargers.get(chargerId))?.locationId);
  return { chargerId, ...(locationId !== undefined ? { locationId } : {}) };
};

/** The fields a new token takes as they are stored. */
type StoredAsGiven = 'masterPass' | 'allowedChargers' | 'allowedLocations' | 'cacheLifetimeSeconds' | 'personalMessage' | 'maxConcurrentTransactions';

export interface NewIdToken extends Partial<Pick<IdTokenRecord, StoredAsGiven>> {
  value: string;
  tokenType?: string;
  blocked?: boolean;
  expiresAt?: string;
  groupId?: string;
  label?: string;
}

/** Undefined when a token with this value and type exists. */
export const createIdToken = async (deps: Ports, input: NewIdToken): Promise<IdTokenRecord | undefined> => {
  const { value, tokenType, blocked, expiresAt, groupId, label, ...asGiven } = input;
  const record: IdTokenRecord = {
    value,
    tokenType: tokenType ?? 'ISO14443',
    blocked: blocked ?? false,
    ...asGiven,
    createdAt: deps.now().toISOString(),
    // Stored as UTC ISO so that it compares and sorts as a string.
    ...(expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
    ...(groupId ? { groupId } : {}),
    ...(label ? { label } : {}),
  };
  return (await deps.stores.idTokens.createIfAbsent(record)) === 'created' ? record : undefined;
};
