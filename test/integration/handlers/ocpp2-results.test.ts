/**
 * OCPP 2.0.1 / 2.1 messages that carry the results of CSMS requests, through the $default handler and DynamoDB Local:
 * paged reports of every kind (kept apart per kind for one requestId, a retried page written once, pages without a
 * seqNo in order of arrival), a reservation's end (timeline and reservation item) and a local controller's
 * firmware publishing status (timeline).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/handler-harness.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { assembleReport } from '#shared/charger/report.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { reportPk } from '#shared/store/keys.ts';

let h: Harness;
const CP = 'CP-RESULTS-201';
const CP21 = 'CP-RESULTS-21';

beforeAll(async () => {
  h = await startHarness();
  await createCharger(h.deps, { chargerId: CP });
  await createCharger(h.deps, { chargerId: CP21 });
});
afterAll(async () => h?.close());

/** Sends a CALL and expects the empty CALLRESULT every one of these messages is answered with. */
const accepted = async (action: string, payload: unknown, protocol: OcppProtocol = 'ocpp2.0.1', chargerId = CP) => {
  const reply = await h.call(chargerId, protocol, action, payload);
  expect(reply[0], JSON.stringify(reply)).toBe(3);
  expect(reply[2]).toEqual({});
};

const itemsOf = async (pk: string) => (await h.scanCsms()).filter((i) => i.pk === pk);

const monitor = (id: number) => ({
  component: { name: 'EVSE', evse: { id: 1 } },
  variable: { name: 'Power' },
  variableMonitoring: [{ id, transaction: false, value: 22000, type: 'UpperThreshold', severity: 5 }],
});

const profile = (id: number) => ({
  id,
  stackLevel: 0,
  chargingProfilePurpose: 'TxDefaultProfile',
  chargingProfileKind: 'Absolute',
  chargingSchedule: [{ id, chargingRateUnit: 'A', startSchedule: '2026-04-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
});

describe('paged reports', () => {
  it('keeps a monitoring report apart from the device model report of the same requestId; a retried page once', async () => {
    const monitoringPage = (seqNo: number, tbc: boolean) => ({ requestId: 70, seqNo, tbc, generatedAt: '2026-04-01T10:00:00Z', monitor: [monitor(seqNo + 1)] });
    await accepted('NotifyReport', {
      requestId: 70, seqNo: 0, generatedAt: '2026-04-01T09:00:00Z',
      reportData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ value: '300' }] }],
    });
    await accepted('NotifyMonitoringReport', monitoringPage(0, true));
    await accepted('NotifyMonitoringReport', monitoringPage(0, true)); // retried
    expect(await assembleReport(h.deps, CP, 'monitoring', 70)).toMatchObject({ complete: false, pages: 1, missingSeqNos: [] });
    await accepted('NotifyMonitoringReport', monitoringPage(1, false));

    const monitoring = await assembleReport(h.deps, CP, 'monitoring', 70);
    expect(monitoring).toMatchObject({ kind: 'monitoring', complete: true, pages: 2, missingSeqNos: [] });
    expect(monitoring.reportData).toEqual([monitor(1), monitor(2)]);
    const deviceModel = await assembleReport(h.deps, CP, 'deviceModel', 70);
    expect(deviceModel).toMatchObject({ kind: 'deviceModel', complete: true, pages: 1 });
    expect(deviceModel.reportData).toEqual([expect.objectContaining({ variable: { name: 'HeartbeatInterval' } })]);
    // Two pages and a summary; no third page item from the retry.
    expect(await itemsOf(reportPk(CP, 'monitoring', 70))).toHaveLength(3);
  });

  it('assembles customer information from its pages in seqNo order, whatever the order they came in', async () => {
    await accepted('NotifyCustomerInformation', { requestId: 71, seqNo: 1, tbc: false, generatedAt: '2026-04-01T10:00:00Z', data: 'second half' });
    expect(await assembleReport(h.deps, CP, 'customerInformation', 71)).toMatchObject({ complete: false, missingSeqNos: [0] });
    await accepted('NotifyCustomerInformation', { requestId: 71, seqNo: 0, tbc: true, generatedAt: '2026-04-01T10:00:00Z', data: 'first half, ' });
    expect(await assembleReport(h.deps, CP, 'customerInformation', 71)).toMatchObject({ complete: true, reportData: ['first half, ', 'second half'] });
  });

  it('keeps charging profiles (no seqNo) in order of arrival, each with its EVSE and source; a retried page once', async () => {
    const evse1 = { requestId: 72, evseId: 1, chargingLimitSource: 'CSO', chargingProfile: [profile(11)], tbc: true };
    const evse2 = { requestId: 72, evseId: 2, chargingLimitSource: 'EMS', chargingProfile: [profile(12), profile(13)] };
    await accepted('ReportChargingProfiles', evse1);
    await accepted('ReportChargingProfiles', evse1); // retried
    expect(await assembleReport(h.deps, CP, 'chargingProfiles', 72)).toMatchObject({ complete: false, pages: 1 });
    await accepted('ReportChargingProfiles', evse2);
    const report = await assembleReport(h.deps, CP, 'chargingProfiles', 72);
    expect(report).toMatchObject({ complete: true, pages: 2, missingSeqNos: [] });
    expect(report.reportData).toEqual([
      { evseId: 1, chargingLimitSource: 'CSO', chargingProfile: [profile(11)] },
      { evseId: 2, chargingLimitSource: 'EMS', chargingProfile: [profile(12), profile(13)] },
    ]);
  });

  it('takes display messages (no seqNo) from a 2.1 charger, and keeps them apart from its other reports of that requestId', async () => {
    const message = (id: number, content: string) => ({ id, priority: 'NormalCycle', message: { format: 'UTF8', content } });
    const first = { requestId: 73, tbc: true, messageInfo: [message(1, 'Welcome')] };
    await accepted('NotifyDisplayMessages', first, 'ocpp2.1', CP21);
    await accepted('NotifyDisplayMessages', first, 'ocpp2.1', CP21); // retried
    await accepted('NotifyDisplayMessages', { requestId: 73, messageInfo: [message(2, 'Tarif: 0.39 EUR/kWh')] }, 'ocpp2.1', CP21);
    await accepted('ReportChargingProfiles', { requestId: 73, evseId: 0, chargingLimitSource: 'SO', chargingProfile: [profile(14)] }, 'ocpp2.1', CP21);

    const display = await assembleReport(h.deps, CP21, 'displayMessages', 73);
    expect(display).toMatchObject({ complete: true, pages: 2 });
    expect(display.reportData).toEqual([message(1, 'Welcome'), message(2, 'Tarif: 0.39 EUR/kWh')]);
    expect(await assembleReport(h.deps, CP21, 'chargingProfiles', 73)).toMatchObject({ complete: true, pages: 1, reportData: [expect.objectContaining({ evseId: 0 })] });
    expect((await assembleReport(h.deps, CP21, 'monitoring', 73)).pages).toBe(0);
  });

  it('refuses a report page number beyond its six-digit key', async () => {
    const reply = await h.call(CP, 'ocpp2.0.1', 'NotifyMonitoringReport', { requestId: 74, seqNo: 1_000_000, generatedAt: '2026-04-01T10:00:00Z' });
    expect(reply.slice(0, 3)).toEqual([4, expect.any(String), 'PropertyConstraintViolation']);
    expect((await assembleReport(h.deps, CP, 'monitoring', 74)).pages).toBe(0);
  });
});

