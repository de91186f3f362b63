/**
 * Which CALLs the CSMS may send to a charger, per OCPP version, and how to read the charger's reply: a plain
 * table beside the inbound one (shared/inbound/actions.ts). Pure: no I/O.
 *
 * Direction comes from the specifications' message lists: OCPP 1.6 §5 (operations initiated by the Central
 * System, all feature profiles) plus the Security Whitepaper ed. 2 (1.6 extension); 2.0.1 and 2.1 Part 2, per
 * functional block. DataTransfer goes both ways. Each 2.x table is checked by the compiler against the generated
 * `Ocpp201CsmsActions` / `Ocpp21CsmsActions` (every CSMS action present, no other), and each `requestIdField`
 * against that action's request type.
 *
 * Outcome of a reply (`outcomeOf`), from the reply as validated against its schema:
 * - a reply that carries per-item results (2.x SetVariables, GetVariables, SetVariableMonitoring,
 *   ClearVariableMonitoring, 2.1 ClearTariffs; 1.6 GetConfiguration, whose unknownKey lists the failed items)
 *   gives `accepted` when every item is Accepted, `partial` when some are, `rejected` when none are. A 2.x
 *   SetVariables item in RebootRequired counts as taken (the value is set and applies after a reboot, 2.0.1
 *   SetVariableStatusEnumType); when all items are taken and one needs a reboot, the outcome is `rebootRequired`,
 *   as 1.6 ChangeConfiguration says for one key;
 * - otherwise a top-level string `status` gives that value with a lower-case first letter (Accepted → accepted,
 *   RebootRequired → rebootRequired, UnlockFailed → unlockFailed, NotImplemented → notImplemented);
 * - otherwise there is none (1.6 GetDiagnostics: an optional fileName; GetLocalListVersion: a number; 2.x
 *   CostUpdated: empty).
 */
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { Ocpp16CsmsActions } from '../ocpp/generated/ocpp16.types.ts';
import type { Ocpp201CsmsActions } from '../ocpp/generated/ocpp201.types.ts';
import type { Ocpp21CsmsActions } from '../ocpp/generated/ocpp21.types.ts';

/**
 * What the catalog records of one outbound action. `requestIdField`: the request's field holding an id the CSMS
 * allocates and the charger's later messages refer to (NotifyReport.requestId after GetBaseReport,
 * TransactionEvent's remoteStartId after RequestStartTransaction, ReservationStatusUpdate.reservationId after
 * ReserveNow, …).
 */
interface OutboundEntry<Req = Record<string, unknown>> {
  readonly requestIdField?: keyof Req & string;
}

/** One entry per action of `A`, each `requestIdField` a field of that action's request. */
type OutboundTable<A extends { [K in keyof A]: { request: unknown } }> = {
  readonly [K in keyof A]: OutboundEntry<A[K]['request']>;
};

const none = {} as const;

/**
 * The 1.6 Security Whitepaper's CSMS-initiated messages (their schemas are pinned beside 1.6's: build-schemas.mjs).
 * GetLog.req and SignedUpdateFirmware.req carry the requestId that LogStatusNotification and
 * SignedFirmwareStatusNotification echo; ExtendedTriggerMessage.req carries no id.
 */
const ocpp16Security = {
  CertificateSigned: none,
  DeleteCertificate: none,
  ExtendedTriggerMessage: none,
  GetInstalledCertificateIds: none,
  GetLog: { requestIdField: 'requestId' },
  InstallCertificate: none,
  SignedUpdateFirmware: { requestIdField: 'requestId' },
} as const satisfies Readonly<Record<string, OutboundEntry<{ requestId: number }>>>;

const ocpp16 = {
  // Core
  ChangeAvailability: none,
  ChangeConfiguration: none,
  ClearCache: none,
  DataTransfer: none,
  GetConfiguration: none,
  RemoteStartTransaction: none,
  RemoteStopTransaction: none,
  Reset: none,
  UnlockConnector: none,
  // Firmware Management
  GetDiagnostics: none,
  UpdateFirmware: none,
  // Local Auth List Management
  GetLocalListVersion: none,
  SendLocalList: none,
  // Reservation: StartTransaction.req and StatusNotification refer to the reservation by this id.
  CancelReservation: none,
  ReserveNow: { requestIdField: 'reservationId' },
  // Smart Charging
  ClearChargingProfile: none,
  GetCompositeSchedule: none,
  SetChargingProfile: none,
  // Remote Trigger
  TriggerMessage: none,
  ...ocpp16Security,
} as const satisfies OutboundTable<Ocpp16CsmsActions>;

