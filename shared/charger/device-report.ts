/**
 * OCPP 2.x NotifyReport arrives in pages (seqNo 0..n, tbc=true until the last). Each page is stored as
 * it comes, keyed by requestId and seqNo (a retried page is written once); the report is complete when
 * the last page has arrived and no seqNo before it is missing.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../store/queries.ts';
import { redactPayload } from '../log/redact.ts';
import type { StoreDeps } from '../deps.ts';
import { REPORT_SUMMARY_SK, reportPageSk, reportPk } from '../store/keys.ts';

export interface ReportPage {
  chargerId: string;
  requestId: number;
  seqNo: number;
  generatedAt: string;
  tbc: boolean;
  reportData: unknown[];
}

export const storeReportPage = async (deps: StoreDeps, page: ReportPage): Promise<void> => {
  const pk = reportPk(page.chargerId, page.requestId);
  const receivedAt = deps.now().toISOString();
  const writes = [
    deps.db.send(
      new PutCommand({
        TableName: deps.tables.csms,
        // A report lists every variable, the charger's own password among them.
        Item: { pk, sk: reportPageSk(page.seqNo), type: 'ReportPage', ...page, reportData: redactPayload(page.reportData), receivedAt },
      }),
    ),
  ];
  if (!page.tbc) {
    writes.push(
      deps.db.send(
        new PutCommand({
          TableName: deps.tables.csms,
          Item: {
            pk,
            sk: REPORT_SUMMARY_SK,
            type: 'ReportSummary',
            chargerId: page.chargerId,
            requestId: page.requestId,
            lastSeqNo: page.seqNo,
            receivedAt,
          },
        }),
      ),
    );
  }
  await Promise.all(writes);
};

export interface AssembledReport {
  chargerId: string;
  requestId: number;
  complete: boolean;
  missingSeqNos: number[];
  pages: number;
  reportData: unknown[];
}

export const assembleReport = async (deps: StoreDeps, chargerId: string, requestId: number): Promise<AssembledReport> => {
  const items = await queryAll(deps, { pk: reportPk(chargerId, requestId) });
  const summary = items.find((i) => i.sk === REPORT_SUMMARY_SK) as { lastSeqNo: number } | undefined;
  const pages = items.filter((i) => i.type === 'ReportPage') as unknown as ReportPage[];
  const seen = new Set(pages.map((p) => p.seqNo));
  const last = summary?.lastSeqNo ?? Math.max(-1, ...seen);
  const missingSeqNos = Array.from({ length: last + 1 }, (_, i) => i).filter((n) => !seen.has(n));
  return {
    chargerId,
    requestId,
    complete: summary !== undefined && missingSeqNos.length === 0,
    missingSeqNos,
    pages: pages.length,
    reportData: pages.sort((a, b) => a.seqNo - b.seqNo).flatMap((p) => p.reportData),
  };
};
