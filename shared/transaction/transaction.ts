/**
 * Transactions, one record each, for every OCPP version. Writers read the record, compute the next state
 * and write it back conditioned on the version they read (optimistic concurrency), because API Gateway may
 * run two messages of one charger at the same time. The one exception is a 2.x event arriving in order, merged
 * by a conditional update without a read (in-order-patch.ts); it moves the version on too, so both kinds of
 * writer exclude each other. A transaction holds its connector while it runs.
 */
import type { Ports } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { TokenDecision, TokenVerdict } from '../token/id-tokens.ts';
import type { TokenUse } from './token-use.ts';

/** Transaction facts a later event may change; the value from the highest seqNo carrying it wins. */
export type ChangingFact = 'chargingState' | 'authorization' | 'remoteStartId' | 'reservationId';

export interface EnergyReading {
  at: string;
  wh: number;
}

export interface TransactionRecord {
  chargerId: string;
  /** 1.6: the integer we allocated, as a string; 2.x: the charger's transactionId. */
  transactionId: string;
  protocol: OcppProtocol;
  status: 'active' | 'ended';
  evseId?: number;
  connectorId?: number;
  /** 1.6 connectorId as the charger numbers it. */
  ocppConnectorId?: number;
  idToken?: string;
  idTokenType?: string;
  authorization?: TokenVerdict;
  /**
   * The charger's location when the transaction's start reached us (from the profile the start reads anyway): the
   * transaction stays where it happened if the charger moves. Absent when the charger had none, or the start never
   * reached us.
   */
  locationId?: string;
  /** When we first received a message of this transaction: its index keys (the charger's clock cannot move them). */
  receivedAt?: string;
  /** The charger's times within bounds (shared/ocpp/charger-time.ts), else the receive time. */
  startedAt?: string;
  /** What the charger sent as the start / end time when it was out of bounds: kept as a fact, never ordered by. */
  chargerStartedAt?: string;
  chargerEndedAt?: string;
  /** Earliest event time seen; the start time when the Started event never arrived. */
  firstEventAt: string;
  endedAt?: string;
  stopReason?: string;
  stopIdToken?: string;
  meterStartWh?: number;
  meterStopWh?: number;
  firstEnergy?: EnergyReading;
  lastEnergy?: EnergyReading;
  energyWh?: number;
  reservationId?: number;
  remoteStartId?: number;
  chargingState?: string;
  lastSeqNo?: number;
  /** 2.x: for each fact that can change along a transaction, the seqNo of the event that set it. */
  factSeqNos?: Partial<Record<ChangingFact, number>>;
  /** 2.x: the newest seqNos merged, sorted; at most SEQNOS_KEPT (`seqNoFloor` stands for the older ones). */
  seqNos?: number[];
  /**
   * 2.x: every seqNo at or below it counts as merged. Set when `seqNos` is cut back to its newest: a charger's
   * events would otherwise grow the record (and each event's write units) without bound.
   */
  seqNoFloor?: number;
  offline?: boolean;
  /** Known only from its stop or later events: its start never reached us. */
  startMissing?: boolean;
  /**
   * Ended by the CSMS, not the charger: by inference (a newer transaction started on its connector before its own
   * end arrived) or by an operator (`closedByCsms`). A real stop arriving later still applies.
   */
  inferredEnd?: boolean;
  /** An operator closed it (POST /transactions/{chargerId}/{transactionId}/close): who, why and when. */
  closedByCsms?: { by: string; reason: string; at: string };
  /** 1.6: what the StartTransaction was, so a retry of it is recognised and gets the same answer. */
  startFingerprint?: string;
  startDecision?: TokenDecision;
  /** The remote start command (1.6 RemoteStartTransaction, 2.x RequestStartTransaction) that started it. */
  startedByCommand?: string;
  /** The first remote stop command (RemoteStopTransaction, RequestStopTransaction) the charger accepted for it. */
  stopRequestedByCommand?: string;
  version: number;
  updatedAt: string;
}

