/**
 * Report pages (a summary once the last page arrived; payloads masked; kinds apart; pages without a seqNo by
 * content, in order of arrival) and the message log (frames masked before they are stored; the newest inbound
 * frame is when the charger was last heard from).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleReport, type ReportPage } from '#shared/charger/report.ts';
import { messageLogPk, reportPk, reportSummaryKey } from '#shared/store/keys.ts';
import { currentSecond, depsAt, openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const page = (chargerId: string, seqNo: number, tbc: boolean, reportData: unknown[] = []): ReportPage => ({
  chargerId,
  kind: 'deviceModel',
  requestId: 42,
  seqNo,
  generatedAt: '2026-01-01T10:00:00.000Z',
  tbc,
  reportData,
});

describe('report store', () => {
  it('writes the summary only once the last page (tbc false) has arrived', async () => {
    const cp = 'CP-REPORT';
    const reports = f.deps.stores.reports;
    await reports.recordPage(page(cp, 0, true));
    expect(await f.item('Csms', reportSummaryKey(cp, 'deviceModel', 42))).toBeUndefined();
    expect(await reports.get(cp, 'deviceModel', 42)).toMatchObject({ pages: [{ seqNo: 0 }] });
    expect(await reports.get(cp, 'deviceModel', 42)).not.toHaveProperty('lastSeqNo');

    await reports.recordPage(page(cp, 1, false));
    expect(await f.item('Csms', reportSummaryKey(cp, 'deviceModel', 42))).toMatchObject({ chargerId: cp, requestId: 42, lastSeqNo: 1 });
    const report = await reports.get(cp, 'deviceModel', 42);
    expect(report.lastSeqNo).toBe(1);
    expect(report.pages.map((p) => p.seqNo)).toEqual([0, 1]);
  });

  it('reads pages in seqNo order up to the limit, says it cut, and counts as missing only numbers before the cut', async () => {
    const cp = 'CP-REPORT-CUT';
    const reports = f.deps.stores.reports;
    for (const seqNo of [0, 2, 3, 4, 7]) await reports.recordPage(page(cp, seqNo, seqNo !== 7, [{ seqNo, text: 'abcdefghij' }]));
    // Every page fits (the summary is read beside the pages, whatever the limit).
    expect(await assembleReport(f.deps, cp, 'deviceModel', 42)).toMatchObject({ complete: false, truncated: false, pages: 5, missingSeqNos: [1, 5, 6], missingCount: 3 });
    // Three pages at most: 0, 2, 3; 1 is known to be missing, 5 and 6 are past the cut.
    const byPages = await assembleReport(f.deps, cp, 'deviceModel', 42, { maxBytes: 1_000_000, maxPages: 3 });
    expect(byPages).toMatchObject({ complete: false, truncated: true, pages: 3, missingSeqNos: [1], missingCount: 1 });
    expect(byPages.reportData).toEqual([0, 2, 3].map((seqNo) => ({ seqNo, text: 'abcdefghij' })));
    // A byte budget of two pages' entries.
    const pageBytes = JSON.stringify([{ seqNo: 0, text: 'abcdefghij' }]).length;
    expect(await assembleReport(f.deps, cp, 'deviceModel', 42, { maxBytes: 2 * pageBytes, maxPages: 100 })).toMatchObject({ truncated: true, pages: 2, missingSeqNos: [1] });
    // The summary still says the last page arrived: complete only when nothing was cut and nothing is missing.
    expect((await reports.get(cp, 'deviceModel', 42, { maxBytes: 1_000_000, maxPages: 1 })).lastSeqNo).toBe(7);
  });

  it('stores a page sent again once', async () => {
    const cp = 'CP-REPORT-AGAIN';
    const reports = f.deps.stores.reports;
    await reports.recordPage(page(cp, 0, false));
    await reports.recordPage(page(cp, 0, false));
    expect(await f.partition('Csms', reportPk(cp, 'deviceModel', 42))).toHaveLength(2); // the page and the summary
  });

  it("masks the charger's password in a reported variable", async () => {
    const cp = 'CP-REPORT-SECRET';
    const secret = { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, variableAttribute: [{ type: 'Actual', value: 'hunter2-secret' }] };
    await f.deps.stores.reports.recordPage(page(cp, 0, false, [secret]));
    const stored = await f.partition('Csms', reportPk(cp, 'deviceModel', 42));
    expect(JSON.stringify(stored)).not.toContain('hunter2-secret');
    expect((await f.deps.stores.reports.get(cp, 'deviceModel', 42)).pages[0]?.reportData).toEqual([{ ...secret, variableAttribute: [{ type: 'Actual', value: '***' }] }]);
  });

  it('keeps a device model report under the key it had before kinds, and a report of another kind apart', async () => {
    const cp = 'CP-REPORT-KINDS';
    await f.deps.stores.reports.recordPage(page(cp, 0, false, [{ from: 'NotifyReport' }]));
    await f.deps.stores.reports.recordPage({ ...page(cp, 0, false, [{ from: 'NotifyMonitoringReport' }]), kind: 'monitoring' });
    // The partition NotifyReport pages were written to before reports had kinds: no migration.
    const deviceModel = await f.partition('Csms', `REPORT#${cp}#42`);
    expect(deviceModel.map((i) => i.sk).sort()).toEqual(['PAGE#000000', 'SUMMARY']);
    expect(deviceModel.find((i) => i.sk === 'PAGE#000000')).toMatchObject({ reportData: [{ from: 'NotifyReport' }] });
    expect((await f.deps.stores.reports.get(cp, 'monitoring', 42)).pages.map((p) => p.reportData)).toEqual([[{ from: 'NotifyMonitoringReport' }]]);
  });

  it('keeps pages without a seqNo by content (a retry once) and assembles them in order of arrival', async () => {
    const cp = 'CP-REPORT-UNNUMBERED';
    const t0 = currentSecond().getTime();
    const at = (seconds: number) => depsAt(f, new Date(t0 + seconds * 1000));
    const unnumbered = (requestId: number, name: string, tbc: boolean): ReportPage => ({ chargerId: cp, kind: 'displayMessages', requestId, tbc, reportData: [name] });
    // Whichever page's content key sorts first, arrival decides: A then B for one request, B then A for the other.
    for (const [requestId, first, second] of [[1, 'A', 'B'], [2, 'B', 'A']] as const) {
      await at(1).stores.reports.recordPage(unnumbered(requestId, first, true));
      await at(2).stores.reports.recordPage(unnumbered(requestId, first, true)); // retried before the next page
      expect(await assembleReport(at(2), cp, 'displayMessages', requestId)).toMatchObject({ complete: false, pages: 1 });
      await at(3).stores.reports.recordPage(unnumbered(requestId, second, false));
      expect(await assembleReport(at(3), cp, 'displayMessages', requestId)).toEqual({
        chargerId: cp, kind: 'displayMessages', requestId, complete: true, missingSeqNos: [], missingCount: 0, truncated: false, pages: 2, reportData: [first, second],
      });
      expect(await f.partition('Csms', reportPk(cp, 'displayMessages', requestId))).toHaveLength(3); // two pages and the summary
    }
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
