/**
 * Connectors (EVSEs): the current status, which transaction holds the connector and the availability a
 * ChangeAvailability gave it, one item each, created on first write; and every status report in the connector's
 * history, keyed by time and content so a report sent again is kept once.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AvailabilityChange } from '../charger/availability.ts';
import type { Connector, ConnectorRef, StatusReport } from '../charger/connector-status.ts';
import type { StoreContext } from './context.ts';
import { unlessConditionFails, type Item } from './dynamo.ts';
import { CONNECTOR_PREFIX, connectorKey, connectorsPk, evseConnectorsRange, statusHistoryKey, statusHistoryPk, withoutKeys } from './keys.ts';
import { mapPage, queryAll, queryPage, timeBetween, type Page, type PageOptions, type TimeRange } from './queries.ts';
import { expiresAfter } from './retention.ts';
import { setRemove } from './update-expression.ts';

const OPTIONAL_FACTS = ['errorCode', 'info', 'vendorId', 'vendorErrorCode', 'ocppConnectorId'] as const;

/** `endedTransactionId` is bookkeeping for the race of a start and an end (see `release`), not a fact to show. */
const fromItem = (item: Item): Connector => {
  const { endedTransactionId: _ended, ...connector } = withoutKeys<Connector & { endedTransactionId?: string }>(item);
  return connector;
};

export interface ClaimOutcome {
  /** False when a transaction that started later holds the connector, or this one has ended already. */
  claimed: boolean;
  /** The transaction that held the connector and has now lost it (its end never arrived). */
  replaced?: string;
}

/** The connector is free, held by this transaction, or held by one that started no later than it. */
const HOLDER_NOT_NEWER = 'attribute_not_exists(activeTransactionId) OR activeTransactionId = :tx OR activeTransactionStartedAt <= :at';

