/**
 * What a charger may send before the CSMS accepted it. OCPP 2.0.1 B02.FR.09 / B03.FR.07 (and 1.6 §4.2.1, "SHALL
 * NOT send request messages ... unless ... instructed ... with a TriggerMessage"): a Pending or Rejected charger sends
 * BootNotification only, or, while Pending, what a TriggerMessage asked for; anything else is answered with
 * CALLERROR SecurityError, a code OCPP-J 1.6 (§4.2.3 Table 7) and 2.x (Part 4 §4.3) both name. On 1.6, which states
 * no rule for the Central System, we also let Heartbeat through; 2.x B02.FR.09 and B03.FR.07 except nothing but
 * BootNotification (and, while Pending, a triggered message), so a 2.x Heartbeat is refused too.
 *
 * No read per frame: the registration comes from the authorizer context (a change of it closes the connection).
 */
import { fault, type Fault } from '../ocpp/faults.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { InboundContext } from './types.ts';

const V2_BEFORE_ACCEPTANCE: ReadonlySet<string> = new Set(['BootNotification']);
const BEFORE_ACCEPTANCE: Readonly<Record<OcppProtocol, ReadonlySet<string>>> = {
  'ocpp1.6': new Set(['BootNotification', 'Heartbeat']),
  'ocpp2.0.1': V2_BEFORE_ACCEPTANCE,
  'ocpp2.1': V2_BEFORE_ACCEPTANCE,
};

/**
 * Whether the CSMS asked this pending charger for `action` (TriggerMessage, GetBaseReport, GetReport: 2.0.1 B02.FR.02).
 * The CSMS sends no such commands yet (outbound commands are a later issue); when it does, this looks up the request
 * it sent (e.g. the in-flight command of the charger) and lets the answering message through.
 */
export type TriggeredCheck = (ctx: InboundContext, action: string) => Promise<boolean>;
export const noneTriggered: TriggeredCheck = async () => false;

/** The SecurityError for `action` if the charger may not send it now; undefined when it may. */
export const refusalBeforeAcceptance = async (ctx: InboundContext, action: string, triggered: TriggeredCheck = noneTriggered): Promise<Fault | undefined> => {
  if (BEFORE_ACCEPTANCE[ctx.protocol].has(action)) return undefined;
  // A connection opened before the context carried the registration: read it (once per frame, for at most the
  // connection's remaining life of 2 hours after a deploy).
  const registration = ctx.registration ?? (await ctx.stores.chargers.get(ctx.chargerId))?.registrationStatus;
  if (registration === 'accepted') return undefined;
  if (registration === 'pending' && (await triggered(ctx, action))) return undefined;
  return fault('SecurityError', `${action} is not accepted from a charger that is ${registration ?? 'not registered'}: send BootNotification`);
};
