/**
 * Messages only an OCPP 2.1 charger sends: periodic event streams (J02), priority charging, payment settlement,
 * battery swaps, DER control and the requests this CSMS has no service for yet (dynamic schedules, VAT numbers). What the charger tells us is kept on its timeline, or as a report when it comes in pages; what it asks
 * of a service we lack is refused in the words 2.1 gives for it, so the charger goes on without it.
 */
import type { Ocpp21Actions } from '../../ocpp/generated/ocpp21.types.ts';
import type { ActionSpec } from '../types.ts';
import { keptOnTimeline } from './charger-messages.ts';
import { reportPages } from './report-messages.ts';

type Ocpp21Spec<K extends keyof Ocpp21Actions> = ActionSpec<Ocpp21Actions[K]['request'], Ocpp21Actions[K]['response']>;
type Request<K extends keyof Ocpp21Actions> = Ocpp21Actions[K]['request'];

/** Why a request for a service this CSMS lacks is refused (statusInfo.reasonCode, at most 20 characters). */
const NOT_ENABLED = { reasonCode: 'NotEnabled' } as const;

/** The charger asks to stream a variable's values; the NotifyPeriodicEventStream SENDs that follow are kept. */
export const openPeriodicEventStream: Ocpp21Spec<'OpenPeriodicEventStream'> = {
  async handle(ctx, p) {
    await keptOnTimeline<Request<'OpenPeriodicEventStream'>>('PeriodicEventStreamOpened', () => ({})).handle(ctx, p);
    return { status: 'Accepted' };
  },
};
export const closePeriodicEventStream: Ocpp21Spec<'ClosePeriodicEventStream'> = keptOnTimeline('PeriodicEventStreamClosed', () => ({}));

export const notifyPriorityCharging: Ocpp21Spec<'NotifyPriorityCharging'> = keptOnTimeline('PriorityCharging', () => ({}));

/** A payment terminal's settlement of a session (amount, PSP reference): kept for billing; we issue no receipt. */
export const notifySettlement: Ocpp21Spec<'NotifySettlement'> = keptOnTimeline<Request<'NotifySettlement'>>('Settlement', (p) => ({ at: p.settlementTime }));

export const batterySwap: Ocpp21Spec<'BatterySwap'> = keptOnTimeline('BatterySwap', () => ({}));

export const notifyDERAlarm: Ocpp21Spec<'NotifyDERAlarm'> = keptOnTimeline<Request<'NotifyDERAlarm'>>('DERAlarm', (p) => ({ at: p.timestamp }));
export const notifyDERStartStop: Ocpp21Spec<'NotifyDERStartStop'> = keptOnTimeline<Request<'NotifyDERStartStop'>>('DERStartStop', (p) => ({ at: p.timestamp }));

/** The DER controls a GetDERControl asked for, in pages without page numbers: kept in order of arrival. */
export const reportDERControl: Ocpp21Spec<'ReportDERControl'> = reportPages<Request<'ReportDERControl'>>('derControls', ({ requestId: _id, tbc: _tbc, ...controls }) => ({
  reportData: [controls],
}));

/** This CSMS sets no dynamic charging profiles, so it has no update to give. */
export const pullDynamicScheduleUpdate: Ocpp21Spec<'PullDynamicScheduleUpdate'> = {
  async handle() {
    return { status: 'Rejected', statusInfo: NOT_ENABLED };
  },
};

/** No VAT registry is connected, so the number is not confirmed; it is echoed as asked. */
export const vatNumberValidation: Ocpp21Spec<'VatNumberValidation'> = {
  async handle(_ctx, p) {
    return { vatNumber: p.vatNumber, ...(p.evseId !== undefined ? { evseId: p.evseId } : {}), status: 'Rejected', statusInfo: NOT_ENABLED };
  },
};
