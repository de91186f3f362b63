/**
 * Live connection state of a charger. Exactly one connection counts per charger: the newest by API Gateway's
 * connectedAt wins, the replaced one is closed, and a late $disconnect of an old connection cannot mark a newer
 * one offline (see shared/store/presence-store.ts).
 */
import type { OcppProtocol } from '../ocpp/frames.ts';

export interface Presence {
  chargerId: string;
  connected: boolean;
  connectionId?: string;
  protocol?: OcppProtocol;
  connectedAt?: number;
  disconnectedAt?: string;
  /** When the connection was opened; the message log knows the latest frame (`lastSeen`). */
  lastSeenAt?: string;
  sourceIp?: string;
  /** Latest firmware / diagnostics / log upload status (see timeline.ts). */
  firmwareStatus?: string;
  diagnosticsStatus?: string;
  logStatus?: string;
}

export interface ConnectionRecord {
  connectionId: string;
  chargerId: string;
  protocol: OcppProtocol;
  connectedAt: number;
}

/** Notifications whose latest status is also kept on the presence item. */
export type UploadKind = 'FirmwareStatus' | 'DiagnosticsStatus' | 'LogStatus';
