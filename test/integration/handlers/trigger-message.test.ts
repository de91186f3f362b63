/**
 * TriggerMessage, every `requestedMessage` of every version (1.6 TriggerMessage and the security extension's
 * ExtendedTriggerMessage, 2.0.1 and 2.1 TriggerMessage), through the real $default handler on DynamoDB Local: the
 * command is answered Accepted (the reply port), then the charger sends what was asked for and the CSMS answers it
 * with a CALLRESULT (never a CALLERROR) and keeps what that message carries, as it would untriggered. The tables are
 * typed by the generated request types, so an enum value the schemas add fails the type check until it is covered.
 *
 * A triggered message is an ordinary CALL of the charger: nothing in it names the command (2.x marks only a
 * BootNotification, reason `Triggered`, and a TransactionEvent, triggerReason `Trigger`), so nothing links the two;
 * the message log shows both in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import type { Ocpp16CsmsActions } from '#shared/ocpp/generated/ocpp16.types.ts';
import type { Ocpp201CsmsActions } from '#shared/ocpp/generated/ocpp201.types.ts';
import type { Ocpp21CsmsActions } from '#shared/ocpp/generated/ocpp21.types.ts';
import { checkOutbound, loadValidators } from '#shared/ocpp/validate.ts';
import { answeredCommand } from '../../support/command-replies.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';

let h: Harness;

/** One message the charger sends when triggered. */
interface Triggered {
  readonly action: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** What the CSMS must answer (matched), beyond being a CALLRESULT. */
  readonly answer?: Readonly<Record<string, unknown>>;
}

/** Per requested message: what the request adds to it, and what the charger sends (several where its state decides which). */
type Sweep<M extends string> = Readonly<Record<M, { readonly request?: Readonly<Record<string, unknown>>; readonly sends: readonly Triggered[] }>>;

let sequence = 0;
/** A distinct time of 2026 per message, so each one's facts are told apart. */
const nextTime = () => new Date(Date.UTC(2026, 3, 1, 10, 0, ++sequence)).toISOString();
const CSR = (use: string) => `-----BEGIN CERTIFICATE REQUEST-----\nMIIBtriggered${use}\n-----END CERTIFICATE REQUEST-----`;
const meterValue = () => [{ timestamp: nextTime(), sampledValue: [{ value: 1234.5 }] }];

const v16 = {
  boot: (): Triggered => ({ action: 'BootNotification', payload: { chargePointVendor: 'Acme', chargePointModel: 'One', firmwareVersion: `fw-${++sequence}` }, answer: { status: 'Accepted' } }),
  heartbeat: (): Triggered => ({ action: 'Heartbeat', payload: {} }),
  meterValues: (): Triggered => ({ action: 'MeterValues', payload: { connectorId: 1, meterValue: [{ timestamp: nextTime(), sampledValue: [{ value: '1234' }] }] } }),
  status: (): Triggered => ({ action: 'StatusNotification', payload: { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: nextTime() } }),
  // A charger with nothing under way answers a trigger with Idle (1.6 §4.4, §4.5; the whitepaper's notifications).
  idle: (action: string): Triggered => ({ action, payload: { status: 'Idle' } }),
};