/** The record with the location its start found, unless it has one already (the same record when nothing changes). */
export const atLocation = <T extends TransactionRecord | undefined>(tx: T, locationId: string | undefined): T =>
  !tx || locationId === undefined || tx.locationId !== undefined ? tx : { ...tx, locationId };

export type TransactionChange = { before?: TransactionRecord; after?: TransactionRecord };

const MAX_ATTEMPTS = 8;

type Transform = (current: TransactionRecord | undefined) => TransactionRecord | undefined;

/** The next version of the record, or undefined when the transform changes nothing. */
const nextVersion = (deps: Ports, before: TransactionRecord | undefined, transform: Transform): TransactionRecord | undefined => {
  const next = transform(before);
  return !next || next === before ? undefined : { ...next, version: (before?.version ?? 0) + 1, updatedAt: deps.now().toISOString() };
};

/** Read, transform, conditional write; retried when another invocation wrote in between. */
export const updateTransaction = async (deps: Ports, chargerId: string, transactionId: string, transform: Transform): Promise<TransactionChange> => {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const before = await deps.stores.transactions.get(chargerId, transactionId);
    const versioned = nextVersion(deps, before, transform);
    if (!versioned) return before ? { before, after: before } : {};
    if (await deps.stores.transactions.putIfVersion(versioned)) return { ...(before ? { before } : {}), after: versioned };
  }
  throw new Error(`transaction ${chargerId}/${transactionId}: too many concurrent updates`);
};

type WithToken = TransactionRecord & { idToken: string };
const hasToken = (tx: TransactionRecord | undefined): tx is WithToken => tx?.idToken !== undefined;

/** The start's verdict (or a later event's) let it hold the token; absent: no token was decided on yet. */
const authorized = (tx: TransactionRecord) => tx.authorization === undefined || tx.authorization === 'Accepted';

/**
 * Whether the transaction holds its token (what counts against another start of it, token-use.ts): it names a token
 * (not a free vend's `NoAuthorization`), was not refused (ConcurrentTx or any status but Accepted: a charger that
 * never stops a refused start locks nothing), has not ended, and its start reached us. An Updated or Ended for a
 * transaction whose start we never saw (a lost start, or an id a charger made up) therefore never holds a token.
 */
export const holdsToken = (tx: TransactionRecord | undefined): tx is WithToken =>
  hasToken(tx) && tx.idTokenType !== 'NoAuthorization' && tx.status === 'active' && tx.startedAt !== undefined && authorized(tx);

/** The use a transaction holding its token has of it. */
export const tokenUseOf = (tx: TransactionRecord): TokenUse => ({
  chargerId: tx.chargerId,
  transactionId: tx.transactionId,
  protocol: tx.protocol,
  ...(tx.idTokenType !== undefined ? { idTokenType: tx.idTokenType } : {}),
  since: tx.receivedAt ?? tx.startedAt ?? tx.firstEventAt,
});

const releaseUse = (deps: Ports, tx: WithToken) => deps.stores.tokenUses.release(tx.idToken, tx);

/** Gives the transaction's token use back (it ended); nothing for a transaction without a token. */
export const releaseTokenUse = (deps: Ports, tx: TransactionRecord): Promise<void> | undefined => (hasToken(tx) ? releaseUse(deps, tx) : undefined);

/**
 * Keeps the token's uses (token-use-store.ts) in step with the transaction: a use is added when the transaction
 * comes to hold its token (unless its start claimed it: `claimed`), removed when it ends. Sent beside the
 * transaction's own write, never after it.
 */
export const followTokenUse = (deps: Ports, { before, after }: TransactionChange, claimed = false): Promise<void> | undefined => {
  if (holdsToken(after)) return holdsToken(before) || claimed ? undefined : deps.stores.tokenUses.open(after.idToken, tokenUseOf(after));
  const ends = hasToken(after) && after.status === 'ended' && (before?.status !== 'ended' || before.inferredEnd === true);
  return ends ? releaseUse(deps, after) : undefined;
};

/**
 * Everything that follows a transaction's state, again, for a message sent again after a crash: its merge was
 * written but the connector or the token use may not have been. Every write here is idempotent.
 */
