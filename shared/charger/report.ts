/**
 * OCPP 2.x reports a charger sends in pages for one requestId (tbc = true until the last): the device model
 * (NotifyReport), monitors (NotifyMonitoringReport), customer information (NotifyCustomerInformation), display
 * messages (NotifyDisplayMessages), charging profiles (ReportChargingProfiles) and 2.1 DER controls (ReportDERControl).
 * Each page is stored as it comes (shared/store/report-store.ts), apart per kind. Kinds whose messages carry a seqNo
 * (0..n) are complete when the last page has arrived and no seqNo before it is missing; the others (display messages,
 * charging profiles, DER controls) have
 * no page numbers, so their pages are kept in order of arrival and the report is complete once the last arrived.
 */
import type { Ports } from '../deps.ts';

export const REPORT_KINDS = ['deviceModel', 'monitoring', 'customerInformation', 'displayMessages', 'chargingProfiles', 'derControls'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportPage {
  chargerId: string;
  kind: ReportKind;
  requestId: number;
  /** The charger's page number; absent where the message has none (display messages, charging profiles). */
  seqNo?: number;
  /** When the charger generated the report; absent where the message does not say. */
  generatedAt?: string;
  tbc: boolean;
  /** The page's entries: report data, monitors, customer data, message infos, or charging profiles with their EVSE. */
  reportData: unknown[];
}

export interface StoredReportPage extends ReportPage {
  /** When the page (or its latest retry) arrived: the order of pages without a seqNo. */
  receivedAt: string;
}

export interface StoredReport {
  pages: StoredReportPage[];
  /** The page that said it was the last (tbc = false) has arrived. */
  lastArrived: boolean;
  /** seqNo of that page, for kinds that number their pages. */
  lastSeqNo?: number;
}

export interface AssembledReport {
  chargerId: string;
  kind: ReportKind;
  requestId: number;
  complete: boolean;
  missingSeqNos: number[];
  pages: number;
  reportData: unknown[];
}

/**
 * Page order: by seqNo where the charger numbers them; by arrival otherwise (a charger sends its next page only once
 * the previous one is answered, so a retried page still arrives before the next).
 */
const pageOrder = (a: StoredReportPage, b: StoredReportPage): number =>
  a.seqNo !== undefined && b.seqNo !== undefined ? a.seqNo - b.seqNo : a.receivedAt.localeCompare(b.receivedAt);

export const assembleReport = async (
  deps: Pick<Ports, 'stores'>,
  chargerId: string,
  kind: ReportKind,
  requestId: number,
): Promise<AssembledReport> => {
  const { pages, lastArrived, lastSeqNo } = await deps.stores.reports.get(chargerId, kind, requestId);
  const seen = new Set(pages.flatMap((p) => (p.seqNo === undefined ? [] : [p.seqNo])));
  const last = lastSeqNo ?? Math.max(-1, ...seen);
  const missingSeqNos = Array.from({ length: last + 1 }, (_, i) => i).filter((n) => !seen.has(n));
  return {
    chargerId,
    kind,
    requestId,
    complete: lastArrived && missingSeqNos.length === 0,
    missingSeqNos,
    pages: pages.length,
    reportData: [...pages].sort(pageOrder).flatMap((p) => p.reportData),
  };
};
