/**
 * Transactions that have not ended but are not live (token-use.ts: their charger is offline, or nothing of them
 * arrived within the live window), as operators see them: listed (`GET /transactions?state=stale`) and closed by
 * hand (`POST /transactions/{chargerId}/{transactionId}/close`). A stale transaction never locks its token; closing
 * it tidies the lists and frees its connector, and the charger's own stop, should it come, still wins.
 */
import * as z from 'zod';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import type { Presence } from '../charger/presence.ts';
import { registeredChargerId } from '../charger/registry.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import { lastEventAt, staleness } from './token-use.ts';
import { transactionView, type TimeRange, type TransactionView } from './transaction-queries.ts';
import { followOnConnector, releaseTokenUse, updateTransaction, type TransactionRecord } from './transaction.ts';

/** What a transaction closed by an operator records as its stop reason, until the charger's own stop replaces it. */
export const CLOSED_BY_OPERATOR = 'ClosedByOperator';

export const CloseTransactionSchema = z.strictObject({
  /** Why it is closed, for whoever reads the transaction later. */
  reason: z.string().trim().min(1).max(500),
});

const olderThan = (time: string, now: Date, windowMs: number) => Date.parse(time) < now.getTime() - windowMs;

/**
 * One page of the active transactions (`TXS#ACTIVE`, newest first), keeping the stale ones, each with why and its
 * last event. Per page: one BatchGetItem of the chargers' presence, and a Query of the newest reading of each 1.6
 * transaction whose record is older than the window (a 1.6 MeterValues does not touch the record). The filter
 * applies to the page read: a page may hold fewer items than asked for, even none, and still have a cursor.
 */
export const listStaleTransactions = async (deps: Ports, options: PageOptions & TimeRange, liveWindowMs: number): Promise<Page<TransactionView>> => {
  const { stores } = deps;
  const now = deps.now();
  const page = await stores.transactions.list({ state: 'active' }, options);
  const chargers = [...new Set(page.items.map((tx) => tx.chargerId))];
  const needsReadings = (tx: TransactionRecord) => tx.protocol === 'ocpp1.6' && olderThan(lastEventAt(tx, undefined), now, liveWindowMs);
  const [presence, readings] = await Promise.all([
    stores.readTogether(Object.fromEntries(chargers.map((c, i) => [`p${i}`, stores.presence.read(c)]))) as Promise<Record<string, Presence | undefined>>,
    Promise.all(page.items.map(async (tx) => (needsReadings(tx) ? stores.meterValues.latestOfTransaction(tx.chargerId, tx.transactionId) : undefined))),
  ]);
  const connected = new Set(chargers.filter((_, i) => presence[`p${i}`]?.connected === true));
  const items = page.items.flatMap((tx, i) => {
    const last = lastEventAt(tx, undefined, readings[i]);
    const reason = staleness(connected.has(tx.chargerId), last, now, liveWindowMs);
    return reason ? [{ ...transactionView(tx), stale: { reason, lastEventAt: last } }] : [];
  });
  return { ...page, items };
};

/**
 * Ends an active transaction as closed by the CSMS (`closedByCsms`: who, why, when; stop reason ClosedByOperator,
 * `inferredEnd`), and frees its connector and its token. A stop the charger sends later is merged over it as over any
 * end we inferred. `conflict` when it has ended already. The charger's id in any case (resolved to the id as registered).
 */
export const closeTransaction = async (deps: Ports, chargerIdAsGiven: string, transactionId: string, reason: string, by: string): Promise<Outcome<TransactionView>> => {
  const at = deps.now().toISOString();
  const chargerId = await registeredChargerId(deps, chargerIdAsGiven);
  const { before, after } = await updateTransaction(deps, chargerId, transactionId, (tx) =>
    tx?.status !== 'active' ? tx : { ...tx, status: 'ended', endedAt: at, stopReason: CLOSED_BY_OPERATOR, inferredEnd: true, closedByCsms: { by, reason, at } },
  );
  if (!after) return failure('not-found', `No transaction ${transactionId} of charger ${chargerId}`);
  if (after === before) return failure('conflict', `Transaction ${transactionId} of charger ${chargerId} has ended already (${after.stopReason ?? 'no reason'} at ${after.endedAt ?? 'an unknown time'})`);
  await Promise.all([followOnConnector(deps, after), releaseTokenUse(deps, after)]);
  deps.log.info('transaction closed by an operator', { chargerId, transactionId, by, reason });
  return success(transactionView(after));
};
