import { beforeAll, describe, expect, it } from 'vitest';
import { canSend, outboundActions, outcomeOf, requestIdField } from '#shared/command/catalog.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { PROTOCOL_PREFERENCE } from '#shared/ocpp/frames.ts';
import * as ocpp201 from '#shared/ocpp/generated/ocpp201.js';
import * as ocpp21 from '#shared/ocpp/generated/ocpp21.js';
import { withRequestId } from '#shared/command/request-id.ts';
import { assertValidOutbound, hasAction, loadValidators, validateResponse } from '#shared/ocpp/validate.ts';
import { commandSample, commandSamples } from '../../support/command-samples.ts';

beforeAll(() => Promise.all(PROTOCOL_PREFERENCE.map(loadValidators)));

const ocpp2Versions = ['ocpp2.0.1', 'ocpp2.1'] as const;

// The charger-initiated CALLs of each version (its spec's message lists), written out here independently of the
// catalog: with the catalog they must split every action with a schema, DataTransfer on both sides.
const CHARGER_16 = ['Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification',
  'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StartTransaction', 'StatusNotification', 'StopTransaction'];
const CHARGER_16_SECURITY = ['LogStatusNotification', 'SecurityEventNotification', 'SignCertificate',
  'SignedFirmwareStatusNotification'];
const CHARGER_201 = ['Authorize', 'BootNotification', 'ClearedChargingLimit', 'DataTransfer',
  'FirmwareStatusNotification', 'Get15118EVCertificate', 'GetCertificateStatus', 'Heartbeat', 'LogStatusNotification',
  'MeterValues', 'NotifyChargingLimit', 'NotifyCustomerInformation', 'NotifyDisplayMessages', 'NotifyEVChargingNeeds',
  'NotifyEVChargingSchedule', 'NotifyEvent', 'NotifyMonitoringReport', 'NotifyReport',
  'PublishFirmwareStatusNotification', 'ReportChargingProfiles', 'ReservationStatusUpdate',
  'SecurityEventNotification', 'SignCertificate', 'StatusNotification', 'TransactionEvent'];
const CHARGER_21 = [...CHARGER_201, 'BatterySwap', 'ClosePeriodicEventStream', 'GetCertificateChainStatus',
  'NotifyDERAlarm', 'NotifyDERStartStop', 'NotifyPeriodicEventStream', 'NotifyPriorityCharging', 'NotifySettlement',
  'OpenPeriodicEventStream', 'PullDynamicScheduleUpdate', 'ReportDERControl', 'VatNumberValidation'];

const SECURITY_16 = ['CertificateSigned', 'DeleteCertificate', 'ExtendedTriggerMessage', 'GetInstalledCertificateIds',
  'GetLog', 'InstallCertificate', 'SignedUpdateFirmware'];

/** Every action with a request schema in a generated 2.x module (its exports are `<Action>Request`, `<Action>Response`). */
const schemaActions = (module: Record<string, unknown>) =>
  Object.keys(module).filter((name) => name.endsWith('Request')).map((name) => name.slice(0, -'Request'.length));

