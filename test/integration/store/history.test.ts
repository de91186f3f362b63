/**
 * NotifyReport pages (a summary once the last page arrived; payloads masked) and the message log (frames
 * masked before they are stored; the newest inbound frame is when the charger was last heard from).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportPage } from '#shared/charger/device-report.ts';
import { messageLogPk, reportPk, reportSummaryKey } from '#shared/store/keys.ts';
import { openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const page = (chargerId: string, seqNo: number, tbc: boolean, reportData: unknown[] = []): ReportPage => ({
  chargerId,
  requestId: 42,
  seqNo,
  generatedAt: '2026-01-01T10:00:00.000Z',
  tbc,
  reportData,
});

describe('device report store', () => {
  it('writes the summary only once the last page (tbc false) has arrived', async () => {
    const cp = 'CP-REPORT';
    const reports = f.deps.stores.deviceReports;
    await reports.recordPage(page(cp, 0, true));
    expect(await f.item('Csms', reportSummaryKey(cp, 42))).toBeUndefined();
    expect(await reports.get(cp, 42)).toMatchObject({ pages: [{ seqNo: 0 }] });
    expect(await reports.get(cp, 42)).not.toHaveProperty('lastSeqNo');

    await reports.recordPage(page(cp, 1, false));
    expect(await f.item('Csms', reportSummaryKey(cp, 42))).toMatchObject({ chargerId: cp, requestId: 42, lastSeqNo: 1 });
    const report = await reports.get(cp, 42);
    expect(report.lastSeqNo).toBe(1);
    expect(report.pages.map((p) => p.seqNo)).toEqual([0, 1]);
  });

  it('stores a page sent again once', async () => {
    const cp = 'CP-REPORT-AGAIN';
    const reports = f.deps.stores.deviceReports;
    await reports.recordPage(page(cp, 0, false));
    await reports.recordPage(page(cp, 0, false));
    expect(await f.partition('Csms', reportPk(cp, 42))).toHaveLength(2); // the page and the summary
  });

  it("masks the charger's password in a reported variable", async () => {
    const cp = 'CP-REPORT-SECRET';
    const secret = { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, variableAttribute: [{ type: 'Actual', value: 'hunter2-secret' }] };
    await f.deps.stores.deviceReports.recordPage(page(cp, 0, false, [secret]));
    const stored = await f.partition('Csms', reportPk(cp, 42));
    expect(JSON.stringify(stored)).not.toContain('hunter2-secret');
    expect((await f.deps.stores.deviceReports.get(cp, 42)).pages[0]?.reportData).toEqual([{ ...secret, variableAttribute: [{ type: 'Actual', value: '***' }] }]);
  });
});

describe('message log store', () => {
  it('masks secrets in the frame and in the reply before storing them', async () => {
    const cp = 'CP-LOG-SECRET';
    await f.deps.stores.messageLog.append({
      chargerId: cp,
      connectionId: 'c-1',
      direction: 'in',
      raw: JSON.stringify([2, 'm-1', 'DataTransfer', { vendorId: 'V', data: { password: 'plain-secret-1' } }]),
      at: new Date('2026-01-01T10:00:00.000Z'),
      reply: { raw: JSON.stringify([3, 'm-1', { status: 'Accepted', data: { password: 'plain-secret-2' } }]), at: new Date('2026-01-01T10:00:00.050Z') },
    });
    const stored = await f.partition('MessageLog', messageLogPk(cp));
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toMatch(/plain-secret/);
    const [frame] = (await f.deps.stores.messageLog.list(cp)).items;
    expect(frame).toMatchObject({ chargerId: cp, direction: 'in', messageType: 2, messageId: 'm-1', action: 'DataTransfer', repliedAt: '2026-01-01T10:00:00.050Z' });
    expect(JSON.parse(frame?.frame ?? '[]')).toEqual([2, 'm-1', 'DataTransfer', { vendorId: 'V', data: { password: '***' } }]);
  });

  it("gives the time of the newest inbound frame as when the charger was last seen, not an outbound one's", async () => {
    const cp = 'CP-LOG-SEEN';
    const log = f.deps.stores.messageLog;
    expect(await log.lastSeen(cp)).toBeUndefined();
    const frame = (direction: 'in' | 'out', at: string, id: string) =>
      log.append({ chargerId: cp, connectionId: 'c-1', direction, raw: JSON.stringify([2, id, 'Heartbeat', {}]), at: new Date(at) });
    await frame('in', '2026-01-01T10:05:00.000Z', 'm-2');
    await frame('in', '2026-01-01T10:00:00.000Z', 'm-1');
    await frame('out', '2026-01-01T10:07:00.000Z', 'm-3');
    expect(await log.lastSeen(cp)).toBe('2026-01-01T10:05:00.000Z');
  });
});
