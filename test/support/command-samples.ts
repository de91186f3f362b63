/**
 * A valid request of every action the CSMS sends (the catalog's `outboundActions`), per OCPP version, as an operator
 * would post it: the field the catalog names `requestIdField` is left out, for the CSMS allocates it. Typed against
 * the generated request types; test/unit/command/catalog.test.ts checks each against this project's schemas once its
 * id is filled in, and the command e2e tests send them to chargers.
 */
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import type { Ocpp16CsmsActions } from '#shared/ocpp/generated/ocpp16.types.ts';
import type { Ocpp201CsmsActions } from '#shared/ocpp/generated/ocpp201.types.ts';
import type { Ocpp21CsmsActions, TariffType } from '#shared/ocpp/generated/ocpp21.types.ts';

/** The names the catalog's request id fields have; a request that has one of them may leave it out here. */
type IdField = 'requestId' | 'remoteStartId' | 'reservationId' | 'id';
type WithoutId<Req> = Omit<Req, IdField> & Partial<Pick<Req, IdField & keyof Req>>;
type SampleTable<A extends { [K in keyof A]: { request: unknown } }> = { readonly [K in keyof A]: WithoutId<A[K]['request']> };

export const SAMPLE_TIME = '2024-05-01T12:00:00Z';

const hashData = {
  hashAlgorithm: 'SHA256',
  issuerNameHash: '5f4dcc3b5aa765d61d8327deb882cf99',
  issuerKeyHash: 'e99a18c428cb38d5f260853678922e03',
  serialNumber: '0a1b2c',
} as const;
const certificate = '-----BEGIN CERTIFICATE-----\nMIIBsample\n-----END CERTIFICATE-----\n';
const idToken = { idToken: 'TOKEN1', type: 'ISO14443' } as const;
const firmwareUrl = 'https://fw.example.com/fw.bin';
const logUrl = 'https://logs.example.com/upload';
const heartbeat = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } } as const;

const ocpp16: SampleTable<Ocpp16CsmsActions> = {
  CancelReservation: { reservationId: 7 },
  CertificateSigned: { certificateChain: certificate },
  ChangeAvailability: { connectorId: 0, type: 'Inoperative' },
  ChangeConfiguration: { key: 'HeartbeatInterval', value: '300' },
  ClearCache: {},
  ClearChargingProfile: { id: 1 },
  DataTransfer: { vendorId: 'com.example', messageId: 'Ping', data: 'hello' },
  DeleteCertificate: { certificateHashData: hashData },
  ExtendedTriggerMessage: { requestedMessage: 'Heartbeat' },
  GetCompositeSchedule: { connectorId: 1, duration: 3600, chargingRateUnit: 'A' },
  GetConfiguration: { key: ['HeartbeatInterval'] },
  GetDiagnostics: { location: logUrl },
  GetInstalledCertificateIds: { certificateType: 'CentralSystemRootCertificate' },
  GetLocalListVersion: {},
  GetLog: { logType: 'SecurityLog', log: { remoteLocation: logUrl } },
  InstallCertificate: { certificateType: 'CentralSystemRootCertificate', certificate },
  RemoteStartTransaction: { connectorId: 1, idTag: 'TAG1' },
  RemoteStopTransaction: { transactionId: 1 },
  ReserveNow: { connectorId: 1, expiryDate: SAMPLE_TIME, idTag: 'TAG1' },
  Reset: { type: 'Soft' },
  SendLocalList: { listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'TAG1', idTagInfo: { status: 'Accepted' } }] },
  SetChargingProfile: {
    connectorId: 1,
    csChargingProfiles: {
      chargingProfileId: 1,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
    },
  },
  SignedUpdateFirmware: { firmware: { location: firmwareUrl, retrieveDateTime: SAMPLE_TIME, signingCertificate: certificate, signature: 'c2lnbmF0dXJl' } },
  TriggerMessage: { requestedMessage: 'Heartbeat' },
  UnlockConnector: { connectorId: 1 },
  UpdateFirmware: { location: firmwareUrl, retrieveDate: SAMPLE_TIME },
};

