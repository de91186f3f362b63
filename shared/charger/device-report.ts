/**
 * OCPP 2.x NotifyReport arrives in pages (seqNo 0..n, tbc=true until the last). Each page is stored as it
 * comes (shared/store/device-report-store.ts); the report is complete when the last page has arrived and no
 * seqNo before it is missing.
 */
import type { Ports } from '../deps.ts';

export interface ReportPage {
  chargerId: string;
  requestId: number;
  seqNo: number;
  generatedAt: string;
  tbc: boolean;
  reportData: unknown[];
}

export interface AssembledReport {
  chargerId: string;
  requestId: number;
  complete: boolean;
  missingSeqNos: number[];
  pages: number;
  reportData: unknown[];
}

export const assembleReport = async (deps: Pick<Ports, 'stores'>, chargerId: string, requestId: number): Promise<AssembledReport> => {
  const { pages, lastSeqNo } = await deps.stores.deviceReports.get(chargerId, requestId);
  const seen = new Set(pages.map((p) => p.seqNo));
  const last = lastSeqNo ?? Math.max(-1, ...seen);
  const missingSeqNos = Array.from({ length: last + 1 }, (_, i) => i).filter((n) => !seen.has(n));
  return {
    chargerId,
    requestId,
    complete: lastSeqNo !== undefined && missingSeqNos.length === 0,
    missingSeqNos,
    pages: pages.length,
    reportData: [...pages].sort((a, b) => a.seqNo - b.seqNo).flatMap((p) => p.reportData),
  };
};
