/**
 * OCPP 2.x NotifyReport pages, keyed by requestId and seqNo (a retried page is written once), and a summary
 * item once the last page (tbc = false) has arrived. Plain puts, batched with the message. A report lists
 * every variable, the charger's own password among them: payloads are masked before they are stored.
 */
import type { ReportPage } from '../charger/device-report.ts';
import { redactPayload } from '../log/redact.ts';
import type { StoreContext } from './context.ts';
import { REPORT_SUMMARY_SK, reportPageKey, reportPk, reportSummaryKey, withoutKeys } from './keys.ts';
import { queryAll } from './queries.ts';
import { expiresAfter } from './retention.ts';

export interface StoredReport {
  pages: ReportPage[];
  /** seqNo of the page that said it was the last, once it has arrived. */
  lastSeqNo?: number;
}

export const deviceReportStore = (ctx: StoreContext) => ({
  async recordPage(page: ReportPage): Promise<void> {
    const now = ctx.now();
    const kept = { receivedAt: now.toISOString(), expiresAt: expiresAfter(now, ctx.retention.deviceReportDays) };
    await Promise.all([
      ctx.puts.put(ctx.tables.Csms, {
        ...reportPageKey(page.chargerId, page.requestId, page.seqNo),
        type: 'ReportPage',
        ...page,
        reportData: redactPayload(page.reportData),
        ...kept,
      }),
      page.tbc
        ? undefined
        : ctx.puts.put(ctx.tables.Csms, {
            ...reportSummaryKey(page.chargerId, page.requestId),
            type: 'ReportSummary',
            chargerId: page.chargerId,
            requestId: page.requestId,
            lastSeqNo: page.seqNo,
            ...kept,
          }),
    ]);
  },

  async get(chargerId: string, requestId: number): Promise<StoredReport> {
    const items = await queryAll(ctx, { pk: reportPk(chargerId, requestId) });
    const summary = items.find((i) => i.sk === REPORT_SUMMARY_SK) as { lastSeqNo: number } | undefined;
    const pages = items.filter((i) => i.type === 'ReportPage').map((i) => withoutKeys<ReportPage>(i));
    return { pages, ...(summary ? { lastSeqNo: summary.lastSeqNo } : {}) };
  },
});

export type DeviceReportStore = ReturnType<typeof deviceReportStore>;
