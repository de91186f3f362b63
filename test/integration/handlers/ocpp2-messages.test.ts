import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/handler-harness.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';

import { assembleReport } from '#shared/charger/report.ts';

import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { handleFrame } from '#shared/inbound/handle-frame.ts';
import type { ReplyInput } from '#shared/inbound/accept-reply.ts';

let h: Harness;
const CP = 'CP-201';

beforeAll(async () => {
  h = await startHarness();
  await createCharger(h.deps, { chargerId: CP });
  await createCharger(h.deps, { chargerId: 'CP-21' });
  await createIdToken(h.deps, { value: 'RFID-1', groupId: 'FLEET', expiresAt: '2030-01-01T00:00:00Z' });
});
afterAll(async () => h?.close());

const call = (action: string, payload: unknown, protocol: OcppProtocol = 'ocpp2.0.1', chargerId = CP) =>
  h.call(chargerId, protocol, action, payload);

const meter = (timestamp: string, wh: number) => [
  { timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] },
];

const txEvent = (eventType: string, seqNo: number, timestamp: string, extra: Record<string, unknown> = {}) => ({
  eventType,
  seqNo,
  timestamp,
  triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
  transactionInfo: { transactionId: 'TX-A', ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}) },
  ...extra,
});

describe('OCPP 2.0.1 messages through the $default handler and DynamoDB Local', () => {
  it('boots and records the station, modem and boot reason', async () => {
    const [, , boot] = await call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'Wallbox-9', vendorName: 'ACME', firmwareVersion: '2.0', modem: { iccid: '8931', imsi: '2620' } },
    });
    expect(boot).toMatchObject({ status: 'Accepted', interval: 300 });
    expect(await h.deps.stores.chargers.get(CP)).toMatchObject({ vendor: 'ACME', model: 'Wallbox-9', iccid: '8931', bootReason: 'PowerUp' });
    const before = Date.now();
    await call('Heartbeat', {});
    // The heartbeat writes only its message-log entry, and that is what "last seen" reads.
    expect(Date.parse((await h.deps.stores.messageLog.lastSeen(CP)) ?? '')).toBeGreaterThanOrEqual(before);
  });

  it('keeps status per EVSE and connector', async () => {
    await call('StatusNotification', { timestamp: '2026-02-01T10:00:00Z', connectorStatus: 'Occupied', evseId: 2, connectorId: 1 });
    expect((await h.deps.stores.connectors.list(CP)).map((c) => [c.evseId, c.connectorId, c.status])).toEqual([[2, 1, 'Occupied']]);
  });

  it('answers Authorize with idTokenInfo in 2.0.1 words', async () => {
    // No cache lifetime set: no cacheExpiryDateTime (the token's own expiry is not one).
    expect((await call('Authorize', { idToken: { idToken: 'RFID-1', type: 'ISO14443' } }))[2]).toEqual({
      idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FLEET', type: 'Central' } },
    });
    expect((await call('Authorize', { idToken: { idToken: 'NOPE', type: 'ISO14443' } }))[2]).toEqual({ idTokenInfo: { status: 'Unknown' } });
  });

  it('merges out-of-order and replayed TransactionEvents into one transaction', async () => {
    const started = txEvent('Started', 0, '2026-02-01T10:00:00Z', {
      idToken: { idToken: 'RFID-1', type: 'ISO14443' },
      evse: { id: 2, connectorId: 1 },
      meterValue: meter('2026-02-01T10:00:00Z', 10_000),
    });
    const updated = txEvent('Updated', 1, '2026-02-01T10:15:00Z', {
      offline: true,
      transactionInfo: { transactionId: 'TX-A', chargingState: 'Charging' },
      meterValue: meter('2026-02-01T10:15:00Z', 14_000),
    });
    const ended = txEvent('Ended', 2, '2026-02-01T10:30:00Z', { meterValue: meter('2026-02-01T10:30:00Z', 18_500) });
    // Offline replay after a reconnect: Ended first, then the rest, then everything again.
    const endedReply = await call('TransactionEvent', ended);
    expect(endedReply[0]).toBe(3);
    const startedReply = await call('TransactionEvent', started);
    expect(startedReply[2]).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    await call('TransactionEvent', updated);
    await Promise.all([started, updated, ended].map((e) => call('TransactionEvent', e)));

    const tx = await h.deps.stores.transactions.get(CP, 'TX-A');
    expect(tx).toMatchObject({
      status: 'ended',
      startedAt: '2026-02-01T10:00:00.000Z',
      endedAt: '2026-02-01T10:30:00.000Z',
      evseId: 2,
      idToken: 'RFID-1',
      stopReason: 'EVDisconnected',
      seqNos: [0, 1, 2],
      meterStartWh: 10_000,
      meterStopWh: 18_500,
      energyWh: 8_500,
      offline: true,
      version: 3,
    });
    expect((await h.deps.stores.transactions.listOfCharger(CP)).items).toHaveLength(1);
    expect(await h.deps.stores.meterValues.listOfTransaction(CP, 'TX-A')).toHaveLength(3);
    // Ended arrived first, but the connector is free at the end.
    expect((await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === 2)?.activeTransactionId).toBeUndefined();
  });

  it('stores meter values outside transactions', async () => {
    expect((await call('MeterValues', { evseId: 2, meterValue: meter('2026-02-01T11:00:00Z', 18_600) }))[0]).toBe(3);
  });

  it('assembles a paged NotifyReport whatever the order of its pages', async () => {
    const page = (seqNo: number, tbc: boolean) => ({
      requestId: 7,
      generatedAt: '2026-02-01T12:00:00Z',
      seqNo,
      tbc,
      reportData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: `V${seqNo}` }, variableAttribute: [{ value: String(seqNo) }] }],
    });
    await call('NotifyReport', page(2, false));
    await call('NotifyReport', page(0, true));
    expect(await assembleReport(h.deps, CP, 'deviceModel', 7)).toMatchObject({ complete: false, missingSeqNos: [1] });
    await call('NotifyReport', page(1, true));
    await call('NotifyReport', page(1, true)); // retried page
    const report = await assembleReport(h.deps, CP, 'deviceModel', 7);
    expect(report).toMatchObject({ complete: true, pages: 3, missingSeqNos: [] });
    expect(report.reportData.map((d) => (d as { variable: { name: string } }).variable.name)).toEqual(['V0', 'V1', 'V2']);
  });

  it('keeps security events, NotifyEvent, firmware and log status on the timeline', async () => {
    await call('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: '2026-02-01T09:00:00Z' });
    await call('NotifyEvent', {
      generatedAt: '2026-02-01T09:01:00Z',
      seqNo: 0,
      eventData: [
        { eventId: 1, timestamp: '2026-02-01T09:01:00Z', trigger: 'Alerting', actualValue: 'true', eventNotificationType: 'HardWiredNotification', component: { name: 'Connector' }, variable: { name: 'Problem' } },
      ],
    });
    await call('FirmwareStatusNotification', { status: 'Installed', requestId: 3 });
    await call('LogStatusNotification', { status: 'Uploaded', requestId: 4 });
    expect((await h.deps.stores.timeline.list(CP)).items.map((e) => e.kind).sort()).toEqual(['FirmwareStatus', 'LogStatus', 'NotifyEvent', 'SecurityEvent']);
    expect(await h.deps.stores.presence.get(CP)).toMatchObject({ firmwareStatus: 'Installed', logStatus: 'Uploaded' });
  });

  it('keeps smart charging notifications on the timeline and tells an ISO 15118 EV that no schedule follows', async () => {
    const cp = 'CP-201-K';
    await createCharger(h.deps, { chargerId: cp });
    const at = (kind: string) => h.deps.stores.timeline.list(cp).then((t) => t.items.filter((e) => e.kind === kind));
    const needs = { evseId: 1, maxScheduleTuples: 3, chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', acChargingParameters: { energyAmount: 20_000, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: 400 } } };
    // K15.FR.03: Accepted promises a schedule; this CSMS sends none.
    expect((await call('NotifyEVChargingNeeds', needs, 'ocpp2.0.1', cp))[2]).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'NoChargingProfile' } });
    expect(await at('EVChargingNeeds')).toEqual([expect.objectContaining({ payload: needs })]);

    const schedule = { timeBase: '2026-02-01T10:00:00Z', evseId: 1, chargingSchedule: { id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] } };
    expect((await call('NotifyEVChargingSchedule', schedule, 'ocpp2.0.1', cp))[2]).toEqual({ status: 'Accepted' });
    expect(await at('EVChargingSchedule')).toEqual([expect.objectContaining({ at: '2026-02-01T10:00:00.000Z', payload: schedule })]);

    const limit = { evseId: 1, chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: false } };
    expect((await call('NotifyChargingLimit', limit, 'ocpp2.0.1', cp))[2]).toEqual({});
    expect((await call('ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId: 1 }, 'ocpp2.0.1', cp))[2]).toEqual({});
    expect(await at('ChargingLimit')).toEqual([expect.objectContaining({ payload: limit })]);
    expect(await at('ChargingLimitCleared')).toHaveLength(1);
  });

  it('answers 2.0.1 frame errors with the 2.0.1 spelling', async () => {
    // A CALL without its payload is not a valid RPC frame (OCPP-J 2.0.1 Part 4 §4.3); 1.6 would say FormationViolation.
    const bad = JSON.parse((await h.send(CP, 'ocpp2.0.1', '[2,"b1","Heartbeat"]')) ?? 'null') as unknown[];
    expect(bad.slice(0, 3)).toEqual([4, 'b1', 'RpcFrameworkError']);
    const badType = JSON.parse((await h.send(CP, 'ocpp2.0.1', '[2,"b3","StatusNotification",{"timestamp":"2026-01-01T00:00:00Z","connectorStatus":"Occupied","evseId":true,"connectorId":1}]')) ?? 'null') as unknown[];
    expect(badType.slice(0, 3)).toEqual([4, 'b3', 'TypeConstraintViolation']);
    const missing = JSON.parse((await h.send(CP, 'ocpp2.0.1', '[2,"b2","Authorize",{}]')) ?? 'null') as unknown[];
    expect(missing.slice(0, 3)).toEqual([4, 'b2', 'OccurrenceConstraintViolation']);
  });
});

