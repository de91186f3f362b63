/**
 * Plain-HTTP firmware downloads, for chargers that cannot do HTTPS (docs/files.md). A CloudFront distribution in
 * front of the file endpoint accepts `http://` for GET and HEAD of `/firmware/<token>/<name>`; its viewer-request
 * function passes the viewer's Host on as FIRMWARE_HTTP_HOST_HEADER. The file endpoint checks the token as for an
 * HTTPS download and, seeing the header, redirects to a CloudFront signed URL of the image on that same host, which
 * the distribution serves from the files bucket (origin access control) only with a valid signature.
 */

/** Set by the distribution's viewer-request function from the viewer's Host; the origin never sees the Host itself. */
export const FIRMWARE_HTTP_HOST_HEADER = 'x-firmware-http-host';

/**
 * The distribution's behaviour for the images themselves: an image's key is `firmware/<file id, a UUID>/<name>`,
 * while a download token (43 characters) never fills the 36 characters before the slash.
 */
export const FIRMWARE_IMAGE_PATH_PATTERN = '/firmware/????????-????-????-????-????????????/*';

/** What the signing key secret holds (put by the operator, docs/files.md): the CloudFront public key's id and its private key. */
export interface FirmwareHttpSigningKey {
  readonly keyPairId: string;
  readonly privateKey: string;
}

const KEY_PAIR_ID = /^K[A-Z0-9]{5,}$/;

/** The stage cannot sign plain-HTTP downloads: its signing key secret is unset (the placeholder) or unreadable. */
export class FirmwareHttpNotSetUp extends Error {
  constructor(detail: string, options?: ErrorOptions) {
    super(`Plain-HTTP firmware downloads are not set up: ${detail}`, options);
    this.name = 'FirmwareHttpNotSetUp';
  }
}

/** The key as the secret holds it; throws FirmwareHttpNotSetUp naming what is wrong (never the value). */
export const parseSigningKey = (secretValue: string): FirmwareHttpSigningKey => {
  let json: unknown;
  try {
    json = JSON.parse(secretValue);
  } catch (error) {
    throw new FirmwareHttpNotSetUp('the signing key secret is not JSON {"keyPairId":…,"privateKey":…}', { cause: error });
  }
  const { keyPairId, privateKey } = (typeof json === 'object' && json !== null ? json : {}) as Partial<Record<string, unknown>>;
  const problems = [
    ...(typeof keyPairId === 'string' && KEY_PAIR_ID.test(keyPairId) ? [] : ['keyPairId is not a CloudFront public key id (K…)']),
    ...(typeof privateKey === 'string' && privateKey.includes('PRIVATE KEY-----') ? [] : ['privateKey is not a PEM private key']),
  ];
  if (problems.length > 0) throw new FirmwareHttpNotSetUp(`the signing key secret: ${problems.join('; ')}`);
  return { keyPairId: keyPairId as string, privateKey: privateKey as string };
};

/** Signs `url` (canned policy, SHA-256) for CloudFront until `expiresAt`. */
export type FirmwareHttpSigner = (url: string, expiresAt: Date) => Promise<string>;

/** A Host a viewer may send: a DNS name or address, an optional port; nothing that could end the URL's authority. */
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

/**
 * The plain-HTTP URL of an image on the distribution the request came through, for signing: the path is the object's
 * key, each segment percent-encoded (CloudFront hands it to S3 as it is). Undefined for a Host that is no host.
 */
export const imageUrlOnHost = (host: string, s3Key: string): string | undefined =>
  HOST.test(host) ? `http://${host}/${s3Key.split('/').map(encodeURIComponent).join('/')}` : undefined;