/** The 2.0.1 CSMS messages, which 2.1 keeps: each entry is checked against both versions' request types. */
const ocpp2 = {
  CancelReservation: none,
  CertificateSigned: none,
  ChangeAvailability: none,
  ClearCache: none,
  ClearChargingProfile: none,
  ClearDisplayMessage: none,
  ClearVariableMonitoring: none,
  CostUpdated: none,
  CustomerInformation: { requestIdField: 'requestId' },
  DataTransfer: none,
  DeleteCertificate: none,
  GetBaseReport: { requestIdField: 'requestId' },
  GetChargingProfiles: { requestIdField: 'requestId' },
  GetCompositeSchedule: none,
  GetDisplayMessages: { requestIdField: 'requestId' },
  GetInstalledCertificateIds: none,
  GetLocalListVersion: none,
  GetLog: { requestIdField: 'requestId' },
  GetMonitoringReport: { requestIdField: 'requestId' },
  GetReport: { requestIdField: 'requestId' },
  GetTransactionStatus: none,
  GetVariables: none,
  InstallCertificate: none,
  PublishFirmware: { requestIdField: 'requestId' },
  RequestStartTransaction: { requestIdField: 'remoteStartId' },
  RequestStopTransaction: none,
  ReserveNow: { requestIdField: 'id' },
  Reset: none,
  SendLocalList: none,
  SetChargingProfile: none,
  SetDisplayMessage: none,
  SetMonitoringBase: none,
  SetMonitoringLevel: none,
  SetNetworkProfile: none,
  SetVariableMonitoring: none,
  SetVariables: none,
  TriggerMessage: none,
  UnlockConnector: none,
  UnpublishFirmware: none,
  UpdateFirmware: { requestIdField: 'requestId' },
} as const satisfies OutboundTable<Ocpp201CsmsActions> & Partial<OutboundTable<Ocpp21CsmsActions>>;

/** 2.1: every 2.0.1 message plus those of the new functional blocks (V2X, DER, tariffs, battery swap, streams). */
const ocpp21 = {
  ...ocpp2,
  AFRRSignal: none,
  AdjustPeriodicEventStream: none,
  ChangeTransactionTariff: none,
  ClearDERControl: none,
  ClearTariffs: none,
  // ReportDERControl.requestId refers to it.
  GetDERControl: { requestIdField: 'requestId' },
  GetPeriodicEventStream: none,
  GetTariffs: none,
  NotifyAllowedEnergyTransfer: none,
  NotifyWebPaymentStarted: none,
  // BatterySwap.requestId refers to it.
  RequestBatterySwap: { requestIdField: 'requestId' },
  SetDERControl: none,
  SetDefaultTariff: none,
  UpdateDynamicSchedule: none,
  UsePriorityCharging: none,
} as const satisfies OutboundTable<Ocpp21CsmsActions>;

const tables: Readonly<Record<OcppProtocol, Readonly<Record<string, OutboundEntry>>>> = {
  'ocpp1.6': ocpp16,
  'ocpp2.0.1': ocpp2,
  'ocpp2.1': ocpp21,
};

/** Every action the CSMS may send as a CALL to a charger, per version. */
export const outboundActions: Readonly<Record<OcppProtocol, readonly string[]>> = {
  'ocpp1.6': Object.freeze(Object.keys(ocpp16)),
  'ocpp2.0.1': Object.freeze(Object.keys(ocpp2)),
  'ocpp2.1': Object.freeze(Object.keys(ocpp21)),
};

function entryOf(protocol: OcppProtocol, action: string): OutboundEntry | undefined {
  const table = tables[protocol];
  // Own keys only: "constructor" or "toString" is no action.
  return Object.hasOwn(table, action) ? table[action] : undefined;
}

/** Whether the CSMS may send `action` to a charger speaking `protocol`. */
export function canSend(protocol: OcppProtocol, action: string): boolean {
  return entryOf(protocol, action) !== undefined;
}

