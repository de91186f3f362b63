/**
 * Certificate signing requests a charger sent (SignCertificate), kept for an operator until a signer exists
 * (shared/charger/certificate-request.ts). A plain put, batched with the message; a CSR holds a public key and
 * the charger's subject, nothing secret. Kept as long as the timeline: a charger asks again when it still needs one.
 */
import type { CertificateRequest } from '../charger/certificate-request.ts';
import type { StoreContext } from './context.ts';
import { CERTIFICATE_REQUEST_PREFIX, certificateRequestKey, certificateRequestsPk, withoutKeys } from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';
import { expiresAfter } from './retention.ts';

export const certificateRequestStore = (ctx: StoreContext) => ({
  record(request: CertificateRequest): Promise<void> {
    return ctx.puts.put(ctx.tables.Csms, {
      ...certificateRequestKey(request.chargerId, request.receivedAt, [request.certificateType, request.csr]),
      type: 'CertificateRequest',
      ...request,
      expiresAt: expiresAfter(ctx.now(), ctx.retention.timelineDays),
    });
  },

  /** A charger's requests, newest first unless asked otherwise. */
  list: async (chargerId: string, options: PageOptions = {}): Promise<Page<CertificateRequest>> =>
    mapPage(
      await queryPage(ctx, { pk: certificateRequestsPk(chargerId), beginsWith: CERTIFICATE_REQUEST_PREFIX }, { newestFirst: true, ...options }),
      (i) => withoutKeys<CertificateRequest>(i),
    ),
});

export type CertificateRequestStore = ReturnType<typeof certificateRequestStore>;
