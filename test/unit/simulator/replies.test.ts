import { beforeAll, describe, expect, it } from 'vitest';
import type { Ocpp16ChargerAction } from '#shared/ocpp/generated/ocpp16.types.ts';
import type { Ocpp201ChargerAction } from '#shared/ocpp/generated/ocpp201.types.ts';
import { hasAction, loadValidators, validateResponse } from '#shared/ocpp/validate.ts';
import { csmsActions, hasRejectReply, simulatedAnswer } from '../../../scripts/simulator/replies.ts';
import type { SimulatorProtocol } from '../../../scripts/simulator/replies.ts';
import { ocppRpcActions, ocppRpcCheck, ocppRpcSchemas, samplePayload } from '../../support/ocpp-rpc-schemas.ts';

const PROTOCOLS: SimulatorProtocol[] = ['ocpp1.6', 'ocpp2.0.1'];
beforeAll(() => Promise.all(PROTOCOLS.map(loadValidators)));

// What the charger sends (DataTransfer goes both ways, so it is the CSMS's too). Typed against the directions
// build-schemas.mjs generates, so a list here cannot miss one of them.
type Security16ChargerAction = 'LogStatusNotification' | 'SecurityEventNotification' | 'SignCertificate' | 'SignedFirmwareStatusNotification';
const CHARGER_ONLY: Record<SimulatorProtocol, Record<string, true>> = {
  'ocpp1.6': {
    Authorize: true, BootNotification: true, DiagnosticsStatusNotification: true, FirmwareStatusNotification: true,
    Heartbeat: true, MeterValues: true, StartTransaction: true, StatusNotification: true, StopTransaction: true,
    LogStatusNotification: true, SecurityEventNotification: true, SignCertificate: true, SignedFirmwareStatusNotification: true,
  } satisfies Record<Exclude<Ocpp16ChargerAction, 'DataTransfer'> | Security16ChargerAction, true>,
  'ocpp2.0.1': {
    Authorize: true, BootNotification: true, ClearedChargingLimit: true, FirmwareStatusNotification: true,
    Get15118EVCertificate: true, GetCertificateStatus: true, Heartbeat: true, LogStatusNotification: true,
    MeterValues: true, NotifyChargingLimit: true, NotifyCustomerInformation: true, NotifyDisplayMessages: true,
    NotifyEVChargingNeeds: true, NotifyEVChargingSchedule: true, NotifyEvent: true, NotifyMonitoringReport: true,
    NotifyReport: true, PublishFirmwareStatusNotification: true, ReportChargingProfiles: true,
    ReservationStatusUpdate: true, SecurityEventNotification: true, SignCertificate: true, StatusNotification: true,
    TransactionEvent: true,
  } satisfies Record<Exclude<Ocpp201ChargerAction, 'DataTransfer'>, true>,
};

/** The 1.6 security extension's CSMS-initiated actions: this project may have no schema for them yet. */
const SECURITY_EXTENSION_16 = ['CertificateSigned', 'DeleteCertificate', 'ExtendedTriggerMessage', 'GetInstalledCertificateIds',
  'GetLog', 'InstallCertificate', 'SignedUpdateFirmware'];

const csmsInitiated = (protocol: SimulatorProtocol) => ocppRpcActions(protocol).filter((action) => !Object.hasOwn(CHARGER_ONLY[protocol], action));

/** Both validators agree the reply is valid: ocpp-rpc's schema file and this project's compiled validators. */
function expectValidReply(protocol: SimulatorProtocol, action: string, payload: unknown) {
  expect(ocppRpcCheck(protocol, action, 'conf', payload), `${action} reply ${JSON.stringify(payload)}`).toBeUndefined();
  const projectLacksSchema = protocol === 'ocpp1.6' && SECURITY_EXTENSION_16.includes(action) && !hasAction(protocol, action);
  if (projectLacksSchema) return;
  expect(validateResponse(protocol, action, payload), `${action} reply ${JSON.stringify(payload)}`).toEqual({ ok: true, payload, tolerated: [] });
}

/** A required-fields-only and an every-field request for `action`, each valid by ocpp-rpc's schema. */
function sampleRequests(protocol: SimulatorProtocol, action: string): unknown[] {
  const schema = ocppRpcSchemas(protocol).get(`${action}.req`);
  if (schema === undefined) throw new Error(`ocpp-rpc has no ${protocol} ${action} request schema`);
  const samples = [samplePayload(schema, 'required'), samplePayload(schema, 'all')];
  for (const sample of samples) expect(ocppRpcCheck(protocol, action, 'req', sample), `${action} sample ${JSON.stringify(sample)}`).toBeUndefined();
  return samples;
}

