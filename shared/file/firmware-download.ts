/**
 * Firmware download URLs the CSMS generates for UpdateFirmware / SignedUpdateFirmware (firmware-update.ts): a short,
 * one-charger URL on the CSMS's own HTTPS file endpoint,
 *
 *   `<FILE_UPLOAD_URL>/firmware/<token>/<image name, percent-encoded>`
 *
 * which answers GET and HEAD with a redirect to a presigned S3 request of the image, signed there and then for a few
 * minutes. So the location fits the 512 characters of 2.0.1 and 1.6 SignedUpdateFirmware, and it lives as long as the
 * retrieve window needs (up to a week) rather than as long as the signing role's session.
 *
 * The token is 32 random bytes (as upload tokens, upload-token.ts); only its SHA-256 is stored, with the charger, the
 * command and the image it was issued for. It is good for any number of requests until it expires (chargers retry,
 * and resume with Range requests), and reaches that one image only: the name after it in the URL is for chargers that
 * take the file name from the URL, and is never read.
 */
import type { Ports } from '../deps.ts';
import { FirmwareHttpNotSetUp, type FirmwareHttpSigner, imageUrlOnHost } from './firmware-http.ts';
import { endpointBase, type FileObjects } from './objects.ts';
import { hashUploadToken, isUploadTokenFormat, newUploadToken } from './upload-token.ts';

/** The first path segment of a download URL: the upload URLs' is a charger id, and only PUT or POST reach those. */
export const FIRMWARE_DOWNLOAD_SEGMENT = 'firmware';
/** How long the presigned request a download redirects to lives: enough to start it (S3 serves a started GET to the end). */
export const DOWNLOAD_REDIRECT_SECONDS = 5 * 60;
export const DOWNLOAD_METHODS = ['GET', 'HEAD'] as const;

/** What a download token lets its bearer fetch: one image, for the charger and command it was issued for. */
export interface FirmwareDownloadGrant {
  /** As registered. */
  readonly chargerId: string;
  readonly commandId: string;
  readonly fileId: string;
  readonly s3Key: string;
  readonly name: string;
}

/** A stored token, as the store returns it (its hash is its key). */
export interface FirmwareDownloadToken extends FirmwareDownloadGrant {
  /** ISO, by our clock. */
  readonly expiresAt: string;
}

/** A token about to be written: the token itself goes to the charger only, its hash to the store. */
export interface IssuedDownloadToken {
  readonly token: string;
  readonly tokenHash: string;
  readonly stored: FirmwareDownloadToken;
}

/** A fresh token for `grant`, in memory only: the caller writes it with the update (firmware-update-store `begin`). */
export const issueDownloadToken = (grant: FirmwareDownloadGrant, expiresAt: string): IssuedDownloadToken => {
  const token = newUploadToken();
  return { token, tokenHash: hashUploadToken(token), stored: { ...grant, expiresAt } };
};

/** The location a charger is sent. Pure: it is measured against the action's limit before anything is written. */
export const firmwareDownloadLocation = (uploadsEndpoint: string, token: string, name: string): string =>
  `${endpointBase(uploadsEndpoint)}/${FIRMWARE_DOWNLOAD_SEGMENT}/${token}/${encodeURIComponent(name)}`;

export interface DownloadRequest {
  readonly method: string;
  /** The path below the endpoint's root, split at `/`, each segment percent-decoded, empty ones dropped. */
  readonly segments: readonly string[];
  /**
   * The viewer's Host when the request came through the plain-HTTP firmware distribution (its FIRMWARE_HTTP_HOST_HEADER):
   * the redirect then goes to a CloudFront signed URL on that host instead of a presigned S3 one (firmware-http.ts).
   */
  readonly httpHost?: string;
}

export type DownloadAnswer =
  | { readonly status: 302; readonly location: string }
  | { readonly status: 400 | 404 | 410 | 503; readonly detail: string };

export type DownloadPorts = Pick<Ports, 'stores' | 'now' | 'log'> & {
  readonly files: { readonly objects?: FileObjects; readonly firmwareHttpSigner?: FirmwareHttpSigner };
};

/** Whether a request is a download: GET or HEAD of `/firmware/…` (anything else on the endpoint is an upload's). */
export const isDownloadRequest = (request: DownloadRequest): boolean =>
  (DOWNLOAD_METHODS as readonly string[]).includes(request.method) && request.segments[0] === FIRMWARE_DOWNLOAD_SEGMENT;