export const connectorStore = (ctx: StoreContext) => {

  /** One conditional write of the transaction pointer (creating the connector item if needed); the item before it, or undefined when the condition failed. */
  const movePointer = async (
    chargerId: string,
    ref: ConnectorRef,
    transactionId: string,
    startedAt: string,
    change: { set: string; remove?: string; condition: string },
  ): Promise<Item | undefined> => {
    const out = await unlessConditionFails(
      ctx.db.send(
        new UpdateCommand({
          TableName: ctx.tables.Csms,
          Key: connectorKey(chargerId, ref.evseId, ref.connectorId),
          UpdateExpression: `SET ${change.set}, #type = :type, chargerId = :charger, evseId = :evse, connectorId = :conn${change.remove ? ` REMOVE ${change.remove}` : ''}`,
          ConditionExpression: change.condition,
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': 'Connector', ':tx': transactionId, ':at': startedAt, ':charger': chargerId, ':evse': ref.evseId, ':conn': ref.connectorId },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return out && (out.Attributes ?? {});
  };

  return {
    /**
     * Keeps the report in the history (a plain put, batched with the message) and makes it the connector's
     * status unless the connector already has a newer one (chargers replay old reports after reconnecting).
     */
    async putStatusIfNewer(report: StatusReport): Promise<{ current: boolean }> {
      const receivedAt = ctx.now();
      const facts = Object.fromEntries(OPTIONAL_FACTS.filter((k) => report[k] !== undefined).map((k) => [k, report[k]]));
      const history = ctx.puts.put(ctx.tables.Csms, {
        ...statusHistoryKey(report.chargerId, report.evseId, report.connectorId, report.timestamp, [
          report.status, report.errorCode, report.info, report.vendorId, report.vendorErrorCode,
        ]),
        type: 'StatusReport',
        ...report,
        receivedAt: receivedAt.toISOString(),
        expiresAt: expiresAfter(receivedAt, ctx.retention.statusHistoryDays),
      });
      const names = Object.keys(facts);
      // Details the report does not carry go: they belonged to an older report (e.g. a fault's info).
      const absent = OPTIONAL_FACTS.filter((k) => report[k] === undefined);
      const current = unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: connectorKey(report.chargerId, report.evseId, report.connectorId),
            UpdateExpression: [
              'SET #type = :type, chargerId = :charger, evseId = :evse, connectorId = :conn, #status = :status',
              'statusTimestamp = :ts, statusReceivedAt = :rcv',
              ...names.map((_, i) => `#x${i} = :x${i}`),
            ].join(', ') + (absent.length > 0 ? ` REMOVE ${absent.map((_, i) => `#r${i}`).join(', ')}` : ''),
            ConditionExpression: 'attribute_not_exists(statusTimestamp) OR statusTimestamp <= :ts',
            ExpressionAttributeNames: {
              '#type': 'type',
              '#status': 'status',
              ...Object.fromEntries(names.map((k, i) => [`#x${i}`, k])),
              ...Object.fromEntries(absent.map((k, i) => [`#r${i}`, k])),
            },
            ExpressionAttributeValues: {
              ':type': 'Connector',
              ':charger': report.chargerId,
              ':evse': report.evseId,
              ':conn': report.connectorId,
              ':status': report.status,
              ':ts': report.timestamp,
              ':rcv': receivedAt.toISOString(),
              ...Object.fromEntries(names.map((k, i) => [`:x${i}`, facts[k]])),
            },
          }),
        ),
      );
      const [, updated] = await Promise.all([history, current]);
      return { current: updated !== undefined };
    },

    /**
     * Points the connector at a transaction. Only a transaction that started later takes the connector over,
     * and never one whose end is already recorded; returns the transaction it replaced, if any.
     */
    async claim(chargerId: string, ref: ConnectorRef, transactionId: string, startedAt: string): Promise<ClaimOutcome> {
      const before = await movePointer(chargerId, ref, transactionId, startedAt, {
        set: 'activeTransactionId = :tx, activeTransactionStartedAt = :at',
        condition: `(${HOLDER_NOT_NEWER}) AND (attribute_not_exists(endedTransactionId) OR endedTransactionId <> :tx)`,
      });
      if (!before) return { claimed: false };
      const previous = before.activeTransactionId as string | undefined;
      return previous !== undefined && previous !== transactionId ? { claimed: true, replaced: previous } : { claimed: true };
    },

    /**
     * Records that a transaction ended on the connector: the pointer goes (it was this transaction, or an older
     * one this transaction outlived: returned as `replaced`), and a start of it still on its way cannot claim the
     * connector any more. A transaction that started before the one holding the connector changes nothing.
     */
    async release(chargerId: string, ref: ConnectorRef, transactionId: string, startedAt: string): Promise<{ replaced?: string }> {
      const before = await movePointer(chargerId, ref, transactionId, startedAt, {
        set: 'endedTransactionId = :tx',
        remove: 'activeTransactionId, activeTransactionStartedAt',
        condition: HOLDER_NOT_NEWER,
      });
      const previous = before?.activeTransactionId as string | undefined;
      return previous !== undefined && previous !== transactionId ? { replaced: previous } : {};
    },

    /**
     * Keeps the availability an answered ChangeAvailability gave the connector (creating its item if needed): one
     * UpdateItem of its own attributes, so the reported status and the transaction pointer stay as they are.
     * `superseded`: the connector's availability came from a later answer, and stays.
     */
    async setAvailability(change: AvailabilityChange): Promise<'kept' | 'superseded'> {
      const { chargerId, evseId, connectorId } = change;
      const update = setRemove({ type: 'Connector', ...change });
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: connectorKey(chargerId, evseId, connectorId),
            ...update,
            ConditionExpression: 'attribute_not_exists(#answeredAt) OR #answeredAt <= :answeredAt',
            ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#answeredAt': 'availabilityAnsweredAt' },
            ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':answeredAt': change.availabilityAnsweredAt },
          }),
        ),
      );
      return out === undefined ? 'superseded' : 'kept';
    },

    list: async (chargerId: string): Promise<Connector[]> =>
      (await queryAll(ctx, { pk: connectorsPk(chargerId), beginsWith: CONNECTOR_PREFIX })).map(fromItem),

    /** One page of the charger's connectors, in EVSE and connector order. */
    page: async (chargerId: string, options: PageOptions): Promise<Page<Connector>> =>
      mapPage(await queryPage(ctx, { pk: connectorsPk(chargerId), beginsWith: CONNECTOR_PREFIX }, options), fromItem),

    /**
     * The first `limit` connectors (1 and up) of one EVSE: one Query that reads no more than that, however many
     * connectors a charger's reports made up.
     */
    ofEvse: async (chargerId: string, evseId: number, limit: number): Promise<Connector[]> =>
      (await queryPage(ctx, { pk: connectorsPk(chargerId), between: evseConnectorsRange(evseId) }, { limit })).items.map(fromItem),

    history: async (chargerId: string, ref: ConnectorRef, options: PageOptions & TimeRange = {}): Promise<Page<StatusReport>> => {
      const between = timeBetween(options);
      const q = { pk: statusHistoryPk(chargerId, ref.evseId, ref.connectorId), ...(between ? { between } : {}) };
      return mapPage(await queryPage(ctx, q, options), (i) => withoutKeys<StatusReport>(i));
    },
  };
};

export type ConnectorStore = ReturnType<typeof connectorStore>;