describe('outboundActions', () => {
  it('lists 26 actions for 1.6, 40 for 2.0.1 and 55 for 2.1, each once', () => {
    expect(outboundActions['ocpp1.6']).toHaveLength(26);
    expect(outboundActions['ocpp2.0.1']).toHaveLength(40);
    expect(outboundActions['ocpp2.1']).toHaveLength(55);
    for (const protocol of PROTOCOL_PREFERENCE) {
      expect(new Set(outboundActions[protocol]).size).toBe(outboundActions[protocol].length);
    }
  });

  it('lists the 1.6 Central System operations of every feature profile and the security extension', () => {
    expect([...outboundActions['ocpp1.6']].sort()).toEqual([
      'CancelReservation', 'ChangeAvailability', 'ChangeConfiguration', 'ClearCache', 'ClearChargingProfile',
      'DataTransfer', 'GetCompositeSchedule', 'GetConfiguration', 'GetDiagnostics', 'GetLocalListVersion',
      'RemoteStartTransaction', 'RemoteStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList', 'SetChargingProfile',
      'TriggerMessage', 'UnlockConnector', 'UpdateFirmware', ...SECURITY_16,
    ].sort());
  });

  it('has a request schema for every 2.x action it lists', () => {
    for (const protocol of ocpp2Versions) {
      expect(outboundActions[protocol].filter((action) => !hasAction(protocol, action)), protocol).toEqual([]);
    }
  });

  it('has a 1.6 schema for every action but the security extension\'s, which has none here yet', () => {
    const withoutSchema = outboundActions['ocpp1.6'].filter((action) => !hasAction('ocpp1.6', action));
    expect(SECURITY_16).toEqual(expect.arrayContaining(withoutSchema));
  });

  it('lists no charger-initiated action but DataTransfer', () => {
    const charger: Record<OcppProtocol, string[]> = {
      'ocpp1.6': [...CHARGER_16, ...CHARGER_16_SECURITY],
      'ocpp2.0.1': CHARGER_201,
      'ocpp2.1': CHARGER_21,
    };
    for (const protocol of PROTOCOL_PREFERENCE) {
      const both = outboundActions[protocol].filter((action) => charger[protocol].includes(action));
      expect(both, protocol).toEqual(['DataTransfer']);
    }
  });

  it('with the charger-initiated actions, covers every action that has a 2.x schema', () => {
    const cases = [
      { protocol: 'ocpp2.0.1', module: ocpp201, charger: CHARGER_201 },
      { protocol: 'ocpp2.1', module: ocpp21, charger: CHARGER_21 },
    ] as const;
    for (const { protocol, module, charger } of cases) {
      const covered = new Set([...outboundActions[protocol], ...charger]);
      expect([...covered].sort(), protocol).toEqual(schemaActions(module).sort());
    }
  });
});

describe('canSend', () => {
  it('follows each version\'s table', () => {
    expect(canSend('ocpp1.6', 'RemoteStartTransaction')).toBe(true);
    expect(canSend('ocpp2.0.1', 'RemoteStartTransaction')).toBe(false);
    expect(canSend('ocpp2.0.1', 'RequestStartTransaction')).toBe(true);
    expect(canSend('ocpp2.0.1', 'AFRRSignal')).toBe(false);
    expect(canSend('ocpp2.1', 'AFRRSignal')).toBe(true);
    expect(canSend('ocpp1.6', 'ExtendedTriggerMessage')).toBe(true);
    expect(canSend('ocpp2.1', 'BootNotification')).toBe(false);
    expect(canSend('ocpp2.1', 'NotifyPeriodicEventStream')).toBe(false);
  });

  it('knows no Object.prototype member as an action', () => {
    for (const protocol of PROTOCOL_PREFERENCE) {
      for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
        expect(canSend(protocol, name), `${protocol} ${name}`).toBe(false);
        expect(requestIdField(protocol, name)).toBeUndefined();
      }
    }
  });
});

