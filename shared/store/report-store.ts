/**
 * OCPP 2.x report pages (device model, monitoring, customer information, display messages, charging profiles), one
 * partition per kind and requestId: a page keyed by its seqNo, or by its content where the message has none, so a
 * retried page is written once; and a summary item once the last page (tbc = false) has arrived. Plain puts,
 * batched with the message. A device model report lists every variable, the charger's own password among them:
 * payloads are masked before they are stored.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { REPORT_READ_LIMIT, type ReportKind, type ReportPage, type ReportReadLimit, type StoredReport, type StoredReportPage } from '../charger/report.ts';
import { redactPayload } from '../log/redact.ts';
import type { StoreContext } from './context.ts';
import type { Item } from './dynamo.ts';
import { REPORT_PAGE_PREFIX, reportPageKey, reportPk, reportSummaryKey, unnumberedReportPageKey, withoutKeys } from './keys.ts';
import { queryPage } from './queries.ts';
import { expiresAfter } from './retention.ts';

const pageKey = (page: ReportPage) =>
  page.seqNo === undefined
    ? unnumberedReportPageKey(page.chargerId, page.kind, page.requestId, [page.tbc, page.reportData])
    : reportPageKey(page.chargerId, page.kind, page.requestId, page.seqNo);

/** A page's share of the answer: its entries as JSON. */
const answerBytes = (item: Item) => Buffer.byteLength(JSON.stringify(item.reportData ?? []));

/** The report's pages in key order until `limit` is reached; `cut` when pages were left unread. */
const readPages = async (ctx: StoreContext, pk: string, limit: ReportReadLimit): Promise<{ items: Item[]; cut: boolean }> => {
  const items: Item[] = [];
  let bytes = 0;
  let cursor: string | undefined;
  do {
    const page = await queryPage(ctx, { pk, beginsWith: REPORT_PAGE_PREFIX }, { limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      const size = answerBytes(item);
      if (items.length >= limit.maxPages || bytes + size > limit.maxBytes) return { items, cut: true };
      items.push(item);
      bytes += size;
    }
    cursor = page.cursor;
  } while (cursor);
  return { items, cut: false };
};

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

  /**
   * The summary (GetItem) beside the pages in key order (Query), both at once; the pages up to `limit`, so a report
   * of any size is read in bounded time and memory.
   */
  async get(chargerId: string, kind: ReportKind, requestId: number, limit: ReportReadLimit = REPORT_READ_LIMIT): Promise<StoredReport> {
    const [summaryOut, read] = await Promise.all([
      ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: reportSummaryKey(chargerId, kind, requestId) })),
      readPages(ctx, reportPk(chargerId, kind, requestId), limit),
    ]);
    const summary = summaryOut.Item as { lastSeqNo?: number } | undefined;
    // Device model pages stored before there were kinds have no `kind`: their partition says it.
    const pages = read.items.map((i) => ({ ...withoutKeys<StoredReportPage>(i), kind }));
    return { pages, lastArrived: summary !== undefined, ...(summary?.lastSeqNo === undefined ? {} : { lastSeqNo: summary.lastSeqNo }), cut: read.cut };
  },
});

export type ReportStore = ReturnType<typeof reportStore>;