/** The request field of `action` naming an id the charger's later messages refer to, if it has one. */
export function requestIdField(protocol: OcppProtocol, action: string): string | undefined {
  return entryOf(protocol, action)?.requestIdField;
}

type ItemOf<T> = T extends readonly (infer I)[] ? I : never;

/** Where a reply's per-item results are: the list field and, in each item, its status field. */
type ItemResults<Res> = {
  [L in keyof Res]-?: ItemOf<NonNullable<Res[L]>> extends never ? never
    : { readonly list: L & string; readonly status: keyof ItemOf<NonNullable<Res[L]>> & string };
}[keyof Res];

type ItemResultTable<A extends { [K in keyof A]: { response: unknown } }> = {
  readonly [K in keyof A]?: ItemResults<A[K]['response']>;
};

const ocpp2ItemResults = {
  ClearVariableMonitoring: { list: 'clearMonitoringResult', status: 'status' },
  GetVariables: { list: 'getVariableResult', status: 'attributeStatus' },
  SetVariableMonitoring: { list: 'setMonitoringResult', status: 'status' },
  SetVariables: { list: 'setVariableResult', status: 'attributeStatus' },
} as const satisfies ItemResultTable<Ocpp201CsmsActions> & ItemResultTable<Ocpp21CsmsActions>;

const ocpp21ItemResults = {
  ...ocpp2ItemResults,
  ClearTariffs: { list: 'clearTariffsResult', status: 'status' },
} as const satisfies ItemResultTable<Ocpp21CsmsActions>;

/** How many items a reply reports, how many of them were taken, and how many of those need a reboot. */
interface ItemTally {
  readonly total: number;
  readonly taken: number;
  readonly rebootRequired: number;
}

type Reply = Readonly<Record<string, unknown>>;
type Tally = (reply: Reply) => ItemTally;

const listAt = (reply: Reply, field: string): readonly unknown[] => {
  const value = reply[field];
  return Array.isArray(value) ? value : [];
};

const statusOf = (item: unknown, field: string): unknown =>
  typeof item === 'object' && item !== null ? (item as Reply)[field] : undefined;

function tallyItems({ list, status }: { list: string; status: string }): Tally {
  return (reply) => {
    const statuses = listAt(reply, list).map((item) => statusOf(item, status));
    const accepted = statuses.filter((s) => s === 'Accepted').length;
    const rebootRequired = statuses.filter((s) => s === 'RebootRequired').length;
    return { total: statuses.length, taken: accepted + rebootRequired, rebootRequired };
  };
}

/** 1.6 GetConfiguration.conf: configurationKey holds the keys found, unknownKey those that were not. */
const tallyConfiguration: Tally = (reply) => {
  const known = listAt(reply, 'configurationKey').length;
  return { total: known + listAt(reply, 'unknownKey').length, taken: known, rebootRequired: 0 };
};

const tallies: Readonly<Record<OcppProtocol, Readonly<Record<string, Tally>>>> = {
  'ocpp1.6': { GetConfiguration: tallyConfiguration },
  'ocpp2.0.1': Object.fromEntries(Object.entries(ocpp2ItemResults).map(([action, at]) => [action, tallyItems(at)])),
  'ocpp2.1': Object.fromEntries(Object.entries(ocpp21ItemResults).map(([action, at]) => [action, tallyItems(at)])),
};

function summarise({ total, taken, rebootRequired }: ItemTally): string {
  if (taken === total) return rebootRequired > 0 ? 'rebootRequired' : 'accepted';
  return taken > 0 ? 'partial' : 'rejected';
}

const isReply = (value: unknown): value is Reply => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A short camelCase outcome of the charger's validated reply to our CALL of `action` (rules: see the top). */
export function outcomeOf(protocol: OcppProtocol, action: string, response: unknown): string | undefined {
  if (!isReply(response)) return undefined;
  const table = tallies[protocol];
  if (Object.hasOwn(table, action)) {
    const tally = table[action];
    if (tally !== undefined) return summarise(tally(response));
  }
  const { status } = response;
  return typeof status === 'string' && status.length > 0 ? status.charAt(0).toLowerCase() + status.slice(1) : undefined;
}
