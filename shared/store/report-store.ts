/**
 * OCPP 2.x report pages (device model, monitoring, customer information, display messages, charging profiles), one
 * partition per kind and requestId: a page keyed by its seqNo, or by its content where the message has none, so a
 * retried page is written once; and a summary item once the last page (tbc = false) has arrived. Plain puts,
 * batched with the message. A device model report lists every variable, the charger's own password among them:
 * payloads are masked before they are stored.
 */
import type { ReportKind, ReportPage, StoredReport, StoredReportPage } from '../charger/report.ts';
import { redactPayload } from '../log/redact.ts';
import type { StoreContext } from './context.ts';
import { REPORT_SUMMARY_SK, reportPageKey, reportPk, reportSummaryKey, unnumberedReportPageKey, withoutKeys } from './keys.ts';
import { queryAll } from './queries.ts';
import { expiresAfter } from './retention.ts';

const pageKey = (page: ReportPage) =>
  page.seqNo === undefined
    ? unnumberedReportPageKey(page.chargerId, page.kind, page.requestId, [page.tbc, page.reportData])
    : reportPageKey(page.chargerId, page.kind, page.requestId, page.seqNo);

export const reportStore = (ctx: StoreContext) => ({
  async recordPage(page: ReportPage): Promise<void> {
    const now = ctx.now();
    const kept = { receivedAt: now.toISOString(), expiresAt: expiresAfter(now, ctx.retention.deviceReportDays) };
    await Promise.all([
      ctx.puts.put(ctx.tables.Csms, {
        ...pageKey(page),
        type: 'ReportPage',
        ...page,
        reportData: redactPayload(page.reportData),
        ...kept,
      }),
      page.tbc
        ? undefined
        : ctx.puts.put(ctx.tables.Csms, {
            ...reportSummaryKey(page.chargerId, page.kind, page.requestId),
            type: 'ReportSummary',
            chargerId: page.chargerId,
            kind: page.kind,
            requestId: page.requestId,
            ...(page.seqNo === undefined ? {} : { lastSeqNo: page.seqNo }),
            ...kept,
          }),
    ]);
  },

  async get(chargerId: string, kind: ReportKind, requestId: number): Promise<StoredReport> {
    const items = await queryAll(ctx, { pk: reportPk(chargerId, kind, requestId) });
    const summary = items.find((i) => i.sk === REPORT_SUMMARY_SK) as { lastSeqNo?: number } | undefined;
    // Device model pages stored before there were kinds have no `kind`: their partition says it.
    const pages = items.filter((i) => i.type === 'ReportPage').map((i) => ({ ...withoutKeys<StoredReportPage>(i), kind }));
    return { pages, lastArrived: summary !== undefined, ...(summary?.lastSeqNo === undefined ? {} : { lastSeqNo: summary.lastSeqNo }) };
  },
});

export type ReportStore = ReturnType<typeof reportStore>;
