/**
 * Connector (EVSE) status from StatusNotification. Connectors are created on first report; every report
 * is kept in the connector's history, keyed by its time and content, so a report sent again is kept once
 * (a 1.6 report without a timestamp is dated on arrival, so a resend of it is kept twice).
 * A report older than the current one (chargers replay after reconnecting) goes to history only.
 * OCPP 1.6 connector N is stored as EVSE N, connector 1; 1.6 connector 0 (the charger itself) as EVSE 0, connector 0.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapPage, queryAll, queryPage, type Page, type PageOptions } from '../store/queries.ts';
import type { StoreDeps } from '../deps.ts';
import { CONNECTOR_PREFIX, chargerKey, connectorKey, contentKey, statusHistoryPk, withoutKeys } from '../store/keys.ts';
import { isConditionFailed } from '../store/document-client.ts';

export interface ConnectorRef {
  evseId: number;
  connectorId: number;
}

export const connectorOfV16 = (connectorId: number): ConnectorRef =>
  connectorId === 0 ? { evseId: 0, connectorId: 0 } : { evseId: connectorId, connectorId: 1 };

export interface StatusReport extends ConnectorRef {
  chargerId: string;
  status: string;
  timestamp: string;
  messageId: string;
  errorCode?: string;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
  /** The connector number as the charger's protocol names it (1.6 connectorId), for operators. */
  ocppConnectorId?: number;
}

export interface Connector extends ConnectorRef {
  chargerId: string;
  status?: string;
  statusTimestamp?: string;
  errorCode?: string;
  activeTransactionId?: string;
  ocppConnectorId?: number;
}

const optional = (report: StatusReport) =>
  Object.fromEntries(
    (['errorCode', 'info', 'vendorId', 'vendorErrorCode'] as const)
      .filter((k) => report[k] !== undefined)
      .map((k) => [k, report[k]]),
  );

export const recordStatus = async (deps: StoreDeps, report: StatusReport): Promise<{ current: boolean }> => {
  const receivedAt = deps.now().toISOString();
  const history = deps.db.send(
    new PutCommand({
      TableName: deps.tables.csms,
      Item: {
        pk: statusHistoryPk(report.chargerId, report.evseId, report.connectorId),
        sk: `${report.timestamp}#${contentKey([report.status, report.errorCode, report.info, report.vendorId, report.vendorErrorCode])}`,
        type: 'StatusReport',
        ...report,
        receivedAt,
      },
    }),
  );
  const extra = optional(report);
  const sets = Object.keys(extra).map((k, i) => `#x${i} = :x${i}`);
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.csms,
        Key: connectorKey(report.chargerId, report.evseId, report.connectorId),
        UpdateExpression: [
          'SET #type = :type, chargerId = :charger, evseId = :evse, connectorId = :conn, #status = :status',
          'statusTimestamp = :ts, statusReceivedAt = :rcv',
          ...(report.ocppConnectorId !== undefined ? ['ocppConnectorId = :ocppConn'] : []),
          ...sets,
        ].join(', '),
        ConditionExpression: 'attribute_not_exists(statusTimestamp) OR statusTimestamp <= :ts',
        ExpressionAttributeNames: {
          '#type': 'type',
          '#status': 'status',
          ...Object.fromEntries(Object.keys(extra).map((k, i) => [`#x${i}`, k])),
        },
        ExpressionAttributeValues: {
          ':type': 'Connector',
          ':charger': report.chargerId,
          ':evse': report.evseId,
          ':conn': report.connectorId,
          ':status': report.status,
          ':ts': report.timestamp,
          ':rcv': receivedAt,
          ...(report.ocppConnectorId !== undefined ? { ':ocppConn': report.ocppConnectorId } : {}),
          ...Object.fromEntries(Object.values(extra).map((v, i) => [`:x${i}`, v])),
        },
      }),
    );
    await history;
    return { current: true };
  } catch (error) {
    await history;
    if (isConditionFailed(error)) return { current: false };
    throw error;
  }
};

export const listConnectors = async (deps: StoreDeps, chargerId: string): Promise<Connector[]> =>
  (await queryAll(deps, { pk: chargerKey(chargerId).pk, beginsWith: CONNECTOR_PREFIX })).map((i) => withoutKeys<Connector>(i));

export const listStatusHistory = async (
  deps: StoreDeps,
  chargerId: string,
  ref: ConnectorRef,
  options: PageOptions = {},
): Promise<Page<StatusReport>> =>
  mapPage(await queryPage(deps, { pk: statusHistoryPk(chargerId, ref.evseId, ref.connectorId) }, options), (i) =>
    withoutKeys<StatusReport>(i),
  );
