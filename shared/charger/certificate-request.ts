/**
 * Certificate signing requests: a charger's SignCertificate (1.6 security extension, 2.0.1 A02/A03, 2.1). The
 * platform has no certificate authority yet, so nothing signs the CSR here. It is kept for an operator, who can
 * sign it out of band and send the chain with CertificateSigned through the command API, and the charger is
 * answered Rejected, so it does not wait for a CertificateSigned that nothing will send on its own.
 */
import type { Ports, UnitOfWork } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';

/** A certificate of the charger's trust store, by hashes (OCPP CertificateHashDataType). */
export interface CertificateHash {
  hashAlgorithm: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

export interface CertificateRequest {
  chargerId: string;
  protocol: OcppProtocol;
  messageId: string;
  receivedAt: string;
  /** PEM-encoded PKCS#10 request, as the charger sent it. */
  csr: string;
  /**
   * 2.x: `ChargingStationCertificate`, `V2GCertificate` (2.1 also `V2G20Certificate`); absent means both uses. 1.6
   * has no field: its CSR is always for the charge point certificate.
   */
  certificateType?: string;
  /** 2.1: the id CertificateSigned must carry back. */
  requestId?: number;
  /** 2.1: the root the certificate is to chain to. */
  hashRootCertificate?: CertificateHash;
}

/** Why a 2.x charger's request is rejected (StatusInfoType: reasonCode string[20], additionalInfo string[512]). */
export const NO_SIGNER_STATUS_INFO = {
  reasonCode: 'NotEnabled',
  additionalInfo: 'No certificate signer is configured; the CSR is kept for an operator to sign.',
} as const;

/** Keeps the CSR (it joins the message's batch) and logs it; the answer is always Rejected, see above. */
export async function receiveCertificateRequest(
  work: Pick<UnitOfWork, 'stores'> & Pick<Ports, 'log'>,
  request: CertificateRequest,
): Promise<'Rejected'> {
  await work.stores.certificateRequests.record(request);
  const { chargerId, messageId, protocol, certificateType, requestId } = request;
  work.log.warn('SignCertificate rejected: no certificate signer is configured; CSR kept for an operator',
    { chargerId, messageId, protocol, certificateType, requestId });
  return 'Rejected';
}
