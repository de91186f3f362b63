/**
 * Erasing what a deleted charger leaves: its live items (presence, connectors, reservations, settings, composite
 * schedules, local list, remote starts) always, and, when the operator asks for a purge, its operational history (status reports, timeline,
 * message log) in bounded steps. Transactions and their meter values are billing records and are never erased here
 * (they expire by their retention); NotifyReport pages have no per-charger index and expire by theirs.
 */
import type { ConnectorRef } from '../charger/connector-status.ts';
import type { StoreContext } from './context.ts';
import { deleteAll, type Key } from './dynamo.ts';
import {
  CERTIFICATE_REQUEST_PREFIX,
  COMPOSITE_SCHEDULE_PREFIX,
  CONFIGURATION_PREFIX,
  COMMAND_SLOT_SK,
  CONNECTOR_PREFIX,
  connectorKey,
  connectorsPk,
  FIRMWARE_UPDATE_PREFIX,
  HELD_COMMAND_PREFIX,
  heldCommandsPk,
  LOCAL_LIST_SK,
  messageLogPk,
  PENDING_START_PREFIX,
  presenceKey,
  REMOTE_START_PREFIX,
  RESERVATION_PREFIX,
  RESERVED_EVSES_SK,
  statusHistoryPk,
  timelinePk,
} from './keys.ts';
import { queryAll, queryPage, type PartitionQuery } from './queries.ts';
import type { TableName } from './tables.ts';

/** Sort-key prefixes of what a charger's partition holds of its live state (beside its presence). */
const LIVE_PREFIXES = [
  CONNECTOR_PREFIX,
  RESERVATION_PREFIX,
  CERTIFICATE_REQUEST_PREFIX,
  CONFIGURATION_PREFIX,
  COMPOSITE_SCHEDULE_PREFIX,
  LOCAL_LIST_SK,
  REMOTE_START_PREFIX,
  PENDING_START_PREFIX,
  RESERVED_EVSES_SK,
  FIRMWARE_UPDATE_PREFIX,
  // Kept under the lower-case id (both partitions are read): a charger registered again under the id must not be
  // sent the commands held for the deleted one, nor wait for its CALL in flight.
  COMMAND_SLOT_SK,
  HELD_COMMAND_PREFIX,
];

export interface PurgeStep {
  /** Items deleted by this step. */
  readonly deleted: number;
  /** More history is left: call again. */
  readonly remaining: boolean;
}

export const chargerHistoryStore = (ctx: StoreContext) => ({
  /**
   * Deletes the charger's presence, connector, reservation, certificate-request, setting, composite-schedule,
   * local-list, remote-start and firmware-update items, its in-flight command slot and held-command markers (its partition under the id as registered; only those sort keys, so a charger
   * registered again meanwhile under the same id keeps its new profile).
   */
  async eraseLive(chargerId: string): Promise<number> {
    const partitions = [...new Set([connectorsPk(chargerId), heldCommandsPk(chargerId)])];
    const items = (await Promise.all(partitions.map((pk) => queryAll(ctx, { pk })))).flat();
    const keys = items
      .filter((i) => i.sk === presenceKey(chargerId).sk || LIVE_PREFIXES.some((p) => String(i.sk).startsWith(p)))
      .map((i) => ({ table: ctx.tables.Csms, key: { pk: String(i.pk), sk: String(i.sk) } }));
    await deleteAll(ctx.db, keys);
    return keys.length;
  },

  /**
   * Deletes at most `budget` items of the charger's history, partition by partition: each connector's status
   * reports and then the connector itself, the timeline, the message log. Bounded so one request stays well inside
   * the API's 29 s. A connector goes with the last of its reports, so the next step never reads its emptied
   * partition again: every Query of a connector's reports deletes at least one item, however many connectors the charger made up.
   * `connectors` may be the first page of them (`moreConnectors`: others follow): the step then ends with them, and
   * the next step's first page holds the next ones, so no step lists every connector of a charger that made up many.
   */
  async purge(chargerId: string, connectors: readonly ConnectorRef[], budget: number, moreConnectors = false): Promise<PurgeStep> {
    const partitions: { table: TableName; pk: string; connector?: ConnectorRef }[] = [
      ...connectors.map((c) => ({ table: 'Csms' as const, pk: statusHistoryPk(chargerId, c.evseId, c.connectorId), connector: c })),
      { table: 'Csms', pk: timelinePk(chargerId) },
      { table: 'MessageLog', pk: messageLogPk(chargerId) },
    ];
    let deleted = 0;
    for (const partition of partitions) {
      const left = budget - deleted;
      if (left <= 0 || (moreConnectors && !partition.connector)) return { deleted, remaining: true };
      const q: PartitionQuery = { table: partition.table, pk: partition.pk };
      const page = await queryPage(ctx, q, { limit: left });
      const keys = page.items.map((i) => ({ table: ctx.tables[partition.table], key: { pk: String(i.pk), sk: String(i.sk) } as Key }));
      const emptied = !page.cursor && page.items.length < left;
      if (emptied && partition.connector) {
        keys.push({ table: ctx.tables.Csms, key: connectorKey(chargerId, partition.connector.evseId, partition.connector.connectorId) });
      }
      await deleteAll(ctx.db, keys);
      deleted += keys.length;
      if (!emptied) return { deleted, remaining: true };
    }
    return { deleted, remaining: false };
  },
});

export type ChargerHistoryStore = ReturnType<typeof chargerHistoryStore>;
