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
  /** In key order (by seqNo where the kind numbers its pages), up to the read limit. */
  pages: StoredReportPage[];
  /** The page that said it was the last (tbc = false) has arrived. */
  lastArrived: boolean;
  /** seqNo of that page, for kinds that number their pages. */
  lastSeqNo?: number;
  /** Pages past the read limit were left unread. */
  cut: boolean;
}

/**
 * What one read of a report takes at most. Lambda answers at most 6 MB: about 4 MiB of entries (as JSON) leave room
 * for the rest. The page count bounds the reads when pages are small (a charger may number them up to 999,999).
 */
export interface ReportReadLimit {
  maxBytes: number;
  maxPages: number;
}
export const REPORT_READ_LIMIT: ReportReadLimit = { maxBytes: 4 * 1024 * 1024, maxPages: 10_000 };

/** Missing page numbers listed in an answer; `missingCount` says how many there are. */
export const MISSING_SEQNOS_LISTED = 100;

export interface AssembledReport {
  chargerId: string;
  kind: ReportKind;
  requestId: number;
  complete: boolean;
  /** The first missing page numbers (at most MISSING_SEQNOS_LISTED), ascending. */
  missingSeqNos: number[];
  /** How many page numbers are missing (with `truncated`: up to the last page read). */
  missingCount: number;
  /** The report was larger than one answer takes: only its first pages (by seqNo where numbered) are in it. */
  truncated: boolean;
  pages: number;
  reportData: unknown[];
}

/**
 * Page order: by seqNo where the charger numbers them; by arrival otherwise (a charger sends its next page only once
 * the previous one is answered, so a retried page still arrives before the next).
 */
const pageOrder = (a: StoredReportPage, b: StoredReportPage): number =>
  a.seqNo !== undefined && b.seqNo !== undefined ? a.seqNo - b.seqNo : a.receivedAt.localeCompare(b.receivedAt);

/**
 * Pure: the page numbers from 0 to `upTo` that are not in `seen`: how many, and the first few. Never walks the whole
 * range (a last page numbered 999,999 alone would be a million numbers): at most one step per listed or seen number.
 */
export const missingPages = (seen: ReadonlySet<number>, upTo: number): { count: number; first: number[] } => {
  let present = 0;
  for (const n of seen) if (n <= upTo) present++;
  const first: number[] = [];
  for (let n = 0; n <= upTo && first.length < MISSING_SEQNOS_LISTED; n++) if (!seen.has(n)) first.push(n);
  return { count: upTo + 1 - present, first };
};

export const assembleReport = async (
  deps: Pick<Ports, 'stores'>,
  chargerId: string,
  kind: ReportKind,
  requestId: number,
  limit: ReportReadLimit = REPORT_READ_LIMIT,
): Promise<AssembledReport> => {
  const { pages, lastArrived, lastSeqNo, cut } = await deps.stores.reports.get(chargerId, kind, requestId, limit);
  const seen = new Set(pages.flatMap((p) => (p.seqNo === undefined ? [] : [p.seqNo])));
  const lastRead = [...seen].reduce((max, n) => Math.max(max, n), -1);
  // Cut: pages past the last one read are unknown, so only numbers before it are known to be missing.
  const upTo = cut ? Math.min(lastSeqNo ?? lastRead, lastRead) : (lastSeqNo ?? lastRead);
  const missing = missingPages(seen, upTo);
  return {
    chargerId,
    kind,
    requestId,
    complete: lastArrived && !cut && missing.count === 0,
    missingSeqNos: missing.first,
    missingCount: missing.count,
    truncated: cut,
    pages: pages.length,
    reportData: [...pages].sort(pageOrder).flatMap((p) => p.reportData),
  };
};