describe('outcomeOf', () => {
  const setResult = (attributeStatus: string) =>
    ({ attributeStatus, component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } });
  const getResult = (attributeStatus: string) => ({ ...setResult(attributeStatus), attributeValue: '300' });
  const configKey = (key: string) => ({ key, readonly: false, value: '1' });
  const cases: { protocol: OcppProtocol; action: string; reply: unknown; outcome: string | undefined }[] = [
    { protocol: 'ocpp1.6', action: 'Reset', reply: { status: 'Accepted' }, outcome: 'accepted' },
    { protocol: 'ocpp1.6', action: 'RemoteStopTransaction', reply: { status: 'Rejected' }, outcome: 'rejected' },
    { protocol: 'ocpp1.6', action: 'ChangeAvailability', reply: { status: 'Scheduled' }, outcome: 'scheduled' },
    { protocol: 'ocpp1.6', action: 'ChangeConfiguration', reply: { status: 'RebootRequired' }, outcome: 'rebootRequired' },
    { protocol: 'ocpp1.6', action: 'ChangeConfiguration', reply: { status: 'NotSupported' }, outcome: 'notSupported' },
    { protocol: 'ocpp1.6', action: 'TriggerMessage', reply: { status: 'NotImplemented' }, outcome: 'notImplemented' },
    { protocol: 'ocpp1.6', action: 'UnlockConnector', reply: { status: 'Unlocked' }, outcome: 'unlocked' },
    { protocol: 'ocpp1.6', action: 'UnlockConnector', reply: { status: 'UnlockFailed' }, outcome: 'unlockFailed' },
    { protocol: 'ocpp1.6', action: 'SendLocalList', reply: { status: 'VersionMismatch' }, outcome: 'versionMismatch' },
    { protocol: 'ocpp1.6', action: 'DataTransfer', reply: { status: 'UnknownVendorId' }, outcome: 'unknownVendorId' },
    { protocol: 'ocpp1.6', action: 'GetConfiguration', reply: { configurationKey: [configKey('A'), configKey('B')] },
      outcome: 'accepted' },
    { protocol: 'ocpp1.6', action: 'GetConfiguration', reply: { configurationKey: [configKey('A')], unknownKey: ['Z'] },
      outcome: 'partial' },
    { protocol: 'ocpp1.6', action: 'GetConfiguration', reply: { configurationKey: [], unknownKey: ['Y', 'Z'] },
      outcome: 'rejected' },
    { protocol: 'ocpp1.6', action: 'GetDiagnostics', reply: { fileName: 'diag.zip' }, outcome: undefined },
    { protocol: 'ocpp1.6', action: 'GetDiagnostics', reply: {}, outcome: undefined },
    { protocol: 'ocpp1.6', action: 'GetLocalListVersion', reply: { listVersion: 3 }, outcome: undefined },
    { protocol: 'ocpp2.0.1', action: 'Reset', reply: { status: 'Scheduled' }, outcome: 'scheduled' },
    { protocol: 'ocpp2.0.1', action: 'RequestStartTransaction', reply: { status: 'Accepted', transactionId: 'tx-1' },
      outcome: 'accepted' },
    { protocol: 'ocpp2.0.1', action: 'GetBaseReport', reply: { status: 'EmptyResultSet' }, outcome: 'emptyResultSet' },
    { protocol: 'ocpp2.0.1', action: 'SetVariables', reply: { setVariableResult: [setResult('Accepted'), setResult('Accepted')] },
      outcome: 'accepted' },
    { protocol: 'ocpp2.0.1', action: 'SetVariables', reply: { setVariableResult: [setResult('Accepted'), setResult('UnknownVariable')] },
      outcome: 'partial' },
    { protocol: 'ocpp2.0.1', action: 'SetVariables', reply: { setVariableResult: [setResult('Rejected'), setResult('UnknownComponent')] },
      outcome: 'rejected' },
    { protocol: 'ocpp2.0.1', action: 'SetVariables', reply: { setVariableResult: [setResult('Accepted'), setResult('RebootRequired')] },
      outcome: 'rebootRequired' },
    { protocol: 'ocpp2.0.1', action: 'SetVariables', reply: { setVariableResult: [setResult('RebootRequired'), setResult('Rejected')] },
      outcome: 'partial' },
    { protocol: 'ocpp2.1', action: 'GetVariables', reply: { getVariableResult: [getResult('Accepted')] }, outcome: 'accepted' },
    { protocol: 'ocpp2.1', action: 'GetVariables', reply: { getVariableResult: [setResult('UnknownVariable')] },
      outcome: 'rejected' },
    { protocol: 'ocpp2.0.1', action: 'ClearVariableMonitoring',
      reply: { clearMonitoringResult: [{ id: 1, status: 'Accepted' }, { id: 2, status: 'NotFound' }] }, outcome: 'partial' },
    { protocol: 'ocpp2.1', action: 'ClearTariffs', reply: { clearTariffsResult: [{ tariffId: 't1', status: 'Accepted' }] },
      outcome: 'accepted' },
    { protocol: 'ocpp2.1', action: 'ClearTariffs', reply: { clearTariffsResult: [{ status: 'NoTariff' }] }, outcome: 'rejected' },
    { protocol: 'ocpp2.1', action: 'NotifyAllowedEnergyTransfer', reply: { status: 'Rejected' }, outcome: 'rejected' },
    { protocol: 'ocpp2.0.1', action: 'CostUpdated', reply: {}, outcome: undefined },
    { protocol: 'ocpp2.0.1', action: 'GetLocalListVersion', reply: { versionNumber: 4 }, outcome: undefined },
    { protocol: 'ocpp2.1', action: 'GetTransactionStatus', reply: { messagesInQueue: false }, outcome: undefined },
  ];

  it.each(cases)('reads $protocol $action $reply as $outcome', ({ protocol, action, reply, outcome }) => {
    // A reply the charger could really send: it passes the action's response schema.
    expect(validateResponse(protocol, action, reply)).toMatchObject({ ok: true });
    expect(outcomeOf(protocol, action, reply)).toBe(outcome);
  });

  it('gives no outcome for a reply that is no object', () => {
    for (const reply of [null, undefined, 'Accepted', 3, ['Accepted']]) {
      expect(outcomeOf('ocpp2.0.1', 'Reset', reply)).toBeUndefined();
    }
  });
});

