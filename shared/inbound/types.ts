/** What an inbound OCPP action handler receives, and the shape of the per-version action tables. */
import type { StoreDeps } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { MeterSample } from '../transaction/meter-values.ts';

export interface InboundContext {
  readonly store: StoreDeps;
  readonly chargerId: string;
  readonly protocol: OcppProtocol;
  readonly messageId: string;
  readonly connectionId: string;
  readonly receivedAt: Date;
  readonly heartbeatIntervalSeconds: number;
}

/**
 * One charger-initiated action. `payload` has passed the version's JSON schema before `handle` runs, so
 * the declared request type is what the schema guarantees.
 */
export interface ActionSpec<Req> {
  handle(ctx: InboundContext, payload: Req): Promise<unknown>;
  /**
   * OCPP 2.0.1 B02/B03: only an accepted charger may authorize or start transactions. A function decides per
   * payload (a transaction under way may still end after the charger lost its acceptance).
   */
  readonly requiresAcceptedCharger?: boolean | ((payload: Req) => boolean);
}

// `never` makes a table accept specs of any request type; the dispatcher passes validated payloads.
export type ActionTable = Readonly<Record<string, ActionSpec<never>>>;

/** Charger timestamps are stored as UTC ISO-8601 so that string order is time order. */
export const utc = (timestamp: string | undefined, fallback: Date): string => {
  const ms = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  return new Date(Number.isNaN(ms) ? fallback.getTime() : ms).toISOString();
};

/** Meter samples with their timestamps in UTC (see `utc`). */
export const samplesInUtc = (samples: MeterSample[] | undefined, receivedAt: Date): MeterSample[] =>
  (samples ?? []).map((s) => ({ ...s, timestamp: utc(s.timestamp, receivedAt) }));