export type DownloadRefusal = 'unknown' | 'expired' | 'deleted';
export type DownloadLookup = { readonly granted: true; readonly grant: FirmwareDownloadGrant } | { readonly granted: false; readonly reason: DownloadRefusal };

/** The grant of a live token, or why not: one GetItem, none for text that cannot be a token. */
export const findDownloadGrant = async (deps: Pick<Ports, 'stores' | 'now'>, token: string): Promise<DownloadLookup> => {
  if (!isUploadTokenFormat(token)) return { granted: false, reason: 'unknown' };
  const found = await deps.stores.firmwareUpdates.downloadToken(hashUploadToken(token));
  if (!found) return { granted: false, reason: 'unknown' };
  if (found.expiresAt <= deps.now().toISOString()) return { granted: false, reason: 'expired' };
  const { expiresAt: _expiresAt, ...grant } = found;
  return { granted: true, grant };
};

/** A token we cannot use gets one of two answers, which say nothing of which part of the URL was wrong. */
const REFUSALS: Readonly<Record<DownloadRefusal, DownloadAnswer>> = {
  unknown: { status: 404, detail: 'No firmware at this URL.' },
  expired: { status: 410, detail: 'This firmware URL has expired. Ask for the update again.' },
  deleted: { status: 410, detail: 'The firmware image of this URL was deleted.' },
};

/**
 * Answers a download: 302 to a presigned GET (HEAD: a presigned HEAD) of the token's image, or 404 / 410. Refusals
 * are answers; only infrastructure failures throw.
 */
export const serveFirmwareDownload = async (deps: DownloadPorts, request: DownloadRequest): Promise<DownloadAnswer> => {
  const [, token = ''] = request.segments;
  const found = await findDownloadGrant(deps, token);
  if (!found.granted) {
    deps.log.info('firmware download refused', { reason: found.reason });
    return REFUSALS[found.reason];
  }
  const objects = deps.files.objects;
  if (!objects) throw new Error('serveFirmwareDownload needs the files bucket: the route has no access to it');
  const { grant } = found;
  // Deleting an image leaves its tokens (nothing indexes them by image): a redirect to its removed bytes would end in
  // S3's 403. One GetItem of the image's record tells.
  const image = await deps.stores.files.get(grant.fileId);
  if (image?.kind !== 'firmware' || image.status !== 'uploaded') {
    deps.log.info('firmware download refused', { reason: 'deleted', fileId: grant.fileId });
    return REFUSALS.deleted;
  }
  if (request.httpHost !== undefined) return plainHttpRedirect(deps, request, grant, request.httpHost);
  const location =
    request.method === 'HEAD' ? await objects.presignHead(grant.s3Key, DOWNLOAD_REDIRECT_SECONDS) : await objects.presignGet(grant.s3Key, DOWNLOAD_REDIRECT_SECONDS);
  deps.log.info('firmware download', { chargerId: grant.chargerId, commandId: grant.commandId, fileId: grant.fileId, method: request.method });
  return { status: 302, location };
};

/**
 * Through the plain-HTTP distribution: a redirect to the image on the same host, signed for CloudFront for a few
 * minutes (one URL serves GET and HEAD: the signature does not cover the method). 503 while the stage's signing key
 * is not set up, so a charger retries rather than giving up on a 4xx.
 */
const plainHttpRedirect = async (deps: DownloadPorts, request: DownloadRequest, grant: FirmwareDownloadGrant, host: string): Promise<DownloadAnswer> => {
  const url = imageUrlOnHost(host, grant.s3Key);
  if (url === undefined) return { status: 400, detail: 'The request names no valid host.' };
  const sign = deps.files.firmwareHttpSigner;
  const details = { chargerId: grant.chargerId, commandId: grant.commandId, fileId: grant.fileId, method: request.method, via: 'http' };
  try {
    if (!sign) throw new FirmwareHttpNotSetUp('this route has no signer');
    const location = await sign(url, new Date(deps.now().getTime() + DOWNLOAD_REDIRECT_SECONDS * 1000));
    deps.log.info('firmware download', details);
    return { status: 302, location };
  } catch (error) {
    if (!(error instanceof FirmwareHttpNotSetUp)) throw error;
    deps.log.error('firmware download over plain HTTP impossible', { ...details, error });
    return { status: 503, detail: 'Plain-HTTP firmware downloads are not available right now. Try again later.' };
  }
};
