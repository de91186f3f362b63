/**
 * What a charger may send before the CSMS accepted it. OCPP 2.0.1 B02.FR.09 / B03.FR.07 (and 1.6 §4.2.1, "SHALL
 * NOT send request messages ... unless ... instructed ... with a TriggerMessage"): a Pending or Rejected charger sends
 * BootNotification only, or, while Pending, what a TriggerMessage asked for; anything else is answered with
 * CALLERROR SecurityError, a code OCPP-J 1.6 (§4.2.3 Table 7) and 2.x (Part 4 §4.3) both name. On 1.6, which states
 * no rule for the Central System, we also let Heartbeat through; 2.x B02.FR.09 and B03.FR.07 except nothing but
 * BootNotification (and, while Pending, a triggered message), so a 2.x Heartbeat is refused too.
 *
 * No read per frame: the registration comes from the authorizer context (a change of it closes the connection); only
 * a pending charger's message other than BootNotification reads its recent commands.
 */
import { fault, type Fault } from '../ocpp/faults.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { Command } from '../command/command.ts';
import type { InboundContext } from './types.ts';

const V2_BEFORE_ACCEPTANCE: ReadonlySet<string> = new Set(['BootNotification']);
const BEFORE_ACCEPTANCE: Readonly<Record<OcppProtocol, ReadonlySet<string>>> = {
  'ocpp1.6': new Set(['BootNotification', 'Heartbeat']),
  'ocpp2.0.1': V2_BEFORE_ACCEPTANCE,
  'ocpp2.1': V2_BEFORE_ACCEPTANCE,
};

/** A requested message whose CALL is not named after it (1.6 security extension, 2.x). */
const SENT_FOR_TRIGGER: Readonly<Record<string, readonly string[]>> = {
  // The whitepaper: the status of the last update, a signed one's in its own message.
  FirmwareStatusNotification: ['FirmwareStatusNotification', 'SignedFirmwareStatusNotification'],
  SignChargePointCertificate: ['SignCertificate'],
  SignChargingStationCertificate: ['SignCertificate'],
  SignV2GCertificate: ['SignCertificate'],
  SignV2G20Certificate: ['SignCertificate'],
  SignCombinedCertificate: ['SignCertificate'],
};
const TRIGGERS: ReadonlySet<string> = new Set(['TriggerMessage', 'ExtendedTriggerMessage']);
const REPORT_REQUESTS: ReadonlySet<string> = new Set(['GetBaseReport', 'GetReport']);
/** How long after its CALL a request still lets its message through: a charger sends it at once, a report in pages. */
const TRIGGER_WINDOW_MS = 15 * 60_000;
/** The charger's newest commands looked at; a trigger is among the last few. */
const COMMANDS_LOOKED_AT = 20;

const fieldOf = (payload: unknown, name: string): unknown =>
  typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[name] : undefined;

/** Whether `command` asks for `action` (CustomTrigger names no message of ours: it lets nothing through). */
const asksFor = (command: Command, action: string, request: unknown): boolean => {
  if (TRIGGERS.has(command.action)) {
    const requested = fieldOf(command.payload, 'requestedMessage');
    if (typeof requested !== 'string') return false;
    return (Object.hasOwn(SENT_FOR_TRIGGER, requested) ? SENT_FOR_TRIGGER[requested]! : [requested]).includes(action);
  }
  return REPORT_REQUESTS.has(command.action) && action === 'NotifyReport'
    && fieldOf(command.payload, 'requestId') === fieldOf(request, 'requestId');
};

/**
 * 2.0.1 B02.FR.09 excepts from the SecurityError what TriggerMessage, GetBaseReport or GetReport asked a Pending charger
 * for: one of its recent commands, sent and not refused. The index is eventually consistent, so a command it still
 * shows queued or sent counts too (the charger may answer and send before the index catches up). One Query, only for
 * a pending charger's message that is not a BootNotification.
 */
export const triggeredByCommand = async (ctx: InboundContext, action: string, request?: unknown): Promise<boolean> => {
  const { items } = await ctx.stores.commands.listForCharger(ctx.chargerId, { limit: COMMANDS_LOOKED_AT });
  const since = ctx.receivedAt.getTime() - TRIGGER_WINDOW_MS;
  return items.some((c) => Date.parse(c.sentAt ?? c.createdAt) >= since
    && (c.status === 'queued' || c.status === 'sent' || (c.status === 'answered' && c.outcome === 'accepted'))
    && asksFor(c, action, request));
};

/** The SecurityError for `action` (with its payload `request`) if the charger may not send it now; undefined when it may. */
export const refusalBeforeAcceptance = async (ctx: InboundContext, action: string, request?: unknown): Promise<Fault | undefined> => {
  if (BEFORE_ACCEPTANCE[ctx.protocol].has(action)) return undefined;
  // A connection opened before the context carried the registration: read it (once per frame, for at most the
  // connection's remaining life of 2 hours after a deploy).
  const registration = ctx.registration ?? (await ctx.stores.chargers.get(ctx.chargerId))?.registrationStatus;
  if (registration === 'accepted') return undefined;
  if (registration === 'pending' && (await triggeredByCommand(ctx, action, request))) return undefined;
  return fault('SecurityError', `${action} is not accepted from a charger that is ${registration ?? 'not registered'}: send BootNotification`);
};
