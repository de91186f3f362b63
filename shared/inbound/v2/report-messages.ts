/**
 * OCPP 2.0.1 / 2.1 reports a charger sends in pages for one requestId, in answer to a CSMS request (GetBaseReport /
 * GetReport, GetMonitoringReport, CustomerInformation, GetDisplayMessages, GetChargingProfiles): each page is kept
 * under its report's kind (charger/report.ts), answered with an empty object.
 */
import type { ActionSpec, Ocpp2ActionSpec, Ocpp2Request } from '../types.ts';
import { utc } from '../types.ts';
import type { ReportKind } from '../../charger/report.ts';

interface PageFacts {
  seqNo?: number;
  generatedAt?: string;
  reportData: unknown[];
}

/** Every paged report message names its request and whether more pages follow. */
export const reportPages = <R extends { requestId: number; tbc?: boolean }>(
  kind: ReportKind,
  facts: (p: R) => PageFacts,
): ActionSpec<R, Record<string, never>> => ({
  async handle(ctx, p) {
    const { seqNo, generatedAt, reportData } = facts(p);
    await ctx.stores.reports.recordPage({
      chargerId: ctx.chargerId,
      kind,
      requestId: p.requestId,
      ...(seqNo === undefined ? {} : { seqNo }),
      ...(generatedAt === undefined ? {} : { generatedAt: utc(generatedAt, ctx) }),
      tbc: p.tbc ?? false,
      reportData,
    });
    return {};
  },
});

export const notifyReport: Ocpp2ActionSpec<'NotifyReport'> = reportPages<Ocpp2Request<'NotifyReport'>>('deviceModel', (p) => ({
  seqNo: p.seqNo,
  generatedAt: p.generatedAt,
  reportData: p.reportData ?? [],
}));

export const notifyMonitoringReport: Ocpp2ActionSpec<'NotifyMonitoringReport'> = reportPages<Ocpp2Request<'NotifyMonitoringReport'>>('monitoring', (p) => ({
  seqNo: p.seqNo,
  generatedAt: p.generatedAt,
  reportData: p.monitor ?? [],
}));

/** Each page carries one piece of the customer's data (text); the report is the pieces in order. */
export const notifyCustomerInformation: Ocpp2ActionSpec<'NotifyCustomerInformation'> = reportPages<Ocpp2Request<'NotifyCustomerInformation'>>(
  'customerInformation',
  (p) => ({ seqNo: p.seqNo, generatedAt: p.generatedAt, reportData: [p.data] }),
);

/** No seqNo, no time: pages in order of arrival. */
export const notifyDisplayMessages: Ocpp2ActionSpec<'NotifyDisplayMessages'> = reportPages<Ocpp2Request<'NotifyDisplayMessages'>>('displayMessages', (p) => ({
  reportData: p.messageInfo ?? [],
}));

/**
 * No seqNo, no time: pages in order of arrival. A message holds the profiles of one EVSE from one source, so a
 * page's one entry keeps them together with both.
 */
export const reportChargingProfiles: Ocpp2ActionSpec<'ReportChargingProfiles'> = reportPages<Ocpp2Request<'ReportChargingProfiles'>>(
  'chargingProfiles',
  (p) => ({ reportData: [{ evseId: p.evseId, chargingLimitSource: p.chargingLimitSource, chargingProfile: p.chargingProfile }] }),
);
