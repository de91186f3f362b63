/**
 * Live connection state of a charger. Exactly one connection counts per charger: the newest by API Gateway's
 * connectedAt wins, the replaced one is closed, and a late $disconnect of an old connection cannot mark a newer
 * one offline (see shared/store/presence-store.ts). A lost `$disconnect` is reconciled by `reconcilePresence`.
 */
import type { Ports } from '../deps.ts';
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
  /** When a command was last held for this charger (`whenOffline: "hold"`); gone once its held commands are released. */
  heldCommandsAt?: string;
}

export interface ConnectionRecord {
  connectionId: string;
  chargerId: string;
  protocol: OcppProtocol;
  connectedAt: number;
}

/** Notifications whose latest status is also kept on the presence item. */
export type UploadKind = 'FirmwareStatus' | 'DiagnosticsStatus' | 'LogStatus';

/** API Gateway closes a WebSocket connection idle this long (no frame either way)... */
export const API_IDLE_TIMEOUT_MS = 10 * 60_000;
/** ...and any connection at this age. */
export const API_MAX_CONNECTION_MS = 2 * 60 * 60_000;
/**
 * Silence after which a connection is taken as gone: the idle timeout plus a margin for a charger that keeps the
 * connection alive with WebSocket pings, which the message log does not see, between its heartbeats.
 */
export const SILENCE_MS = API_IDLE_TIMEOUT_MS + 5 * 60_000;
/** Chargers checked at once. */
const CHECKS_IN_PARALLEL = 16;

/**
 * Presence of connections whose `$disconnect` was lost (API Gateway delivers it at most once, and a failed
 * invocation is not retried): a connection registered as live that is older than API Gateway's maximum, or from
 * whose charger nothing has been heard for longer than the idle timeout, cannot be open. It is marked offline,
 * unless the charger has connected again meanwhile (`detach` is conditioned on the connection id). A reconnect
 * needs none of this: the new connection replaces the old in `$connect`. Returns the chargers marked offline.
 */
export const reconcilePresence = async (deps: Ports): Promise<string[]> => {
  const now = deps.now().getTime();
  const silentSince = new Date(now - SILENCE_MS).toISOString();
  const candidates = await deps.stores.presence.liveOpenedBefore(silentSince);
  const isGone = async (c: ConnectionRecord) =>
    c.connectedAt <= now - API_MAX_CONNECTION_MS || ((await deps.stores.messageLog.lastSeen(c.chargerId)) ?? '') < silentSince;
  const offline: string[] = [];
  for (let i = 0; i < candidates.length; i += CHECKS_IN_PARALLEL) {
    const batch = candidates.slice(i, i + CHECKS_IN_PARALLEL);
    const detached = await Promise.all(batch.map(async (c) => (await isGone(c)) && (await deps.stores.presence.detach(c.chargerId, c.connectionId))));
    offline.push(...batch.filter((_, j) => detached[j]).map((c) => c.chargerId));
  }
  if (offline.length > 0) deps.log.warn('presence reconciled: connections whose $disconnect was lost', { chargers: offline });
  return offline;
};

/**
 * How many chargers are connected now, published as the ConnectedChargers gauge (every minute, route
 * SampleConnectedChargers): connections registered as live, counted from the live-connection index.
 */
export const sampleConnectedChargers = async (deps: Ports): Promise<number> => {
  const connected = await deps.stores.presence.countLive();
  deps.metrics?.record('connectedChargers', connected, {});
  return connected;
};