describe('OCPP 2.1', () => {
  it('handles the core messages with the 2.1 schemas', async () => {
    const [, , boot] = await call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'V2X', vendorName: 'ACME' } }, 'ocpp2.1', 'CP-21');
    expect(boot).toMatchObject({ status: 'Accepted' });
    // 2.1 widened idToken to 255 characters.
    const long = 'T'.repeat(100);
    expect((await call('Authorize', { idToken: { idToken: long, type: 'Central' } }, 'ocpp2.1', 'CP-21'))[2]).toEqual({ idTokenInfo: { status: 'Unknown' } });
  });
  it("answers an EV's charging needs with 2.1's own NoChargingProfile", async () => {
    const needs = { evseId: 1, timestamp: '2026-02-01T10:00:00Z', chargingNeeds: { requestedEnergyTransfer: 'DC', dcChargingParameters: { evMaxCurrent: 200, evMaxVoltage: 800 } } };
    expect((await call('NotifyEVChargingNeeds', needs, 'ocpp2.1', 'CP-21'))[2]).toEqual({ status: 'NoChargingProfile' });
    const kept = (await h.deps.stores.timeline.list('CP-21')).items.filter((e) => e.kind === 'EVChargingNeeds');
    expect(kept).toEqual([expect.objectContaining({ at: '2026-02-01T10:00:00.000Z', payload: needs })]);
  });

  it('answers the messages only 2.1 has: what the charger tells is kept, what it asks of a service we lack is refused', async () => {
    const cp = 'CP-21-ONLY';
    await createCharger(h.deps, { chargerId: cp });
    const answer = async (action: string, payload: unknown) => (await call(action, payload, 'ocpp2.1', cp))[2];
    expect(await answer('OpenPeriodicEventStream', { constantStreamData: { id: 1, variableMonitoringId: 5, params: { interval: 60 } } })).toEqual({ status: 'Accepted' });
    expect(await answer('ClosePeriodicEventStream', { id: 1 })).toEqual({});
    expect(await answer('NotifyPriorityCharging', { transactionId: 'TX-P', activated: true })).toEqual({});
    const settlement = { transactionId: 'TX-P', pspRef: 'PSP-42', status: 'Settled', settlementAmount: 12.5, settlementTime: '2026-02-01T11:00:00Z' };
    expect(await answer('NotifySettlement', settlement)).toEqual({});
    const swap = { eventType: 'BatteryIn', requestId: 3, idToken: { idToken: 'SWAP-1', type: 'ISO14443' }, batteryData: [{ evseId: 1, serialNumber: 'B-1', soC: 80, soH: 97 }] };
    expect(await answer('BatterySwap', swap)).toEqual({});
    expect(await answer('NotifyDERAlarm', { controlType: 'FreqDroop', timestamp: '2026-02-01T11:05:00Z' })).toEqual({});
    expect(await answer('NotifyDERStartStop', { controlId: 'DER-1', started: true, timestamp: '2026-02-01T11:06:00Z' })).toEqual({});
    const timeline = (await h.deps.stores.timeline.list(cp)).items;
    expect(timeline.map((e) => e.kind).sort()).toEqual(
      ['BatterySwap', 'DERAlarm', 'DERStartStop', 'PeriodicEventStreamClosed', 'PeriodicEventStreamOpened', 'PriorityCharging', 'Settlement'],
    );
    expect(timeline.find((e) => e.kind === 'Settlement')).toMatchObject({ at: '2026-02-01T11:00:00.000Z', payload: settlement });

    const fixedPF = { id: 'PF-1', isDefault: false, isSuperseded: false, fixedPF: { priority: 1, displacement: 0.95, excitation: true } };
    expect(await answer('ReportDERControl', { requestId: 9, tbc: true, fixedPFAbsorb: [fixedPF] })).toEqual({});
    expect(await answer('ReportDERControl', { requestId: 9 })).toEqual({});
    expect(await assembleReport(h.deps, cp, 'derControls', 9)).toMatchObject({ complete: true, pages: 2, reportData: [{ fixedPFAbsorb: [fixedPF] }, {}] });

    expect(await answer('PullDynamicScheduleUpdate', { chargingProfileId: 3 })).toEqual({ status: 'Rejected', statusInfo: { reasonCode: 'NotEnabled' } });
    expect(await answer('VatNumberValidation', { vatNumber: 'NL000099998B57', evseId: 1 })).toEqual({ vatNumber: 'NL000099998B57', evseId: 1, status: 'Rejected', statusInfo: { reasonCode: 'NotEnabled' } });
  });

  it('does not answer a SEND, takes a valid one through its handler and only logs an invalid one', async () => {
    expect(await h.send('CP-21', 'ocpp2.1', '[6,"s1","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2026-01-01T00:00:00Z","data":[]}]')).toBeUndefined();
    const valid = { id: 2, pending: 0, basetime: '2026-01-01T00:05:00Z', data: [{ t: 0, v: '11.5' }] };
    expect(await h.send('CP-21', 'ocpp2.1', JSON.stringify([6, 's2', 'NotifyPeriodicEventStream', valid]))).toBeUndefined();
    const entries = (await h.deps.stores.timeline.list('CP-21')).items.filter((e) => e.kind === 'PeriodicEventStream');
    expect(entries).toEqual([expect.objectContaining({ at: '2026-01-01T00:05:00.000Z', payload: valid })]);
  });

  it('hands a reply to the reply port and logs it with the action it answers', async () => {
    const seen: string[] = [];
    const replies = { accept: async (input: ReplyInput) => (seen.push(input.reply.messageId), { answers: 'Reset' }) };
    const reply = await handleFrame(h.deps, { heartbeatIntervalSeconds: 300, maxSamplesPerMessage: 500, replies }, {
      chargerId: 'CP-21', protocol: 'ocpp2.1', connectionId: 'c-21', raw: '[3,"csms-1",{"status":"Accepted"}]', receivedAt: new Date(),
    });
    expect(reply).toBeUndefined();
    expect(seen).toEqual(['csms-1']);
    const { items: [entry] } = await h.deps.stores.messageLog.list('CP-21', { newestFirst: true, limit: 1 });
    expect(entry).toMatchObject({ messageType: 3, messageId: 'csms-1', answers: 'Reset' });
  });
});

