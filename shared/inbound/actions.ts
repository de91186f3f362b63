/** Which charger-initiated actions we handle, per OCPP version: a plain table, visible and testable. */
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { ActionTable } from './types.ts';
import { dataTransfer, heartbeat } from './common-messages.ts';
import * as v16 from './v16/charger-messages.ts';
import * as v16tx from './v16/transaction-messages.ts';
import * as v2 from './v2/charger-messages.ts';
import * as v2tx from './v2/transaction-messages.ts';

const ocpp16: ActionTable = {
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
};

const ocpp2: ActionTable = {
  BootNotification: v2.bootNotification,
  Heartbeat: heartbeat,
  StatusNotification: v2.statusNotification,
  Authorize: v2.authorize,
  TransactionEvent: v2tx.transactionEvent,
  MeterValues: v2tx.meterValues,
  NotifyEvent: v2.notifyEvent,
  NotifyReport: v2.notifyReport,
  SecurityEventNotification: v2.securityEventNotification,
  FirmwareStatusNotification: v2.firmwareStatusNotification,
  LogStatusNotification: v2.logStatusNotification,
  DataTransfer: dataTransfer,
};

export const inboundActions: Readonly<Record<OcppProtocol, ActionTable>> = {
  'ocpp1.6': ocpp16,
  'ocpp2.0.1': ocpp2,
  // 2.1 keeps the 2.0.1 payloads for these actions; its V2X messages arrive with the V2G issue.
  'ocpp2.1': ocpp2,
};

/** OCPP 2.1 SEND messages (Part 4 §4.2.4): handled like a CALL, never answered. Earlier versions have none. */
export const sendActions: Readonly<Record<OcppProtocol, ActionTable>> = {
  'ocpp1.6': {},
  'ocpp2.0.1': {},
  'ocpp2.1': { NotifyPeriodicEventStream: v2.notifyPeriodicEventStream },
};
