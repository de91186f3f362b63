/**
 * Concurrent use of one id token, as pure functions: which transactions holding a token count against a start of
 * it, and whether the start may hold it too. OCPP 1.6 makes `ConcurrentTx` "only relevant for a
 * StartTransaction.req" and 2.0.1 answers it to a TransactionEvent, so only a start is ever refused with it; an
 * Authorize never is.
 *
 * The policy (README, "Concurrent use of a token"): a token is in at most N transactions at once (its
 * `maxConcurrentTransactions`, default 1, or unlimited). Only live transactions on other chargers count: that charger
 * is connected and the transaction had an event within the live window (default 4 hours). A transaction on the
 * starting charger never counts: the charger knows what it runs (the driver may be presenting the card to stop it, or
 * the charger lost it in a reboot), and a start on the same EVSE supersedes the old one. A stale transaction is
 * reported (a log line, `GET /transactions?state=stale`), never a lock.
 */
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { IdTokenRecord } from '../token/id-tokens.ts';
import { holdsToken, type TransactionRecord } from './transaction.ts';

/** A transaction that holds a token (it started with it, was not refused, and has not ended). */
export interface TokenUse {
  chargerId: string;
  transactionId: string;
  protocol: OcppProtocol;
  /** The token's type when the transaction knew it (2.x); absent for a 1.6 idTag, which counts for every type. */
  idTokenType?: string;
  /** When we received the message that made it hold the token. */
  since: string;
}

export const DEFAULT_MAX_CONCURRENT_TRANSACTIONS = 1;
export const DEFAULT_LIVE_WINDOW_MS = 4 * 60 * 60_000;
/**
 * A use whose transaction was never written counts this long: its start is still on its way (the claim goes out
 * before the transaction's write), or it died in between and the charger, answered with an error, retries it.
 */
export const IN_FLIGHT_MS = 5 * 60_000;

/** How many transactions the token may be in at once; undefined: unlimited (a fleet card). */
export const concurrencyLimit = (token: IdTokenRecord): number | undefined =>
  token.maxConcurrentTransactions === 'unlimited' ? undefined : (token.maxConcurrentTransactions ?? DEFAULT_MAX_CONCURRENT_TRANSACTIONS);

export const sameUse = (a: Pick<TokenUse, 'chargerId' | 'transactionId'>, b: Pick<TokenUse, 'chargerId' | 'transactionId'>): boolean =>
  a.chargerId === b.chargerId && a.transactionId === b.transactionId;

export type Staleness = 'charger-offline' | 'no-recent-event';

/** What is known of a transaction on another charger when a start decides (read in one wave: token-claim.ts). */
export interface UseFacts {
  /** The transaction as stored; absent while its start is on its way, or when it never got written. */
  transaction?: TransactionRecord;
  /** Its charger's presence says connected. */
  connected: boolean;
  /** Its newest meter reading, read only where the record cannot tell (`needsReadings`). */
  latestReadingAt?: string;
}

export type UseState =
  | { state: 'same-charger' }
  /** A 2.x use of another token type with the same value: another token. */
  | { state: 'other-type' }
  /** It holds nothing: its transaction ended or was refused, or was never written. Dropped from the uses. */
  | { state: 'gone' }
  | { state: 'stale'; reason: Staleness; lastEventAt: string }
  | { state: 'live'; lastEventAt: string };

const latest = (times: readonly (string | undefined)[]): string =>
  times.filter((t): t is string => t !== undefined).reduce((a, b) => (b > a ? b : a), '');

/**
 * The last time anything of the transaction reached us: its first message, the last write of its record (every 2.x
 * event merged moves `updatedAt`), its readings (a 1.6 MeterValues does not touch the record).
 */
export const lastEventAt = (tx: TransactionRecord | undefined, since: string | undefined, latestReadingAt?: string): string =>
  latest([since, tx?.receivedAt, tx?.updatedAt, tx?.lastEnergy?.at, latestReadingAt]);

/** Why a transaction that has not ended is stale, or undefined when it is live. */
export const staleness = (connected: boolean, lastEvent: string, now: Date, liveWindowMs: number): Staleness | undefined =>
  !connected ? 'charger-offline' : Date.parse(lastEvent) < now.getTime() - liveWindowMs ? 'no-recent-event' : undefined;

export interface StartingOn {
  chargerId: string;
  /** The type of the token the start presented, as read (a 1.6 idTag's is the type chosen for it). */
  tokenType?: string;
  now: Date;
  liveWindowMs: number;
}

/** Uses whose facts a start must read: those on other chargers, of its own token type. */
export const usesToCheck = (uses: readonly TokenUse[], start: StartingOn): TokenUse[] =>
  uses.filter((u) => u.chargerId !== start.chargerId && !otherType(u, start));

const otherType = (use: TokenUse, start: StartingOn) => use.idTokenType !== undefined && start.tokenType !== undefined && use.idTokenType !== start.tokenType;

/**
 * Whether its newest meter reading must be read: a 1.6 transaction older than the window, whose record says nothing
 * of its MeterValues. (A 2.x record moves with every event; a younger use is live by its start.)
 */
export const needsReadings = (use: TokenUse, now: Date, liveWindowMs: number): boolean =>
  use.protocol === 'ocpp1.6' && Date.parse(use.since) < now.getTime() - liveWindowMs;

export const classifyUse = (use: TokenUse, facts: UseFacts | undefined, start: StartingOn): UseState => {
  if (use.chargerId === start.chargerId) return { state: 'same-charger' };
  if (otherType(use, start)) return { state: 'other-type' };
  const tx = facts?.transaction;
  if (tx ? !holdsToken(tx) : Date.parse(use.since) < start.now.getTime() - IN_FLIGHT_MS) return { state: 'gone' };
  const last = lastEventAt(tx, use.since, facts?.latestReadingAt);
  const reason = staleness(facts?.connected ?? false, last, start.now, start.liveWindowMs);
  return reason ? { state: 'stale', reason, lastEventAt: last } : { state: 'live', lastEventAt: last };
};

/** A start may hold the token while fewer than `limit` live transactions on other chargers do. */
export const mayHold = (limit: number | undefined, states: readonly UseState[]): boolean =>
  limit === undefined || states.filter((s) => s.state === 'live').length < limit;
