/**
 * The persistence layer as the domain sees it: one store per aggregate, with intent-named operations that
 * take and return domain records. The domain receives a `Stores`; it never sees a DynamoDB client, a key or
 * a condition expression.
 */
import type { StoreContext } from './context.ts';
import { getAll, type Item, type Key } from './dynamo.ts';
import { chargerHistoryStore } from './charger-history-store.ts';
import { chargerStore } from './charger-store.ts';
import { commandStore } from './command-store.ts';
import { connectorStore } from './connector-store.ts';
import { enrolmentStore } from './enrolment-store.ts';
import { idTokenStore } from './id-token-store.ts';
import { locationStore } from './location-store.ts';
import { idempotencyStore } from './idempotency-store.ts';
import { messageLogStore } from './message-log-store.ts';
import { meterValueStore } from './meter-value-store.ts';
import { presenceStore } from './presence-store.ts';
import { reportStore } from './report-store.ts';
import { reservationStore } from './reservation-store.ts';
import { timelineStore } from './timeline-store.ts';
import { transactionStore } from './transaction-store.ts';
import { certificateRequestStore } from './certificate-request-store.ts';
import { configurationStore } from './configuration-store.ts';
import { compositeScheduleStore } from './composite-schedule-store.ts';
import { localListStore } from './local-list-store.ts';
import { remoteStartStore } from './remote-start-store.ts';
import { tokenUseStore } from './token-use-store.ts';
import { listTokenStore } from './list-token-store.ts';
import { fileStore } from './file-store.ts';
import { firmwareUpdateStore } from './firmware-update-store.ts';
import { liveSubscriptionStore } from './live-subscription-store.ts';
import { tokenCaseMigration } from './token-case-migration.ts';
import { chargerIdMigration } from './charger-id-migration.ts';
import { MAX_TARGETS_PER_CONNECTION } from '../live/live-event.ts';

/** One item to read with others: where it is, and how its item becomes a record. */
export interface ItemRead<T> {
  readonly table: string;
  readonly key: Key;
  readonly consistent?: boolean;
  readonly decode: (item: Item) => T;
}

// NonNullable: a read left out (undefined) decodes as undefined, not as never.
type Decoded<R> = { [K in keyof R]: NonNullable<R[K]> extends ItemRead<infer T> ? T | undefined : never };

export const makeStores = (ctx: StoreContext) => ({
  chargers: chargerStore(ctx),
  chargerHistory: chargerHistoryStore(ctx),
  presence: presenceStore(ctx),
  connectors: connectorStore(ctx),
  transactions: transactionStore(ctx),
  meterValues: meterValueStore(ctx),
  idTokens: idTokenStore(ctx),
  timeline: timelineStore(ctx),
  reports: reportStore(ctx),
  messageLog: messageLogStore(ctx),
  enrolments: enrolmentStore(ctx),
  idempotency: idempotencyStore(ctx),
  commands: commandStore(ctx),
  locations: locationStore(ctx),
  certificateRequests: certificateRequestStore(ctx),
  reservations: reservationStore(ctx),
  configuration: configurationStore(ctx),
  compositeSchedules: compositeScheduleStore(ctx),
  localLists: localListStore(ctx),
  remoteStarts: remoteStartStore(ctx),
  tokenUses: tokenUseStore(ctx),
  listTokens: listTokenStore(ctx),
  files: fileStore(ctx),
  firmwareUpdates: firmwareUpdateStore(ctx),
  liveSubscriptions: liveSubscriptionStore(ctx, { maxTargets: MAX_TARGETS_PER_CONNECTION }),
  /** Once, for a table written before id token values were case-insensitive (`token migrate-case`). */
  tokenCaseMigration: tokenCaseMigration(ctx),
  /** Once, for a table written before charger ids were case-insensitive (`charger migrate-ids`, issue 8). */
  chargerIdMigration: chargerIdMigration(ctx),
  /**
   * Reads items of different aggregates in one request (BatchGetItem), e.g. the charger, the id token and the
   * transaction a TransactionEvent needs: `readTogether({ charger: stores.chargers.read(id), ... })`.
   */
  async readTogether<R extends Record<string, ItemRead<unknown> | undefined>>(reads: R): Promise<Decoded<R>> {
    const wanted = Object.entries(reads).filter((e): e is [string, ItemRead<unknown>] => e[1] !== undefined);
    if (wanted.length === 0) return {} as Decoded<R>;
    const items = await getAll(ctx.db, wanted.map(([, r]) => ({ table: r.table, key: r.key, ...(r.consistent ? { consistent: true } : {}) })));
    return Object.fromEntries(wanted.map(([name, r], i) => [name, items[i] === undefined ? undefined : r.decode(items[i]!)])) as Decoded<R>;
  },
});

export type Stores = ReturnType<typeof makeStores>;
