/**
 * Connector (EVSE) status from StatusNotification. Connectors are created on first report; every report
 * is kept in the connector's history, keyed by its time and content, so a report sent again is kept once
 * (a 1.6 report without a timestamp is dated on arrival, so a resend of it is kept twice).
 * A report older than the current one (chargers replay after reconnecting) goes to history only
 * (shared/store/connector-store.ts).
 * OCPP 1.6 connector N is stored as EVSE N, connector 1; 1.6 connector 0 (the charger itself) as EVSE 0, connector 0.
 * The same item keeps the availability the charger last took from a ChangeAvailability (availability.ts).
 */
import type { ConnectorAvailability } from './availability.ts';

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
  /** What the charger sent as the time, when it was out of bounds and `timestamp` is the receive time. */
  chargerTimestamp?: string;
  messageId: string;
  errorCode?: string;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
  /** The connector number as the charger's protocol names it (1.6 connectorId), for operators. */
  ocppConnectorId?: number;
}

export interface Connector extends ConnectorRef, Partial<ConnectorAvailability> {
  chargerId: string;
  status?: string;
  statusTimestamp?: string;
  errorCode?: string;
  activeTransactionId?: string;
  ocppConnectorId?: number;
}