describe('requestIdField', () => {
  const expected: Record<OcppProtocol, Record<string, string>> = {
    'ocpp1.6': { ReserveNow: 'reservationId', GetLog: 'requestId', SignedUpdateFirmware: 'requestId' },
    'ocpp2.0.1': {
      CustomerInformation: 'requestId', GetBaseReport: 'requestId', GetChargingProfiles: 'requestId',
      GetDisplayMessages: 'requestId', GetLog: 'requestId', GetMonitoringReport: 'requestId', GetReport: 'requestId',
      PublishFirmware: 'requestId', RequestStartTransaction: 'remoteStartId', ReserveNow: 'id', UpdateFirmware: 'requestId',
    },
    'ocpp2.1': {},
  };
  expected['ocpp2.1'] = { ...expected['ocpp2.0.1'], GetDERControl: 'requestId', RequestBatterySwap: 'requestId' };

  it('names the id field of exactly the expected actions', () => {
    for (const protocol of PROTOCOL_PREFERENCE) {
      const named = Object.fromEntries(outboundActions[protocol].flatMap((action) => {
        const field = requestIdField(protocol, action);
        return field === undefined ? [] : [[action, field]];
      }));
      expect(named, protocol).toEqual(expected[protocol]);
    }
  });

  // The schemas are closed (an unknown field fails), so a sample passing with the field shows the schema declares
  // it; failing without it shows the charger can rely on it.
  it('names a required field of the request schema', () => {
    for (const protocol of PROTOCOL_PREFERENCE) {
      for (const [action, field] of Object.entries(expected[protocol])) {
        if (!hasAction(protocol, action)) {
          expect(SECURITY_16, `${protocol} ${action} has no schema`).toContain(action);
          continue;
        }
        const sample = commandSample(protocol, action);
        const check = (payload: Record<string, unknown>) => () => assertValidOutbound(protocol, action, 'request', payload);
        expect(check({ ...sample, [field]: 42 }), `${protocol} ${action}`).not.toThrow();
        expect(check({ ...sample, [field]: 42, [`${field}X`]: 42 }), `${protocol} ${action} is closed`).toThrow(/is not a known property/);
        expect(check(sample), `${protocol} ${action} requires ${field}`).toThrow(/required/);
      }
    }
  });

  it('gives none for an action the CSMS does not send', () => {
    expect(requestIdField('ocpp2.0.1', 'NotifyReport')).toBeUndefined();
    expect(requestIdField('ocpp2.0.1', 'GetDERControl')).toBeUndefined();
    expect(requestIdField('ocpp1.6', 'ExtendedTriggerMessage')).toBeUndefined();
  });
});

describe('the command samples (test/support/command-samples.ts)', () => {
  it('have one request for every outbound action and no other', () => {
    for (const protocol of PROTOCOL_PREFERENCE) {
      expect(Object.keys(commandSamples[protocol]).sort(), protocol).toEqual([...outboundActions[protocol]].sort());
    }
  });

  // As the CSMS sends them: with the request id it allocates for an operator who leaves it out.
  it.each(PROTOCOL_PREFERENCE)('pass the %s request schema of their action once the CSMS fills in its id', (protocol) => {
    for (const action of outboundActions[protocol]) {
      const payload = withRequestId(protocol, action, commandSample(protocol, action));
      expect(() => assertValidOutbound(protocol, action, 'request', payload), `${protocol} ${action}`).not.toThrow();
    }
  });
});