describe('SignCertificate without a certificate signer', () => {
  const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBstation\n-----END CERTIFICATE REQUEST-----';
  const rejected = { status: 'Rejected', statusInfo: { reasonCode: 'NotEnabled', additionalInfo: expect.stringContaining('No certificate signer') } };

  it('answers a 2.0.1 station Rejected with the reason, and keeps its CSR and certificate type', async () => {
    const reply = await call('SignCertificate', { csr: CSR, certificateType: 'V2GCertificate' });
    expect(reply).toEqual([3, expect.any(String), rejected]);
    const { items } = await h.deps.stores.certificateRequests.list(CP);
    expect(items).toEqual([expect.objectContaining({ protocol: 'ocpp2.0.1', messageId: reply[1], csr: CSR, certificateType: 'V2GCertificate' })]);
  });

  it('keeps what 2.1 adds: the request id and the root the certificate is to chain to', async () => {
    const root = { hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '01' };
    const reply = await call('SignCertificate', { csr: CSR, certificateType: 'V2G20Certificate', requestId: 42, hashRootCertificate: root }, 'ocpp2.1', 'CP-21');
    expect(reply).toEqual([3, expect.any(String), rejected]);
    const { items } = await h.deps.stores.certificateRequests.list('CP-21');
    expect(items).toEqual([expect.objectContaining({ protocol: 'ocpp2.1', certificateType: 'V2G20Certificate', requestId: 42, hashRootCertificate: root })]);
  });
});

describe('id tokens identified by value and type', () => {
  it('keeps two tokens with one value and different types apart; 1.6 finds the RFID one by value', async () => {
    await createIdToken(h.deps, { value: 'SAME-1', tokenType: 'ISO14443' });
    await createIdToken(h.deps, { value: 'SAME-1', tokenType: 'eMAID', blocked: true });
    expect((await call('Authorize', { idToken: { idToken: 'SAME-1', type: 'ISO14443' } }))[2]).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect((await call('Authorize', { idToken: { idToken: 'SAME-1', type: 'eMAID' } }))[2]).toEqual({ idTokenInfo: { status: 'Blocked' } });
    expect((await call('Authorize', { idToken: { idToken: 'SAME-1', type: 'Central' } }))[2]).toEqual({ idTokenInfo: { status: 'Unknown' } });
    expect((await h.call(CP, 'ocpp1.6', 'Authorize', { idTag: 'SAME-1' }))[2]).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await h.deps.stores.idTokens.withValue('SAME-1')).toHaveLength(2);
  });
});
