/** What an inbound OCPP action handler receives, and the shape of the per-version action tables. */
import type { Ports, UnitOfWork } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { Ocpp16Actions, Ocpp16ChargerActions } from '../ocpp/generated/ocpp16.types.ts';
import type { Ocpp201Actions, Ocpp201ChargerActions } from '../ocpp/generated/ocpp201.types.ts';
import type { Ocpp21Actions, Ocpp21ChargerActions } from '../ocpp/generated/ocpp21.types.ts';
import { chargerTime, type ChargerClockBounds, type ChargerTime } from '../ocpp/charger-time.ts';
import type { MeterSample } from '../transaction/meter-values.ts';
import type { RegistrationStatus } from '../charger/registry.ts';

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
  /** The charger's registration at connect (authorizer context); registration-gate.ts reads it when absent. */
  readonly registration?: RegistrationStatus;
  /** How far the charger's own timestamps are believed. */
  readonly chargerClock: ChargerClockBounds;
  /** A transaction with no event for this long is stale: it never counts against a start of its token (token-use.ts). */
  readonly liveTransactionWindowMs: number;
}

/**
 * One charger-initiated action. `payload` has passed the version's JSON schema before `handle` runs, so
 * the declared request type is what the schema guarantees; `Res` is the action's response type, and the
 * dispatcher checks the answer against the response schema too before sending it. A refusal the spec names
 * (e.g. SecurityError for a charger that is not accepted) is thrown as a `CallRefused`.
 * Function-typed members (not methods) so that the payload type is checked contravariantly.
 */
export interface ActionSpec<Req, Res> {
  readonly handle: (ctx: InboundContext, payload: Req) => Promise<Res>;
}

/** At most one spec per action of `A` (a version's charger-initiated CALLs), typed by that action's payloads. */
export type ChargerActionTable<A extends { [K in keyof A]: { request: unknown; response: unknown } }> = {
  readonly [K in keyof A]?: ActionSpec<A[K]['request'], A[K]['response']>;
};

export type Ocpp16ActionTable = ChargerActionTable<Ocpp16ChargerActions>;
export type Ocpp201ActionTable = ChargerActionTable<Ocpp201ChargerActions>;
export type Ocpp21ActionTable = ChargerActionTable<Ocpp21ChargerActions>;

/** A spec for one OCPP 1.6 action. */
export type Ocpp16ActionSpec<K extends keyof Ocpp16ChargerActions> =
  ActionSpec<Ocpp16Actions[K]['request'], Ocpp16Actions[K]['response']>;

type Ocpp2Action = keyof Ocpp201ChargerActions & keyof Ocpp21ChargerActions;

/** A charger's request of `K` in 2.0.1 or in 2.1. */
export type Ocpp2Request<K extends Ocpp2Action> = Ocpp201Actions[K]['request'] | Ocpp21Actions[K]['request'];

/**
 * A spec shared by 2.0.1 and 2.1: it takes either version's request and answers what both versions' response
 * types accept. Both schemas are closed, so a shared handler must not set a field only 2.1 declares (the
 * 2.0.1 check before sending would refuse it): such an action needs its own 2.1 entry.
 */
export type Ocpp2ActionSpec<K extends Ocpp2Action> =
  ActionSpec<Ocpp2Request<K>, Ocpp201Actions[K]['response'] & Ocpp21Actions[K]['response']>;

type EveryVersionAction = keyof Ocpp16ChargerActions & Ocpp2Action;

/** A charger's request of `K` in any version. */
export type AnyVersionRequest<K extends EveryVersionAction> =
  Ocpp16Actions[K]['request'] | Ocpp201Actions[K]['request'] | Ocpp21Actions[K]['request'];

/** An answer to `K` that every version's response type accepts (the same caveat as for Ocpp2ActionSpec). */
export type AnyVersionResponse<K extends EveryVersionAction> =
  Ocpp16Actions[K]['response'] & Ocpp201Actions[K]['response'] & Ocpp21Actions[K]['response'];

/** A spec for an action with the same meaning in every version (Heartbeat, DataTransfer). */
export type AnyVersionActionSpec<K extends EveryVersionAction> = ActionSpec<AnyVersionRequest<K>, AnyVersionResponse<K>>;

type MessageClock = Pick<InboundContext, 'receivedAt' | 'chargerClock' | 'log' | 'chargerId' | 'messageId'>;

/**
 * A charger timestamp as we store and order by it (charger-time.ts): UTC ISO-8601, the receive time in place of
 * one out of bounds (logged, and returned in `replaced` for the caller to keep as a fact).
 */
export const chargerTimeOf = (sent: string | undefined, ctx: MessageClock): ChargerTime => {
  const time = chargerTime(sent, ctx.receivedAt, ctx.chargerClock);
  if (time.replaced) {
    ctx.log.warn('charger timestamp out of bounds: receive time used', { chargerId: ctx.chargerId, messageId: ctx.messageId, ...time.replaced });
  }
  return time;
};

/** A charger timestamp as stored (see `chargerTimeOf`), where the message keeps the sent value anyway. */
export const utc = (sent: string | undefined, ctx: MessageClock): string => chargerTimeOf(sent, ctx).at;

/** Meter samples with their timestamps as stored (see `chargerTimeOf`); a replaced time is kept as `chargerTimestamp`. */
export const samplesInUtc = (samples: MeterSample[] | undefined, ctx: MessageClock): MeterSample[] =>
  (samples ?? []).map((s) => {
    const time = chargerTimeOf(s.timestamp, ctx);
    return { ...s, timestamp: time.at, ...(time.replaced ? { chargerTimestamp: time.replaced.sent } : {}) };
  });