describe.each(PROTOCOLS)('%s simulator replies', (protocol) => {
  it('cover every CSMS-initiated action ocpp-rpc knows, and nothing else', () => {
    expect(csmsActions(protocol).sort()).toEqual(csmsInitiated(protocol).sort());
  });

  it.each(csmsInitiated(protocol))('%s: the accept reply is valid by both schema sets', (action) => {
    for (const request of sampleRequests(protocol, action)) {
      const answer = simulatedAnswer(protocol, action, request, 'accept');
      if (answer.kind !== 'result') throw new Error(`${action}: accept answered ${answer.kind}`);
      expectValidReply(protocol, action, answer.payload);
    }
  });

  it.each(csmsInitiated(protocol))('%s: the reject reply is valid and negative, or a CALLERROR NotSupported when the reply has no status', (action) => {
    const acceptStatus = (request: unknown) => {
      const answer = simulatedAnswer(protocol, action, request, 'accept');
      return answer.kind === 'result' ? (answer.payload as { status?: unknown }).status : undefined;
    };
    const replyHasStatus = ocppRpcSchemas(protocol).get(`${action}.conf`)?.properties?.status !== undefined;
    for (const request of sampleRequests(protocol, action)) {
      const answer = simulatedAnswer(protocol, action, request, 'reject');
      if (!hasRejectReply(protocol, action)) {
        expect(replyHasStatus, `${action} has a status to reject with`).toBe(false);
        expect(answer).toMatchObject({ kind: 'error', code: 'NotSupported' });
        continue;
      }
      if (answer.kind !== 'result') throw new Error(`${action}: reject answered ${answer.kind}`);
      expectValidReply(protocol, action, answer.payload);
      if (replyHasStatus) expect((answer.payload as { status: unknown }).status).not.toBe(acceptStatus(request));
    }
  });
});

describe('answers that read the request', () => {
  const station = { heartbeatIntervalSeconds: 42 };

  it('1.6 GetConfiguration reports the boot interval, and the keys it lacks as unknownKey', () => {
    const all = simulatedAnswer('ocpp1.6', 'GetConfiguration', {}, 'accept', station);
    expect(all).toMatchObject({ kind: 'result', payload: { configurationKey: expect.arrayContaining([{ key: 'HeartbeatInterval', readonly: false, value: '42' }]) } });
    const some = simulatedAnswer('ocpp1.6', 'GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey'] }, 'accept', station);
    expect(some).toEqual({ kind: 'result', payload: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '42' }], unknownKey: ['NoSuchKey'] } });
  });

  it('2.0.1 GetVariables echoes each requested variable, accepted with a value or rejected', () => {
    const getVariableData = [
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
      { attributeType: 'Target', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } },
    ];
    expect(simulatedAnswer('ocpp2.0.1', 'GetVariables', { getVariableData }, 'accept', station)).toEqual({ kind: 'result', payload: { getVariableResult: [
      { attributeStatus: 'Accepted', attributeValue: '42', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
      { attributeStatus: 'Accepted', attributeType: 'Target', attributeValue: 'simulated', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } },
    ] } });
    expect(simulatedAnswer('ocpp2.0.1', 'GetVariables', { getVariableData }, 'reject', station)).toMatchObject({ kind: 'result', payload: { getVariableResult: [
      { attributeStatus: 'Rejected' }, { attributeStatus: 'Rejected', attributeType: 'Target' },
    ] } });
  });

  it.each(PROTOCOLS)('%s GetCompositeSchedule answers a schedule over the requested duration and unit', (protocol) => {
    const request = protocol === 'ocpp1.6' ? { connectorId: 1, duration: 3600, chargingRateUnit: 'W' } : { evseId: 1, duration: 3600, chargingRateUnit: 'W' };
    const answer = simulatedAnswer(protocol, 'GetCompositeSchedule', request, 'accept');
    const schedule = protocol === 'ocpp1.6' ? { chargingSchedule: { duration: 3600, chargingRateUnit: 'W' } } : { schedule: { evseId: 1, duration: 3600, chargingRateUnit: 'W' } };
    expect(answer).toMatchObject({ kind: 'result', payload: { status: 'Accepted', ...schedule } });
  });
});

describe('modes', () => {
  it.each(PROTOCOLS)('%s: error answers NotImplemented, silent answers nothing, an unknown action NotImplemented', (protocol) => {
    expect(simulatedAnswer(protocol, 'Reset', { type: protocol === 'ocpp1.6' ? 'Soft' : 'Immediate' }, 'error')).toMatchObject({ kind: 'error', code: 'NotImplemented' });
    expect(simulatedAnswer(protocol, 'Reset', {}, 'silent')).toEqual({ kind: 'silent' });
    expect(simulatedAnswer(protocol, 'BootNotification', {}, 'accept')).toMatchObject({ kind: 'error', code: 'NotImplemented' });
    expect(simulatedAnswer(protocol, 'toString', {}, 'accept')).toMatchObject({ kind: 'error', code: 'NotImplemented' });
  });
});
