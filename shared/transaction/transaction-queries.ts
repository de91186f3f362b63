/**
 * Transactions and their meter values as operators and billing systems read them. Every listing is one query of
 * one designed partition (shared/store/keys.ts `transactionIndexes`): the filter picks the partition, the time
 * range is the sort key's range. Representations leave out what only the merge needs (fingerprints, seqNo books).
 */
import * as z from 'zod';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import { registeredChargerId } from '../charger/registry.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import type { TransactionPartition } from '../store/transaction-store.ts';
import type { StoredMeterValue } from './meter-values.ts';
import type { TransactionRecord } from './transaction.ts';

const energy = z.object({ at: z.string(), wh: z.number() });

export const TransactionViewSchema = z.object({
  chargerId: z.string(),
  transactionId: z.string(),
  protocol: z.string(),
  status: z.enum(['active', 'ended']),
  locationId: z.string().optional(),
  evseId: z.number().optional(),
  connectorId: z.number().optional(),
  /** 1.6: the connector as the charger numbers it. */
  ocppConnectorId: z.number().optional(),
  idToken: z.string().optional(),
  idTokenType: z.string().optional(),
  authorization: z.string().optional(),
  receivedAt: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  stopReason: z.string().optional(),
  stopIdToken: z.string().optional(),
  meterStartWh: z.number().optional(),
  meterStopWh: z.number().optional(),
  energyWh: z.number().optional(),
  firstEnergy: energy.optional(),
  lastEnergy: energy.optional(),
  chargingState: z.string().optional(),
  remoteStartId: z.number().optional(),
  reservationId: z.number().optional(),
  offline: z.boolean().optional(),
  startMissing: z.boolean().optional(),
  /** Ended by the CSMS (superseded on its connector, or closed by an operator), not by the charger. */
  inferredEnd: z.boolean().optional(),
  /** An operator closed it (POST .../close): who, why and when. */
  closedByCsms: z.object({ by: z.string(), reason: z.string(), at: z.string() }).optional(),
  /** The remote start command that started it (GET /commands/{id}). */
  startedByCommand: z.string().optional(),
  /** The first remote stop command the charger accepted for it. */
  stopRequestedByCommand: z.string().optional(),
  updatedAt: z.string(),
  /**
   * Only in `?state=stale`: why it is not live (its charger is offline, or nothing of it arrived within the live
   * window) and when we last heard of it. A stale transaction never makes its token ConcurrentTx.
   */
  stale: z.object({ reason: z.enum(['charger-offline', 'no-recent-event']), lastEventAt: z.string() }).optional(),
});
export type TransactionView = z.output<typeof TransactionViewSchema>;

const VIEW_FIELDS = (Object.keys(TransactionViewSchema.shape) as (keyof TransactionView)[]).filter((f) => f !== 'stale');

export const transactionView = (tx: TransactionRecord): TransactionView =>
  Object.fromEntries(VIEW_FIELDS.filter((f) => tx[f as keyof TransactionRecord] !== undefined).map((f) => [f, tx[f as keyof TransactionRecord]])) as TransactionView;

export const TransactionEventViewSchema = z.object({
  seqNo: z.number(),
  eventType: z.string(),
  /** The event's time as stored (charger-time.ts). */
  timestamp: z.string(),
  receivedAt: z.string(),
  messageId: z.string(),
  /** The TransactionEvent as the charger sent it. */
  event: z.unknown(),
});

/** Raw 2.x events shown with a transaction: the newest ones (a long session has one per meter interval). */
export const MAX_EVENTS_SHOWN = 200;

export const TransactionWithEventsSchema = TransactionViewSchema.extend({
  events: z.array(TransactionEventViewSchema),
  /** Older events were left out (more than MAX_EVENTS_SHOWN). */
  eventsTruncated: z.boolean(),
});
export type TransactionWithEvents = z.output<typeof TransactionWithEventsSchema>;

export const MeterValueViewSchema = z.object({
  timestamp: z.string(),
  sampledValue: z.array(z.record(z.string(), z.unknown())),
  chargerTimestamp: z.string().optional(),
  energyWh: z.number().optional(),
  evseId: z.number().optional(),
  connectorId: z.number().optional(),
  source: z.string(),
});
export type MeterValueView = z.output<typeof MeterValueViewSchema>;

export interface TimeRange {
  from?: string;
  to?: string;
}

/** A charger's transactions are listed under its id as registered: any case of it finds them (one GetItem more). */
export const listTransactions = async (deps: Ports, partition: TransactionPartition, options: PageOptions & TimeRange): Promise<Page<TransactionView>> => {
  const listed = 'chargerId' in partition ? { chargerId: await registeredChargerId(deps, partition.chargerId) } : partition;
  const page = await deps.stores.transactions.list(listed, options);
  return { ...page, items: page.items.map(transactionView) };
};

/** A transaction by its charger's id in any case (resolved to the id as registered first) and its id. */
export const getTransaction = async (deps: Ports, chargerId: string, transactionId: string): Promise<Outcome<TransactionWithEvents>> => {
  const registered = await registeredChargerId(deps, chargerId);
  const { transaction, events, more } = await deps.stores.transactions.withEvents(registered, transactionId, MAX_EVENTS_SHOWN);
  if (!transaction) return failure('not-found', `No transaction ${transactionId} of charger ${chargerId}`);
  return success({
    ...transactionView(transaction),
    events: events.map((e) => ({ seqNo: e.seqNo, eventType: e.eventType, timestamp: e.timestamp, receivedAt: e.receivedAt, messageId: e.messageId, event: e.event })),
    eventsTruncated: more,
  });
};

/** OCPP (1.6 and 2.x): a sampled value without a measurand is the energy register. */
const DEFAULT_MEASURAND = 'Energy.Active.Import.Register';

const meterValueView = (m: StoredMeterValue, measurand: string | undefined): MeterValueView | undefined => {
  const sampled = measurand === undefined ? m.sampledValue : m.sampledValue.filter((s) => (s.measurand ?? DEFAULT_MEASURAND) === measurand);
  if (sampled.length === 0) return undefined;
  return {
    timestamp: m.timestamp,
    sampledValue: sampled as unknown as Record<string, unknown>[],
    ...(m.chargerTimestamp !== undefined ? { chargerTimestamp: m.chargerTimestamp } : {}),
    ...(m.energyWh !== undefined ? { energyWh: m.energyWh } : {}),
    ...(m.evseId !== undefined ? { evseId: m.evseId } : {}),
    ...(m.connectorId !== undefined ? { connectorId: m.connectorId } : {}),
    source: m.source,
  };
};

/**
 * A page of the transaction's readings in time order (the range on the index sort key). `measurand` filters the
 * sampled values of the page it read: a page may hold fewer readings than asked for (even none) and still have a
 * cursor; the work per request stays bounded by `limit`.
 */
export const transactionMeterValues = async (
  deps: Ports,
  chargerId: string,
  transactionId: string,
  options: PageOptions & TimeRange & { measurand?: string },
): Promise<Outcome<Page<MeterValueView>>> => {
  const { measurand, ...page } = options;
  const registered = await registeredChargerId(deps, chargerId);
  const [tx, values] = await Promise.all([
    deps.stores.transactions.exists(registered, transactionId),
    deps.stores.meterValues.pageOfTransaction(registered, transactionId, page),
  ]);
  if (!tx) return failure('not-found', `No transaction ${transactionId} of charger ${chargerId}`);
  return success({ ...values, items: values.items.flatMap((m) => meterValueView(m, measurand) ?? []) });
};
