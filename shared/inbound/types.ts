/** What an inbound OCPP action handler receives, and the shape of the per-version action tables. */
import type { Ports, UnitOfWork } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { MeterSample } from '../transaction/meter-values.ts';

/**
 * One charger message in progress: the stores of its unit of work (plain puts join the message's batch, written
 * with its message-log entry), and `alongside` for writes the answer does not depend on.
 */
export interface InboundContext extends Ports, Pick<UnitOfWork, 'alongside'> {
  readonly chargerId: string;
  readonly protocol: OcppProtocol;
  readonly messageId: string;
  readonly connectionId: string;
  readonly receivedAt: Date;
  readonly heartbeatIntervalSeconds: number;
}

/**
 * One charger-initiated action. `payload` has passed the version's JSON schema before `handle` runs, so
 * the declared request type is what the schema guarantees. A refusal the spec names (e.g. SecurityError for
 * a charger that is not accepted) is thrown as a `CallRefused`.
 */
export interface ActionSpec<Req> {
  handle(ctx: InboundContext, payload: Req): Promise<unknown>;
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
