/**
 * Id tokens (RFID cards, app tokens, eMAIDs), one store for every OCPP version. Whether a token may charge is
 * a pure function of the token, the time and whether it already has an open transaction; the protocol adapters
 * translate the neutral outcome into each version's words.
 */
import type { Ports } from '../deps.ts';
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
}

/** A transaction that holds a token (it started with it and has not ended): what makes a second use ConcurrentTx. */
export interface TokenUse {
  chargerId: string;
  transactionId: string;
  /** The token's type when the transaction knew it (2.x); absent for a 1.6 idTag. */
  idTokenType?: string;
  /** When we received the transaction's first message. */
  since: string;
}

/** A token as a charger presents it: 2.x with its type, 1.6 (idTag) by value alone. */
export interface PresentedToken {
  value: string;
  type?: string;
}

/** `Invalid`: known, but not allowed here now (e.g. an EVSE reserved for another token: reservation/reserved-evses.ts). */
export type TokenVerdict = 'Accepted' | 'Blocked' | 'Expired' | 'Unknown' | 'ConcurrentTx' | 'Invalid';

export interface TokenDecision {
  verdict: TokenVerdict;
  expiresAt?: string;
  groupId?: string;
}

/** Pure: blocked beats expired beats concurrent use. */
export const decideToken = (token: IdTokenRecord | undefined, now: Date, hasOpenTransaction: boolean): TokenDecision => {
  if (!token) return { verdict: 'Unknown' };
  const facts = {
    ...(token.expiresAt ? { expiresAt: token.expiresAt } : {}),
    ...(token.groupId ? { groupId: token.groupId } : {}),
  };
  if (token.blocked) return { verdict: 'Blocked', ...facts };
  if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) return { verdict: 'Expired', ...facts };
  if (hasOpenTransaction) return { verdict: 'ConcurrentTx', ...facts };
  return { verdict: 'Accepted', ...facts };
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
  /** A transaction of the token that does not count as concurrent use (the one being authorized). */
  except?: { chargerId: string; transactionId: string };
  /** Whether an open transaction of the token makes it ConcurrentTx. @default true */
  concurrentUseCounts?: boolean;
  /** One more item, read in the same BatchGetItem (a remote start the message may link): no request of its own. */
  also?: ItemRead<Also>;
  /** The charger's EVSE holds (reservation/reserved-evses.ts), read in the same BatchGetItem: a start is checked against them. */
  heldEvses?: ItemRead<HeldEvses>;
}

export interface ReadAndAuthorizeResult<Also = never> {
  charger?: ChargerProfile;
  transaction?: TransactionRecord;
  also?: Also;
  heldEvses?: HeldEvses;
  /** Present when a token was presented. */
  decision?: TokenDecision;
}

/**
 * What a charger message that presents a token needs, read in one wave of parallel requests: the charger, the
 * transaction and the `also` item in one BatchGetItem, and the token with the transactions holding it in one query
 * of the token value's partition (a 1.6 idTag, which has no type, finds its type there too).
 */
export const readAndAuthorize = async <Also = never>(
  deps: Ports,
  token: PresentedToken | undefined,
  options: ReadAndAuthorizeOptions<Also> = {},
): Promise<ReadAndAuthorizeResult<Also>> => {
  const { stores } = deps;
  const lookUp = token !== undefined && !isFreeVend(token);
  const checkUse = lookUp && options.concurrentUseCounts !== false;
  const [together, held] = await Promise.all([
    stores.readTogether({
      charger: options.chargerId === undefined ? undefined : stores.chargers.read(options.chargerId),
      transaction: options.transaction && stores.transactions.read(options.transaction.chargerId, options.transaction.transactionId),
      also: options.also,
      heldEvses: options.heldEvses,
    }),
    lookUp ? stores.idTokens.withUses(token.value) : undefined,
  ]);
  const record = !held ? undefined : token?.type === undefined ? tokenForIdTag(held.tokens) : held.tokens.find((t) => t.tokenType === token.type);
  const { except } = options;
  const inUse =
    checkUse &&
    (held?.openUses ?? []).some(
      (u) =>
        !(u.chargerId === except?.chargerId && u.transactionId === except.transactionId) &&
        (u.idTokenType === undefined || record === undefined || u.idTokenType === record.tokenType),
    );
  const decision = token === undefined ? undefined : lookUp ? decideToken(record, deps.now(), inUse) : { verdict: 'Accepted' as const };
  return {
    ...(together.charger ? { charger: together.charger } : {}),
    ...(together.transaction ? { transaction: together.transaction } : {}),
    ...(together.also !== undefined ? { also: together.also } : {}),
    ...(together.heldEvses !== undefined ? { heldEvses: together.heldEvses } : {}),
    ...(decision ? { decision } : {}),
  };
};

export interface NewIdToken {
  value: string;
  tokenType?: string;
  blocked?: boolean;
  expiresAt?: string;
  groupId?: string;
  label?: string;
}

/** Undefined when a token with this value and type exists. */
export const createIdToken = async (deps: Ports, input: NewIdToken): Promise<IdTokenRecord | undefined> => {
  const record: IdTokenRecord = {
    value: input.value,
    tokenType: input.tokenType ?? 'ISO14443',
    blocked: input.blocked ?? false,
    createdAt: deps.now().toISOString(),
    // Stored as UTC ISO so that it compares and sorts as a string.
    ...(input.expiresAt ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}),
    ...(input.groupId ? { groupId: input.groupId } : {}),
    ...(input.label ? { label: input.label } : {}),
  };
  return (await deps.stores.idTokens.createIfAbsent(record)) === 'created' ? record : undefined;
};
