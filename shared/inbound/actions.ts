/** Which charger-initiated actions we handle, per OCPP version: a plain table, visible and testable. */
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { Ocpp21Sends } from '../ocpp/generated/ocpp21.types.ts';
import type { ActionSpec, Ocpp16ActionTable, Ocpp201ActionTable, Ocpp21ActionTable } from './types.ts';
import { dataTransfer, heartbeat } from './common-messages.ts';
import * as v16 from './v16/charger-messages.ts';
import * as v16tx from './v16/transaction-messages.ts';
import * as v2 from './v2/charger-messages.ts';
import * as v2reports from './v2/report-messages.ts';
import * as v2tx from './v2/transaction-messages.ts';
import * as v21 from './v2/v21-messages.ts';

const ocpp16: Ocpp16ActionTable = {
  BootNotification: v16.bootNotification,
  Heartbeat: heartbeat,
  StatusNotification: v16.statusNotification,
  Authorize: v16.authorize,
  StartTransaction: v16tx.startTransaction,
  StopTransaction: v16tx.stopTransaction,
  MeterValues: v16tx.meterValues,
  DataTransfer: dataTransfer,
  DiagnosticsStatusNotification: v16.diagnosticsStatusNotification,
  FirmwareStatusNotification: v16.firmwareStatusNotification,
  // The security extension.
  SecurityEventNotification: v16.securityEventNotification,
  SignCertificate: v16.signCertificate,
  LogStatusNotification: v16.logStatusNotification,
  SignedFirmwareStatusNotification: v16.signedFirmwareStatusNotification,
};

// One table for both: each entry is checked against the 2.0.1 and the 2.1 payload types of its action.
const ocpp2: Ocpp201ActionTable & Ocpp21ActionTable = {
  BootNotification: v2.bootNotification,
  Heartbeat: heartbeat,
  StatusNotification: v2.statusNotification,
  Authorize: v2.authorize,
  TransactionEvent: v2tx.transactionEvent,
  MeterValues: v2tx.meterValues,
  NotifyEvent: v2.notifyEvent,
  NotifyReport: v2reports.notifyReport,
  SecurityEventNotification: v2.securityEventNotification,
  FirmwareStatusNotification: v2.firmwareStatusNotification,
  LogStatusNotification: v2.logStatusNotification,
  DataTransfer: dataTransfer,
  SignCertificate: v2.signCertificate,
  // Results of CSMS requests: paged reports, a reservation's end, a local controller's firmware publishing.
  NotifyMonitoringReport: v2reports.notifyMonitoringReport,
  NotifyCustomerInformation: v2reports.notifyCustomerInformation,
  NotifyDisplayMessages: v2reports.notifyDisplayMessages,
  ReportChargingProfiles: v2reports.reportChargingProfiles,
  ReservationStatusUpdate: v2.reservationStatusUpdate,
  PublishFirmwareStatusNotification: v2.publishFirmwareStatusNotification,
  // Smart charging: limits set from outside and an ISO 15118 EV's needs and schedule (on the timeline).
  NotifyChargingLimit: v2.notifyChargingLimit,
  ClearedChargingLimit: v2.clearedChargingLimit,
  NotifyEVChargingNeeds: v2.notifyEVChargingNeeds,
  NotifyEVChargingSchedule: v2.notifyEVChargingSchedule,
};

// 2.1: the 2.0.1 actions (with 2.1's own answer where it has a better one), and its own messages.
const ocpp21: Ocpp21ActionTable = {
  ...ocpp2,
  NotifyEVChargingNeeds: v2.notifyEVChargingNeeds21,
  OpenPeriodicEventStream: v21.openPeriodicEventStream,
  ClosePeriodicEventStream: v21.closePeriodicEventStream,
  NotifyPriorityCharging: v21.notifyPriorityCharging,
  NotifySettlement: v21.notifySettlement,
  BatterySwap: v21.batterySwap,
  NotifyDERAlarm: v21.notifyDERAlarm,
  NotifyDERStartStop: v21.notifyDERStartStop,
  ReportDERControl: v21.reportDERControl,
  PullDynamicScheduleUpdate: v21.pullDynamicScheduleUpdate,
  VatNumberValidation: v21.vatNumberValidation,
};

export const inboundActions: {
  readonly 'ocpp1.6': Ocpp16ActionTable;
  readonly 'ocpp2.0.1': Ocpp201ActionTable;
  readonly 'ocpp2.1': Ocpp21ActionTable;
} = {
  'ocpp1.6': ocpp16,
  'ocpp2.0.1': ocpp2,
  'ocpp2.1': ocpp21,
};

/** Any version's spec, as the dispatcher sees it: its payload type is known only per action (hence `never`). */
export type InboundActionSpec = ActionSpec<never, unknown>;

/**
 * The spec for a charger's CALL of `action` in `protocol`, if we handle it. Own keys only: an action named
 * after an Object.prototype member ("constructor", "toString") is no action of ours.
 */
export function inboundAction(protocol: OcppProtocol, action: string): InboundActionSpec | undefined {
  const table: Readonly<Partial<Record<string, InboundActionSpec>>> = inboundActions[protocol];
  return Object.hasOwn(table, action) ? table[action] : undefined;
}

/** OCPP 2.1 SEND messages (Part 4 §4.2.4): handled like a CALL, never answered. Earlier versions have none. */
export const sendActions: Readonly<Record<OcppProtocol, Readonly<Record<string, ActionSpec<never, void>>>>> = {
  'ocpp1.6': {},
  'ocpp2.0.1': {},
  'ocpp2.1': { NotifyPeriodicEventStream: v2.notifyPeriodicEventStream } satisfies { [K in keyof Ocpp21Sends]?: ActionSpec<Ocpp21Sends[K]['request'], void> },
};
