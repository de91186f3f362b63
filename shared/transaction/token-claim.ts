/**
 * How a start (1.6 StartTransaction, 2.x TransactionEvent Started with an id token) comes to hold its token,
 * atomically across chargers (the policy: token-use.ts; the writes: shared/store/token-use-store.ts).
 *
 * The common case costs no round trip: the start sends `claimFirst` beside its reads, and it succeeds when no
 * transaction holds the token. When one does, the failed claim answers the uses; the start reads what it needs
 * about those on other chargers (their chargers' presence and their transactions in one BatchGetItem, and the newest
 * reading of a long 1.6 session), decides, and claims conditioned on the uses it decided on. Of two starts at the
 * same moment on two chargers, exactly one claims first; the other sees it and is refused if the limit is reached.
 */
import type { Ports, UnitOfWork } from '../deps.ts';
import type { Presence } from '../charger/presence.ts';
import type { IdTokenRecord, TokenDecision } from '../token/id-tokens.ts';
import { sameTokenValue } from '../token/token-value.ts';
import type { ClaimOutcome, TokenUses } from '../store/token-use-store.ts';
import type { TransactionRecord } from './transaction.ts';
import { holdsToken } from './transaction.ts';
import {
  classifyUse,
  concurrencyLimit,
  mayHold,
  needsReadings,
  sameUse,
  usesToCheck,
  type StartingOn,
  type TokenUse,
  type UseFacts,
  type UseState,
} from './token-use.ts';

/** Conditional claims one start makes at most: each failure means another claim landed in between. */
const MAX_CLAIMS = 8;

/** The value of the token a start claims, and its use of it. */
export interface StartClaim {
  value: string;
  use: TokenUse;
}

/** Sent beside the start's reads: claims the token if no transaction holds it, else answers who does. */
export const claimIfFree = (deps: Ports, claim: StartClaim): Promise<ClaimOutcome> => deps.stores.tokenUses.claimFirst(claim.value, claim.use);

/** Gives the claim back: the start did not come to hold the token (refused, sent again for an ended one, ...). */
export const releaseClaim = (deps: Ports, claim: StartClaim): Promise<void> => deps.stores.tokenUses.release(claim.value, claim.use);

/** What is known of each use to check: its charger's presence and its transaction, in one BatchGetItem. */
const readFacts = async (deps: Ports, uses: readonly TokenUse[], start: StartingOn): Promise<UseFacts[]> => {
  const { stores } = deps;
  const reads = Object.fromEntries(uses.flatMap((u, i) => [[`p${i}`, stores.presence.read(u.chargerId)], [`t${i}`, stores.transactions.read(u.chargerId, u.transactionId)]]));
  const [found, readings] = await Promise.all([
    stores.readTogether(reads) as Promise<Record<string, unknown>>,
    Promise.all(uses.map(async (u) => (needsReadings(u, start.now, start.liveWindowMs) ? stores.meterValues.latestOfTransaction(u.chargerId, u.transactionId) : undefined))),
  ]);
  return uses.map((_, i) => {
    const presence = found[`p${i}`] as Presence | undefined;
    const transaction = found[`t${i}`] as TransactionRecord | undefined;
    const latestReadingAt = readings[i];
    return { connected: presence?.connected === true, ...(transaction ? { transaction } : {}), ...(latestReadingAt ? { latestReadingAt } : {}) };
  });
};

/** The state of every use but the start's own, reading facts only for those on other chargers of its token type. */
const useStates = async (deps: Ports, uses: readonly TokenUse[], start: StartingOn): Promise<{ use: TokenUse; state: UseState }[]> => {
  const toCheck = usesToCheck(uses, start);
  const facts = toCheck.length > 0 ? await readFacts(deps, toCheck, start) : [];
  return uses.map((use) => ({ use, state: classifyUse(use, facts[toCheck.indexOf(use)], start) }));
};

