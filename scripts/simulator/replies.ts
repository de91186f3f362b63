/**
 * How the simulated charger answers each CALL the CSMS may send it: one entry per action, per version, with a
 * positive reply (`accept`) and, where the reply has a negative status, a negative one (`reject`). ocpp-rpc's strict
 * mode checks every reply against its schema, so each entry builds a schema-valid payload; the tables are typed with
 * the payload types generated from the OCA schemas, and test/unit/simulator/replies.test.ts validates every reply.
 */
import type { Ocpp16CsmsAction, Ocpp16CsmsActions } from '#shared/ocpp/generated/ocpp16.types.ts';
import type { Ocpp201CsmsActions, SetVariableResultType, SetVariablesRequest, SetVariablesResponse } from '#shared/ocpp/generated/ocpp201.types.ts';

export type SimulatorProtocol = 'ocpp1.6' | 'ocpp2.0.1';

export const ANSWER_MODES = ['accept', 'reject', 'error', 'silent'] as const;
/** accept: a positive reply; reject: a negative one; error: a CALLERROR; silent: no answer at all. */
export type AnswerMode = (typeof ANSWER_MODES)[number];

/** What the simulated charger knows of itself, for replies that report its settings. */
export interface StationFacts {
  /** The interval the BootNotification answer gave, in seconds. */
  heartbeatIntervalSeconds: number;
}
export const DEFAULT_STATION: StationFacts = { heartbeatIntervalSeconds: 300 };

export type SimulatedAnswer =
  | { kind: 'result'; payload: object }
  | { kind: 'error'; code: 'NotImplemented' | 'NotSupported'; description: string }
  | { kind: 'silent' };

interface Exchange { request: unknown; response: unknown }
type Reply<Request, Response> = (request: Request, station: StationFacts) => Response;
// Request and response are separate parameters (not one Exchange) so that TypeScript sees the table of any action
// as a table of `(request: never) => unknown`.
interface ActionReplies<Request, Response> {
  accept: Reply<Request, Response>;
  /** Absent when the reply has no status to say no with: a rejection is then a CALLERROR NotSupported. */
  reject?: Reply<Request, Response>;
}
type ReplyTable<Actions> = {
  [A in keyof Actions]: Actions[A] extends Exchange ? ActionReplies<Actions[A]['request'], Actions[A]['response']> : never;
};

/** The common case: the reply is only a status. */
const statuses = <const Yes extends string, const No extends string>(accept: Yes, reject: No) =>
  ({ accept: () => ({ status: accept }), reject: () => ({ status: reject }) });

const now = () => new Date().toISOString();
const FAKE_CERTIFICATE_HASH = {
  hashAlgorithm: 'SHA256',
  issuerNameHash: '5f4dcc3b5aa765d61d8327deb882cf995f4dcc3b5aa765d61d8327deb882cf99',
  issuerKeyHash: 'e99a18c428cb38d5f260853678922e03e99a18c428cb38d5f260853678922e03',
  serialNumber: '01',
} as const;
const logFileName = (logType: string) => (logType === 'SecurityLog' ? 'security.log' : 'diagnostics.log');
/** A flat limit for the whole requested duration: 16 A, or 11 kW when the CSMS asks in watts. */
const flatLimit = (unit: 'A' | 'W' | undefined) => ({ chargingRateUnit: unit ?? 'A', limit: unit === 'W' ? 11_000 : 16 });

// ---- OCPP 1.6 (core and the other profiles: firmware, local list, reservation, smart charging, remote trigger)

/** The configuration keys GetConfiguration reports; the Core profile's names (1.6 §9.1). */
const configuration16 = (station: StationFacts): { key: string; readonly: boolean; value: string }[] => [
  { key: 'HeartbeatInterval', readonly: false, value: String(station.heartbeatIntervalSeconds) },
  { key: 'NumberOfConnectors', readonly: true, value: '1' },
  { key: 'MeterValueSampleInterval', readonly: false, value: '60' },
  { key: 'ConnectionTimeOut', readonly: false, value: '60' },
  { key: 'LocalAuthListEnabled', readonly: false, value: 'false' },
];