export const followAgain = async (deps: Ports, tx: TransactionRecord): Promise<void> => {
  const tokenUse = holdsToken(tx) ? deps.stores.tokenUses.open(tx.idToken, tokenUseOf(tx)) : hasToken(tx) && tx.status === 'ended' ? releaseUse(deps, tx) : undefined;
  await Promise.all([followOnConnector(deps, tx), tokenUse]);
};

/** Ends, by inference, a transaction that a newer one on the same connector has replaced; its token is free again. */
const supersede = async (deps: Ports, chargerId: string, transactionId: string, by: TransactionRecord) => {
  const ended = await deps.stores.transactions.endAsSuperseded(chargerId, transactionId, startOf(by));
  if (!ended) return;
  deps.log.warn('transaction ended by a newer one on its connector', { chargerId, transactionId, by: by.transactionId });
  if (hasToken(ended)) await releaseUse(deps, ended);
};

const startOf = (tx: TransactionRecord) => tx.startedAt ?? tx.firstEventAt;

/**
 * Keeps the connector's pointer in step with the transaction: an open one claims the connector (a transaction
 * that started later wins, and the one it replaces is ended by inference: its own end was lost or is still
 * queued on the charger), an ended one releases it. One conditional write; a second one only when an older
 * transaction had to be ended.
 */
export const followOnConnector = async (deps: Ports, tx: TransactionRecord): Promise<void> => {
  if (tx.evseId === undefined) return;
  // No connector named: the EVSE as a whole (connector 0; record-transaction-event.ts `withConnector`).
  const ref = { evseId: tx.evseId, connectorId: tx.connectorId ?? 0 };
  const outcome =
    tx.status === 'ended'
      ? await deps.stores.connectors.release(tx.chargerId, ref, tx.transactionId, startOf(tx))
      : await deps.stores.connectors.claim(tx.chargerId, ref, tx.transactionId, startOf(tx));
  if (outcome.replaced !== undefined) await supersede(deps, tx.chargerId, outcome.replaced, tx);
};

/** Whether the connector pointer has to follow a change of the transaction. */
export const connectorMustFollow = ({ before, after }: TransactionChange): boolean =>
  after !== undefined &&
  after !== before &&
  (before?.status !== after.status || before?.evseId !== after.evseId || before?.inferredEnd !== after.inferredEnd);

/**
 * Merges a change into a transaction whose current record the caller has just read, and moves the connector
 * pointer and the token use with it, in one round trip: the versioned write and theirs go out together. When
 * another invocation wrote the transaction in between, the merge is done again from a fresh read (and the
 * connector and token use follow the merged result again: their writes are idempotent).
 * `followIfUnchanged`: a start or end sent again finds its merge done; what follows it is done again, in case the
 * first attempt died between the transaction's write and theirs. `tokenUseClaimed`: the start claimed the token use
 * already (token-claim.ts), so it is not added again.
 */
export const mergeTransaction = async (
  deps: Ports,
  chargerId: string,
  transactionId: string,
  transform: Transform,
  current: TransactionRecord | undefined,
  options: { followIfUnchanged?: boolean; tokenUseClaimed?: boolean } = {},
): Promise<TransactionChange> => {
  const claimed = options.tokenUseClaimed === true;
  const versioned = nextVersion(deps, current, transform);
  if (!versioned) {
    if (current && options.followIfUnchanged) await followAgain(deps, current);
    return current ? { before: current, after: current } : {};
  }
  const change = { ...(current ? { before: current } : {}), after: versioned };
  const [written] = await Promise.all([
    deps.stores.transactions.putIfVersion(versioned),
    connectorMustFollow(change) ? followOnConnector(deps, versioned) : undefined,
    followTokenUse(deps, change, claimed),
  ]);
  if (written) return change;
  const retried = await updateTransaction(deps, chargerId, transactionId, transform);
  await Promise.all([connectorMustFollow(retried) ? followOnConnector(deps, retried.after!) : undefined, followTokenUse(deps, retried, claimed)]);
  return retried;
};