const reportStale = (deps: Ports, start: StartClaim, states: readonly { use: TokenUse; state: UseState }[]) => {
  for (const { use, state } of states) {
    if (state.state !== 'stale') continue;
    deps.log.warn('stale transaction skipped: it does not count against a start of its token', {
      chargerId: use.chargerId,
      transactionId: use.transactionId,
      reason: state.reason,
      lastEventAt: state.lastEventAt,
      startingOn: start.use.chargerId,
      startingTransaction: start.use.transactionId,
    });
  }
};

/**
 * After the token's own state was Accepted: whether the start holds the token now. `first` is what `claimIfFree`
 * answered; each failed conditional claim answers the uses again, and the start decides again from them.
 */
export const settleClaim = async (
  deps: Ports,
  claim: StartClaim,
  token: IdTokenRecord | undefined,
  first: ClaimOutcome,
  liveWindowMs: number,
): Promise<boolean> => {
  const limit = token ? concurrencyLimit(token) : 1;
  let outcome = first;
  for (let attempt = 0; attempt < MAX_CLAIMS; attempt++) {
    if (outcome.claimed) return true;
    const seen: TokenUses = outcome;
    if (seen.uses.some((u) => sameUse(u, claim.use))) return true;
    if (limit === undefined) {
      // Unlimited: nothing to decide, the use is only recorded (the limit may be set later).
      await deps.stores.tokenUses.open(claim.value, claim.use);
      return true;
    }
    const start: StartingOn = { chargerId: claim.use.chargerId, ...(token ? { tokenType: token.tokenType } : {}), now: deps.now(), liveWindowMs };
    const states = await useStates(deps, seen.uses, start);
    reportStale(deps, claim, states);
    if (!mayHold(limit, states.map((s) => s.state))) return false;
    const gone = states.filter((s) => s.state.state === 'gone').map((s) => s.use);
    outcome = seen.rev === undefined ? await deps.stores.tokenUses.claimFirst(claim.value, claim.use) : await deps.stores.tokenUses.claimIfUnchanged(claim.value, claim.use, seen.rev, gone);
  }
  throw new Error(`token use of ${claim.use.chargerId}/${claim.use.transactionId}: too many concurrent claims`);
};

/** Gives back, alongside the message's writes, a claim `claimIfFree` made for a start that will not hold the token. */
export const dropClaim = (work: Pick<UnitOfWork, 'alongside'> & Ports, claim: StartClaim, first: ClaimOutcome): void => {
  if (first.claimed) work.alongside(releaseClaim(work, claim));
};

/**
 * The start's answer: the token's own verdict, or ConcurrentTx when the token is Accepted but may not be held now.
 * `claimed`: the start holds the token (a refused start never does, so it locks nothing; its claim is given back
 * alongside the message's writes).
 */
export const decideStart = async (
  work: Pick<UnitOfWork, 'alongside'> & Ports,
  claim: StartClaim,
  reads: { token?: IdTokenRecord; decision: TokenDecision },
  first: ClaimOutcome,
  liveWindowMs: number,
): Promise<{ decision: TokenDecision; claimed: boolean }> => {
  if (reads.decision.verdict !== 'Accepted') {
    dropClaim(work, claim, first);
    return { decision: reads.decision, claimed: false };
  }
  const claimed = await settleClaim(work, claim, reads.token, first, liveWindowMs);
  return { decision: claimed ? reads.decision : inConcurrentUse(reads.decision), claimed };
};

/** An accepted token's decision, refused as in use: the same facts, without the cache expiry only acceptance gives. */
const inConcurrentUse = ({ cacheExpiresAt: _onlyWhenAccepted, ...facts }: TokenDecision): TokenDecision => ({ ...facts, verdict: 'ConcurrentTx' });

/** After the start's merge: a claim the merged transaction does not hold (it had ended meanwhile, ...) is given back. */
export const keepClaimIfHeld = async (deps: Ports, claim: StartClaim, merged: TransactionRecord | undefined): Promise<void> => {
  if (holdsToken(merged) && sameTokenValue(merged.idToken, claim.value)) return;
  await releaseClaim(deps, claim);
};