const ocpp201: SampleTable<Ocpp201CsmsActions> = {
  CancelReservation: { reservationId: 7 },
  CertificateSigned: { certificateChain: certificate, certificateType: 'ChargingStationCertificate' },
  ChangeAvailability: { operationalStatus: 'Inoperative', evse: { id: 1 } },
  ClearCache: {},
  ClearChargingProfile: { chargingProfileId: 1 },
  ClearDisplayMessage: { id: 1 },
  ClearVariableMonitoring: { id: [1, 2] },
  CostUpdated: { totalCost: 4.5, transactionId: 'TX-1' },
  CustomerInformation: { report: true, clear: false, customerIdentifier: 'customer-1' },
  DataTransfer: { vendorId: 'com.example', messageId: 'Ping', data: { hello: 'world' } },
  DeleteCertificate: { certificateHashData: hashData },
  GetBaseReport: { reportBase: 'FullInventory' },
  GetChargingProfiles: { chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile' } },
  GetCompositeSchedule: { duration: 3600, evseId: 1, chargingRateUnit: 'W' },
  GetDisplayMessages: {},
  GetInstalledCertificateIds: { certificateType: ['CSMSRootCertificate'] },
  GetLocalListVersion: {},
  GetLog: { logType: 'DiagnosticsLog', log: { remoteLocation: logUrl } },
  GetMonitoringReport: {},
  GetReport: {},
  GetTransactionStatus: { transactionId: 'TX-1' },
  GetVariables: { getVariableData: [heartbeat] },
  InstallCertificate: { certificateType: 'CSMSRootCertificate', certificate },
  PublishFirmware: { location: firmwareUrl, checksum: '0123456789abcdef0123456789abcdef' },
  RequestStartTransaction: { idToken, evseId: 1 },
  RequestStopTransaction: { transactionId: 'TX-1' },
  ReserveNow: { expiryDateTime: SAMPLE_TIME, idToken },
  Reset: { type: 'OnIdle' },
  SendLocalList: { versionNumber: 1, updateType: 'Full', localAuthorizationList: [{ idToken, idTokenInfo: { status: 'Accepted' } }] },
  SetChargingProfile: {
    evseId: 0,
    chargingProfile: {
      id: 1,
      stackLevel: 0,
      chargingProfilePurpose: 'ChargingStationMaxProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: [{ id: 1, startSchedule: SAMPLE_TIME, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 32 }] }],
    },
  },
  SetDisplayMessage: { message: { id: 1, priority: 'NormalCycle', message: { format: 'UTF8', content: 'Welcome' } } },
  SetMonitoringBase: { monitoringBase: 'FactoryDefault' },
  SetMonitoringLevel: { severity: 4 },
  SetNetworkProfile: {
    configurationSlot: 1,
    connectionData: { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://csms.example.com/ocpp', messageTimeout: 30, securityProfile: 2, ocppInterface: 'Wired0' },
  },
  SetVariableMonitoring: {
    setMonitoringData: [{ value: 80, type: 'UpperThreshold', severity: 4, component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } }],
  },
  SetVariables: { setVariableData: [{ ...heartbeat, attributeValue: '300' }] },
  TriggerMessage: { requestedMessage: 'Heartbeat' },
  UnlockConnector: { evseId: 1, connectorId: 1 },
  UnpublishFirmware: { checksum: '0123456789abcdef0123456789abcdef' },
  UpdateFirmware: { firmware: { location: firmwareUrl, retrieveDateTime: SAMPLE_TIME } },
};

const tariff: TariffType = { tariffId: 'T1', currency: 'EUR', energy: { prices: [{ priceKwh: 0.3 }] } };

/** 2.1 keeps every 2.0.1 request as it is (the unit test shows each passes the 2.1 schema) and adds its own. */
const ocpp21: SampleTable<Ocpp21CsmsActions> = {
  ...ocpp201,
  AFRRSignal: { timestamp: SAMPLE_TIME, signal: -1 },
  AdjustPeriodicEventStream: { id: 1, params: { interval: 60, values: 10 } },
  ChangeTransactionTariff: { transactionId: 'TX-1', tariff },
  ClearDERControl: { isDefault: false, controlType: 'EnterService' },
  ClearTariffs: { tariffIds: ['T1'] },
  GetDERControl: {},
  GetPeriodicEventStream: {},
  GetTariffs: { evseId: 1 },
  NotifyAllowedEnergyTransfer: { transactionId: 'TX-1', allowedEnergyTransfer: ['AC_three_phase'] },
  NotifyWebPaymentStarted: { evseId: 1, timeout: 60 },
  RequestBatterySwap: { idToken },
  SetDERControl: {
    isDefault: false,
    controlId: 'DER-1',
    controlType: 'EnterService',
    enterService: { priority: 0, highVoltage: 253, lowVoltage: 207, highFreq: 50.5, lowFreq: 49.5 },
  },
  SetDefaultTariff: { evseId: 0, tariff },
  UpdateDynamicSchedule: { chargingProfileId: 1, scheduleUpdate: { limit: 11_000 } },
  UsePriorityCharging: { transactionId: 'TX-1', activate: true },
};

/** A sample request of each action, by version and action name. */
export const commandSamples: Readonly<Record<OcppProtocol, Readonly<Record<string, Readonly<Record<string, unknown>>>>>> = {
  'ocpp1.6': ocpp16,
  'ocpp2.0.1': ocpp201,
  'ocpp2.1': ocpp21,
};

/** The sample of `action` in `protocol`; throws for an action without one. */
export const commandSample = (protocol: OcppProtocol, action: string): Readonly<Record<string, unknown>> => {
  const sample = Object.hasOwn(commandSamples[protocol], action) ? commandSamples[protocol][action] : undefined;
  if (sample === undefined) throw new Error(`no ${protocol} ${action} sample`);
  return sample;
};