type CertificateHashData16 = { hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512'; issuerNameHash: string; issuerKeyHash: string; serialNumber: string };
/**
 * The CSMS-initiated actions of the 1.6 security extension, typed here from ocpp-rpc's ocpp1_6.json while this
 * project has no schema for them. Once build-schemas.mjs generates them they join Ocpp16CsmsAction and the
 * generated types take over (the Omit below drops these).
 */
interface Security16Actions {
  CertificateSigned: { request: object; response: { status: 'Accepted' | 'Rejected' } };
  DeleteCertificate: { request: object; response: { status: 'Accepted' | 'Failed' | 'NotFound' } };
  ExtendedTriggerMessage: { request: object; response: { status: 'Accepted' | 'Rejected' | 'NotImplemented' } };
  GetInstalledCertificateIds: { request: object; response: { status: 'Accepted' | 'NotFound'; certificateHashData?: CertificateHashData16[] } };
  GetLog: { request: { logType: 'DiagnosticsLog' | 'SecurityLog' }; response: { status: 'Accepted' | 'Rejected' | 'AcceptedCanceled'; filename?: string } };
  InstallCertificate: { request: object; response: { status: 'Accepted' | 'Failed' | 'Rejected' } };
  SignedUpdateFirmware: { request: object; response: { status: 'Accepted' | 'Rejected' | 'AcceptedCanceled' | 'InvalidCertificate' | 'RevokedCertificate' } };
}
type Csms16Actions = Ocpp16CsmsActions & Omit<Security16Actions, Ocpp16CsmsAction>;

const ocpp16: ReplyTable<Csms16Actions> = {
  CancelReservation: statuses('Accepted', 'Rejected'),
  ChangeAvailability: statuses('Accepted', 'Rejected'),
  ChangeConfiguration: statuses('Accepted', 'Rejected'),
  ClearCache: statuses('Accepted', 'Rejected'),
  ClearChargingProfile: statuses('Accepted', 'Unknown'),
  DataTransfer: statuses('Accepted', 'Rejected'),
  GetCompositeSchedule: {
    accept: ({ connectorId, duration, chargingRateUnit }) => {
      const { limit, ...unit } = flatLimit(chargingRateUnit);
      return { status: 'Accepted', connectorId, scheduleStart: now(), chargingSchedule: { duration, ...unit, chargingSchedulePeriod: [{ startPeriod: 0, limit }] } };
    },
    reject: () => ({ status: 'Rejected' }),
  },
  GetConfiguration: {
    // Without keys, every key; with keys, those we have and the others as unknownKey.
    accept: ({ key: asked }, station) => {
      const all = configuration16(station);
      if (asked === undefined || asked.length === 0) return { configurationKey: all };
      const known = all.filter((entry) => asked.includes(entry.key));
      const unknownKey = asked.filter((name) => !known.some((entry) => entry.key === name));
      return unknownKey.length > 0 ? { configurationKey: known, unknownKey } : { configurationKey: known };
    },
  },
  GetDiagnostics: { accept: () => ({ fileName: 'diagnostics.zip' }) },
  GetLocalListVersion: { accept: () => ({ listVersion: 0 }) },
  RemoteStartTransaction: statuses('Accepted', 'Rejected'),
  RemoteStopTransaction: statuses('Accepted', 'Rejected'),
  ReserveNow: statuses('Accepted', 'Rejected'),
  Reset: statuses('Accepted', 'Rejected'),
  SendLocalList: statuses('Accepted', 'Failed'),
  SetChargingProfile: statuses('Accepted', 'Rejected'),
  TriggerMessage: statuses('Accepted', 'Rejected'),
  UnlockConnector: statuses('Unlocked', 'UnlockFailed'),
  UpdateFirmware: { accept: () => ({}) },
  // Security extension
  CertificateSigned: statuses('Accepted', 'Rejected'),
  DeleteCertificate: statuses('Accepted', 'Failed'),
  ExtendedTriggerMessage: statuses('Accepted', 'Rejected'),
  GetInstalledCertificateIds: {
    accept: () => ({ status: 'Accepted', certificateHashData: [FAKE_CERTIFICATE_HASH] }),
    reject: () => ({ status: 'NotFound' }),
  },
  GetLog: {
    accept: ({ logType }) => ({ status: 'Accepted', filename: logFileName(logType) }),
    reject: () => ({ status: 'Rejected' }),
  },
  InstallCertificate: statuses('Accepted', 'Rejected'),
  SignedUpdateFirmware: statuses('Accepted', 'Rejected'),
};

// ---- OCPP 2.0.1

/** Values GetVariables reports for a few device-model variables; any other variable reads as "simulated". */
const variableValue = (component: string, variable: string, station: StationFacts): string => {
  const known: Record<string, string> = {
    'OCPPCommCtrlr/HeartbeatInterval': String(station.heartbeatIntervalSeconds),
    'SecurityCtrlr/SecurityProfile': '1',
    'AuthCtrlr/AuthorizeRemoteStart': 'true',
    'SampledDataCtrlr/TxUpdatedInterval': '60',
  };
  return known[`${component}/${variable}`] ?? 'simulated';
};

/** 2.0.1 replies that carry one result per requested item answer yes or no item by item. */
const setVariables = (attributeStatus: SetVariableResultType['attributeStatus']): Reply<SetVariablesRequest, SetVariablesResponse> =>
  ({ setVariableData }) => ({
    setVariableResult: setVariableData.map(({ attributeType, component, variable }) => ({ attributeStatus, ...(attributeType && { attributeType }), component, variable })),
  });

const ocpp201: ReplyTable<Ocpp201CsmsActions> = {
  CancelReservation: statuses('Accepted', 'Rejected'),
  CertificateSigned: statuses('Accepted', 'Rejected'),
  ChangeAvailability: statuses('Accepted', 'Rejected'),
  ClearCache: statuses('Accepted', 'Rejected'),
  ClearChargingProfile: statuses('Accepted', 'Unknown'),
  ClearDisplayMessage: statuses('Accepted', 'Unknown'),
  ClearVariableMonitoring: {
    accept: ({ id }) => ({ clearMonitoringResult: id.map((monitorId) => ({ id: monitorId, status: 'Accepted' })) }),
    reject: ({ id }) => ({ clearMonitoringResult: id.map((monitorId) => ({ id: monitorId, status: 'Rejected' })) }),
  },
  CostUpdated: { accept: () => ({}) },
  CustomerInformation: statuses('Accepted', 'Rejected'),
  DataTransfer: statuses('Accepted', 'Rejected'),
  DeleteCertificate: statuses('Accepted', 'Failed'),
  GetBaseReport: statuses('Accepted', 'Rejected'),
  GetChargingProfiles: statuses('Accepted', 'NoProfiles'),
  GetCompositeSchedule: {
    accept: ({ evseId, duration, chargingRateUnit }) => {
      const { limit, ...unit } = flatLimit(chargingRateUnit);
      return { status: 'Accepted', schedule: { evseId, duration, scheduleStart: now(), ...unit, chargingSchedulePeriod: [{ startPeriod: 0, limit }] } };
    },
    reject: () => ({ status: 'Rejected' }),
  },
  GetDisplayMessages: statuses('Accepted', 'Unknown'),
  GetInstalledCertificateIds: {
    accept: ({ certificateType }) => ({
      status: 'Accepted',
      certificateHashDataChain: [{ certificateType: certificateType?.[0] ?? 'CSMSRootCertificate', certificateHashData: FAKE_CERTIFICATE_HASH }],
    }),
    reject: () => ({ status: 'NotFound' }),
  },
  GetLocalListVersion: { accept: () => ({ versionNumber: 0 }) },
  GetLog: {
    accept: ({ logType }) => ({ status: 'Accepted', filename: logFileName(logType) }),
    reject: () => ({ status: 'Rejected' }),
  },
  GetMonitoringReport: statuses('Accepted', 'Rejected'),
  GetReport: statuses('Accepted', 'Rejected'),
  // ongoingIndicator is only given when the CSMS asked about one transaction (2.0.1 E14).
  GetTransactionStatus: { accept: ({ transactionId }) => (transactionId === undefined ? { messagesInQueue: false } : { messagesInQueue: false, ongoingIndicator: false }) },
  GetVariables: {
    accept: ({ getVariableData }, station) => ({
      getVariableResult: getVariableData.map(({ attributeType, component, variable }) => ({
        attributeStatus: 'Accepted', ...(attributeType && { attributeType }), attributeValue: variableValue(component.name, variable.name, station), component, variable,
      })),
    }),
    reject: ({ getVariableData }) => ({
      getVariableResult: getVariableData.map(({ attributeType, component, variable }) => ({ attributeStatus: 'Rejected', ...(attributeType && { attributeType }), component, variable })),
    }),
  },
  InstallCertificate: statuses('Accepted', 'Rejected'),
  PublishFirmware: statuses('Accepted', 'Rejected'),
  RequestStartTransaction: statuses('Accepted', 'Rejected'),
  RequestStopTransaction: statuses('Accepted', 'Rejected'),
  ReserveNow: statuses('Accepted', 'Rejected'),
  Reset: statuses('Accepted', 'Rejected'),
  SendLocalList: statuses('Accepted', 'Failed'),
  SetChargingProfile: statuses('Accepted', 'Rejected'),
  SetDisplayMessage: statuses('Accepted', 'Rejected'),
  SetMonitoringBase: statuses('Accepted', 'Rejected'),
  SetMonitoringLevel: statuses('Accepted', 'Rejected'),
  SetNetworkProfile: statuses('Accepted', 'Rejected'),
  SetVariableMonitoring: {
    // A monitor without an id is new: the station numbers it (here from 1, in request order).
    accept: ({ setMonitoringData }) => ({
      setMonitoringResult: setMonitoringData.map(({ id, type, severity, component, variable }, index) => ({ id: id ?? index + 1, status: 'Accepted', type, severity, component, variable })),
    }),
    reject: ({ setMonitoringData }) => ({
      setMonitoringResult: setMonitoringData.map(({ id, type, severity, component, variable }) => ({ ...(id !== undefined && { id }), status: 'Rejected', type, severity, component, variable })),
    }),
  },
  SetVariables: { accept: setVariables('Accepted'), reject: setVariables('Rejected') },
  TriggerMessage: statuses('Accepted', 'Rejected'),
  UnlockConnector: statuses('Unlocked', 'UnlockFailed'),
  UnpublishFirmware: statuses('Unpublished', 'NoFirmware'),
  UpdateFirmware: statuses('Accepted', 'Rejected'),
};

// The dispatcher's view: a payload type is known only per action, and ocpp-rpc's strict mode has checked the request.
type AnyReplies = ActionReplies<never, unknown>;
const TABLES: Record<SimulatorProtocol, Readonly<Record<string, AnyReplies>>> = { 'ocpp1.6': ocpp16, 'ocpp2.0.1': ocpp201 };

const repliesFor = (protocol: SimulatorProtocol, action: string): AnyReplies | undefined => {
  const table = TABLES[protocol];
  return Object.hasOwn(table, action) ? table[action] : undefined;
};

/** Every CALL the CSMS may send a charger speaking `protocol` (1.6: with the security extension). */
export const csmsActions = (protocol: SimulatorProtocol): string[] => Object.keys(TABLES[protocol]);

/** Whether `action`'s reply can say no with a status (else `reject` answers a CALLERROR NotSupported). */
export const hasRejectReply = (protocol: SimulatorProtocol, action: string): boolean => repliesFor(protocol, action)?.reject !== undefined;

/**
 * The simulated charger's answer to the CSMS's CALL of `action` with `request` (already schema-checked by
 * ocpp-rpc), in `mode`.
 */
export function simulatedAnswer(
  protocol: SimulatorProtocol, action: string, request: unknown, mode: AnswerMode, station: StationFacts = DEFAULT_STATION,
): SimulatedAnswer {
  if (mode === 'silent') return { kind: 'silent' };
  const replies = repliesFor(protocol, action);
  if (replies === undefined) return { kind: 'error', code: 'NotImplemented', description: `the simulator does not implement ${action}` };
  if (mode === 'error') return { kind: 'error', code: 'NotImplemented', description: `the simulator answers every call with an error (answer mode "error")` };
  const reply = mode === 'accept' ? replies.accept : replies.reject;
  if (reply === undefined) return { kind: 'error', code: 'NotSupported', description: `${action} has no negative status; rejected as not supported` };
  return { kind: 'result', payload: reply(request as never, station) as object };
}