describe('a reservation ended', () => {
  /** A reservation we issued (POST /reservations records it before its ReserveNow goes). */
  const issued = (chargerId: string, reservationId: number) =>
    h.deps.stores.reservations.createRequested({
      chargerId,
      reservationId,
      expiry: new Date(Date.now() + 3_600_000).toISOString(),
      evseId: 1,
      idToken: 'TAG-RES',
      commandId: `cmd-res-${reservationId}`,
      createdAt: new Date().toISOString(),
      requestedBy: 'test',
    });

  it('keeps a ReservationStatusUpdate on the timeline and its last status on the reservation', async () => {
    await issued(CP, 5);
    await accepted('ReservationStatusUpdate', { reservationId: 5, reservationUpdateStatus: 'Expired' });
    expect(await h.deps.stores.reservations.get(CP, 5)).toMatchObject({ chargerId: CP, reservationId: 5, reportedStatus: 'Expired', reportedAt: expect.any(String) });
    const entries = (await h.deps.stores.timeline.list(CP)).items.filter((e) => e.kind === 'ReservationStatus');
    expect(entries).toEqual([expect.objectContaining({ payload: { reservationId: 5, reservationUpdateStatus: 'Expired' } })]);
  });

  it('keeps a ReservationStatusUpdate of an id we never issued on the timeline only', async () => {
    await accepted('ReservationStatusUpdate', { reservationId: 8, reservationUpdateStatus: 'Removed' });
    expect(await h.deps.stores.reservations.get(CP, 8)).toBeUndefined();
    const entries = (await h.deps.stores.timeline.list(CP)).items.filter((e) => e.kind === 'ReservationStatus');
    expect(entries).toContainEqual(expect.objectContaining({ payload: { reservationId: 8, reservationUpdateStatus: 'Removed' } }));
  });

  it('takes 2.1 NoTransaction, which 2.0.1 does not know', async () => {
    await issued(CP21, 6);
    await issued(CP, 7);
    await accepted('ReservationStatusUpdate', { reservationId: 6, reservationUpdateStatus: 'NoTransaction' }, 'ocpp2.1', CP21);
    expect(await h.deps.stores.reservations.get(CP21, 6)).toMatchObject({ reportedStatus: 'NoTransaction' });
    const refused = await h.call(CP, 'ocpp2.0.1', 'ReservationStatusUpdate', { reservationId: 7, reservationUpdateStatus: 'NoTransaction' });
    expect(refused.slice(0, 3)).toEqual([4, expect.any(String), 'PropertyConstraintViolation']);
    expect(await h.deps.stores.reservations.get(CP, 7)).not.toHaveProperty('reportedStatus');
  });

  it('refuses a negative reservation id (its key has ten digits)', async () => {
    const refused = await h.call(CP, 'ocpp2.0.1', 'ReservationStatusUpdate', { reservationId: -1, reservationUpdateStatus: 'Removed' });
    expect(refused.slice(0, 3)).toEqual([4, expect.any(String), 'PropertyConstraintViolation']);
  });
});

describe('firmware published by a local controller', () => {
  it('keeps PublishFirmwareStatusNotification on the timeline', async () => {
    await accepted('PublishFirmwareStatusNotification', { status: 'Published', location: ['https://lc.local/fw.bin'], requestId: 9 });
    await accepted('PublishFirmwareStatusNotification', { status: 'Downloading', requestId: 10, statusInfo: { reasonCode: 'Busy' } }, 'ocpp2.1', CP21);
    const kinds = async (chargerId: string) => (await h.deps.stores.timeline.list(chargerId)).items.filter((e) => e.kind === 'PublishFirmwareStatus').map((e) => e.payload);
    expect(await kinds(CP)).toEqual([{ status: 'Published', location: ['https://lc.local/fw.bin'], requestId: 9 }]);
    expect(await kinds(CP21)).toEqual([{ status: 'Downloading', requestId: 10, statusInfo: { reasonCode: 'Busy' } }]);
  });
});