const v2 = {
  boot: (): Triggered => ({
    action: 'BootNotification',
    payload: { reason: 'Triggered', chargingStation: { vendorName: 'Acme', model: 'Two', firmwareVersion: `fw-${++sequence}` } },
    answer: { status: 'Accepted' },
  }),
  heartbeat: (): Triggered => ({ action: 'Heartbeat', payload: {} }),
  meterValues: (): Triggered => ({ action: 'MeterValues', payload: { evseId: 1, meterValue: meterValue() } }),
  status: (): Triggered => ({ action: 'StatusNotification', payload: { timestamp: nextTime(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 } }),
  idle: (action: string): Triggered => ({ action, payload: { status: 'Idle' } }),
  // No signer is configured: the CSR is kept for an operator and answered Rejected (charger/certificate-request.ts).
  sign: (certificateType?: string): Triggered => ({
    action: 'SignCertificate',
    payload: { csr: CSR(certificateType ?? 'Combined'), ...(certificateType ? { certificateType } : {}) },
    answer: { status: 'Rejected' },
  }),
  transaction: (transactionId: string, seqNo: number): Triggered => ({
    action: 'TransactionEvent',
    payload: { eventType: 'Updated', timestamp: nextTime(), triggerReason: 'Trigger', seqNo, transactionInfo: { transactionId, chargingState: 'Charging' }, meterValue: meterValue() },
  }),
};

const ON_CONNECTOR_16 = { connectorId: 1 };
const ON_EVSE = { evse: { id: 1, connectorId: 1 } };

const trigger16: Sweep<Ocpp16CsmsActions['TriggerMessage']['request']['requestedMessage']> = {
  BootNotification: { sends: [v16.boot()] },
  DiagnosticsStatusNotification: { sends: [v16.idle('DiagnosticsStatusNotification')] },
  FirmwareStatusNotification: { sends: [v16.idle('FirmwareStatusNotification')] },
  Heartbeat: { sends: [v16.heartbeat()] },
  MeterValues: { request: ON_CONNECTOR_16, sends: [v16.meterValues()] },
  StatusNotification: { request: ON_CONNECTOR_16, sends: [v16.status()] },
};

const extendedTrigger16: Sweep<Ocpp16CsmsActions['ExtendedTriggerMessage']['request']['requestedMessage']> = {
  BootNotification: { sends: [v16.boot()] },
  LogStatusNotification: { sends: [v16.idle('LogStatusNotification')] },
  // The status of the last firmware update: a signed one's is a SignedFirmwareStatusNotification.
  FirmwareStatusNotification: { sends: [v16.idle('FirmwareStatusNotification'), v16.idle('SignedFirmwareStatusNotification')] },
  Heartbeat: { sends: [v16.heartbeat()] },
  MeterValues: { request: ON_CONNECTOR_16, sends: [v16.meterValues()] },
  SignChargePointCertificate: { sends: [{ action: 'SignCertificate', payload: { csr: CSR('ChargePoint') }, answer: { status: 'Rejected' } }] },
  StatusNotification: { request: ON_CONNECTOR_16, sends: [v16.status()] },
};

const TX201 = 'TX-TRIGGER-201';
const TX21 = 'TX-TRIGGER-21';

/** 2.0.1's requested messages, the same in 2.1; `transactionId`: the transaction under way on EVSE 1. */
const trigger2 = (transactionId: string): Sweep<Ocpp201CsmsActions['TriggerMessage']['request']['requestedMessage']> => ({
  // F06.FR.17: an accepted station refuses this trigger; a pending one sends it (the CSMS answers either alike).
  BootNotification: { sends: [v2.boot()] },
  LogStatusNotification: { sends: [v2.idle('LogStatusNotification')] },
  FirmwareStatusNotification: { sends: [v2.idle('FirmwareStatusNotification')] },
  Heartbeat: { sends: [v2.heartbeat()] },
  MeterValues: { request: { evse: { id: 1 } }, sends: [v2.meterValues()] },
  SignChargingStationCertificate: { sends: [v2.sign('ChargingStationCertificate')] },
  SignV2GCertificate: { sends: [v2.sign('V2GCertificate')] },
  StatusNotification: { request: ON_EVSE, sends: [v2.status()] },
  TransactionEvent: { request: { evse: { id: 1 } }, sends: [v2.transaction(transactionId, 1)] },
  // One CSR for both uses: the request leaves certificateType out.
  SignCombinedCertificate: { sends: [v2.sign()] },
  PublishFirmwareStatusNotification: { sends: [v2.idle('PublishFirmwareStatusNotification')] },
});

const trigger201 = trigger2(TX201);

const trigger21: Sweep<Ocpp21CsmsActions['TriggerMessage']['request']['requestedMessage']> = {
  ...trigger2(TX21),
  SignV2G20Certificate: { sends: [v2.sign('V2G20Certificate')] },
  // A vendor's own trigger: the charger sends what its vendor defined; a DataTransfer is the one such message every
  // CSMS takes (answered UnknownVendorId until a vendor handler is registered, and kept on the timeline).
  CustomTrigger: { request: { customTrigger: 'AcmeDiagnostics' }, sends: [{ action: 'DataTransfer', payload: { vendorId: 'com.acme', messageId: 'Diag', data: 'ok' }, answer: { status: 'UnknownVendorId' } }] },
};

const onTimeline = async (cp: string, messageId: string) => (await h.deps.stores.timeline.list(cp)).items.some((e) => e.messageId === messageId);

/** Where the CSMS keeps what each triggered message carries; true when this message's facts are there. */
const kept: Readonly<Record<string, (cp: string, messageId: string, sent: Triggered) => Promise<boolean>>> = {
  BootNotification: async (cp, _id, { payload }) => {
    const firmware = (payload.firmwareVersion ?? (payload.chargingStation as { firmwareVersion: string }).firmwareVersion) as string;
    return (await h.deps.stores.chargers.get(cp))?.firmwareVersion === firmware;
  },
  // The log entry (checked for every message) is a Heartbeat's only record.
  Heartbeat: async () => true,
  StatusNotification: async (cp, _id, { payload }) =>
    (await h.deps.stores.connectors.list(cp)).some((c) => c.evseId === 1 && c.connectorId === 1 && c.statusTimestamp === new Date(payload.timestamp as string).toISOString()),
  MeterValues: async (cp, _id, { payload }) => {
    const at = new Date((payload.meterValue as { timestamp: string }[])[0]!.timestamp).toISOString();
    return (await h.deps.stores.meterValues.listOfCharger(cp, at, at)).length > 0;
  },
  DiagnosticsStatusNotification: async (cp, id) => onTimeline(cp, id),
  FirmwareStatusNotification: async (cp, id) => onTimeline(cp, id),
  SignedFirmwareStatusNotification: async (cp, id) => onTimeline(cp, id),
  LogStatusNotification: async (cp, id) => onTimeline(cp, id),
  PublishFirmwareStatusNotification: async (cp, id) => onTimeline(cp, id),
  DataTransfer: async (cp, id) => onTimeline(cp, id),
  SignCertificate: async (cp, id) => (await h.deps.stores.certificateRequests.list(cp)).items.some((r) => r.messageId === id),
  TransactionEvent: async (cp, _id, { payload }) => {
    const { transactionId } = payload.transactionInfo as { transactionId: string };
    return (await h.deps.stores.transactions.get(cp, transactionId))?.lastSeqNo === payload.seqNo;
  },
};

/** The answered command, then each triggered message with the CSMS's CALLRESULT, its log entry and what it kept. */
const runTrigger = async (cp: string, protocol: OcppProtocol, action: string, requestedMessage: string, entry: Sweep<string>[string]) => {
  const request = { requestedMessage, ...entry.request };
  // The request as the command API checks it before recording it.
  expect(checkOutbound(protocol, action, 'request', request)).toEqual({ ok: true });
  const commandId = await answeredCommand(h, { chargerId: cp, protocol, action, payload: request }, { status: 'Accepted' });
  expect(await h.deps.stores.commands.get(commandId)).toMatchObject({ status: 'answered', outcome: 'accepted' });
  for (const sent of entry.sends) {
    const [type, messageId, answer] = (await h.call(cp, protocol, sent.action, sent.payload, 'accepted')) as [number, string, Record<string, unknown>];
    expect([type, sent.action, answer]).toEqual([3, sent.action, expect.objectContaining(sent.answer ?? {})]);
    const logged = (await h.deps.stores.messageLog.list(cp, { newestFirst: true, limit: 5 })).items.find((f) => JSON.parse(f.frame)[1] === messageId);
    expect(logged?.reply && JSON.parse(logged.reply)[0]).toBe(3);
    expect(await kept[sent.action]!(cp, messageId, sent), `${sent.action} kept`).toBe(true);
  }
};

const CP16 = 'CP-TRIG16';
const CP16X = 'CP-TRIG16X';
const CP201 = 'CP-TRIG201';
const CP21 = 'CP-TRIG21';

beforeAll(async () => {
  h = await startHarness();
  for (const chargerId of [CP16, CP16X, CP201, CP21]) await createCharger(h.deps, { chargerId, registrationStatus: 'accepted' });
  await Promise.all((['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const).map(loadValidators));
  // A transaction under way for the TransactionEvent triggers (a station without one refuses that trigger).
  for (const [cp, protocol, transactionId] of [[CP201, 'ocpp2.0.1', TX201], [CP21, 'ocpp2.1', TX21]] as const) {
    const started = { eventType: 'Started', timestamp: nextTime(), triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: { transactionId }, evse: { id: 1, connectorId: 1 } };
    expect((await h.call(cp, protocol, 'TransactionEvent', started, 'accepted'))[0]).toBe(3);
  }
});
afterAll(async () => h?.close());

const sweeps: readonly (readonly [name: string, chargerId: string, protocol: OcppProtocol, action: string, sweep: Sweep<string>])[] = [
  ['1.6 TriggerMessage', CP16, 'ocpp1.6', 'TriggerMessage', trigger16],
  ['1.6 ExtendedTriggerMessage (security extension)', CP16X, 'ocpp1.6', 'ExtendedTriggerMessage', extendedTrigger16],
  ['2.0.1 TriggerMessage', CP201, 'ocpp2.0.1', 'TriggerMessage', trigger201],
  ['2.1 TriggerMessage', CP21, 'ocpp2.1', 'TriggerMessage', trigger21],
];

describe.each(sweeps)('%s', (_name, chargerId, protocol, action, sweep) => {
  it.each(Object.entries(sweep))('%s: the triggered message is answered and kept', async (requested, entry) => {
    await runTrigger(chargerId, protocol, action, requested, entry);
  });
});
