/**
 * The CloudFront URL signer of plain-HTTP firmware downloads (shared/file/firmware-http.ts), the one module that
 * knows the CloudFront signer library: canned policy, SHA-256, with the key pair the stage's secret holds.
 */
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { FirmwareHttpNotSetUp, type FirmwareHttpSigner, parseSigningKey } from '../file/firmware-http.ts';

/**
 * A signer reading its key through `readSecret` (the AWSCURRENT value; the caller caches it). A key the secret
 * cannot give, or one that cannot sign, is FirmwareHttpNotSetUp with the cause.
 */
export const firmwareHttpSigner =
  (readSecret: () => Promise<string>): FirmwareHttpSigner =>
  async (url, expiresAt) => {
    let value: string;
    try {
      value = await readSecret();
    } catch (error) {
      throw new FirmwareHttpNotSetUp('the signing key secret cannot be read (still the placeholder the stack created?)', { cause: error });
    }
    const key = parseSigningKey(value);
    try {
      return getSignedUrl({ url, keyPairId: key.keyPairId, privateKey: key.privateKey, dateLessThan: expiresAt, algorithm: 'SHA256' });
    } catch (error) {
      throw new FirmwareHttpNotSetUp('the private key in the signing key secret cannot sign', { cause: error });
    }
  };
