/**
 * A charger's HTTPS upload of the file a command asked it for (GetDiagnostics, GetLog), at
 * `<endpoint>/<chargerId>/<token>[/<file name>]`. The endpoint speaks HTTP, so its answers are HTTP statuses.
 *
 * Checks run cheapest and write-free first: the method (405), the path's shape (404), the size (413), then the
 * one-time token is redeemed for the charger of the path (401 unknown, used or expired; 403 another charger's). Only
 * a redeemed token lets the body be parsed (400 when it holds no file), stored under the file's own folder of the
 * charger's prefix, and recorded as `uploaded` at once, so the operator sees it without waiting for the bucket's
 * event (whose recording of the same object changes nothing). Nothing half-written, nothing lost: whatever fails
 * after the redeem gives the token back, so the charger's retry is received rather than refused as `used`.
 */
import type { Ports } from '../deps.ts';
import type { FileKind } from './file-record.ts';
import { uploadObjectKey, safeFileName } from './object-keys.ts';
import type { FileAccess, FileObjects } from './objects.ts';
import { type ReceivedFile, type UploadHeaders, parseUploadBody } from './upload-body.ts';
import { giveBackUploadToken, redeemUploadToken, type UploadGrant, type UploadRefusal } from './upload-token.ts';

export type { UploadHeaders } from './upload-body.ts';

export const UPLOAD_METHODS = ['PUT', 'POST'] as const;

export interface UploadRequest {
  readonly method: string;
  /** The path below the endpoint's root, split at `/`, each segment percent-decoded, empty ones dropped. */
  readonly segments: readonly string[];
  readonly headers: UploadHeaders;
  readonly body: Uint8Array;
  /** The largest body taken (a multipart envelope counts): FILE_UPLOAD_MAX_BYTES. */
  readonly maxBytes: number;
}

/** What the charger is told of its stored upload. */
export interface UploadReceipt {
  readonly fileId: string;
  /** As stored: the last part of the object key. */
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

export type UploadAnswer =
  | { readonly status: 201; readonly receipt: UploadReceipt }
  | { readonly status: 405; readonly detail: string; readonly allow: readonly string[] }
  | { readonly status: 400 | 401 | 403 | 404 | 413; readonly detail: string };

export type UploadPorts = Pick<Ports, 'stores' | 'now' | 'log' | 'metrics'> & { readonly files: FileAccess };

const REFUSALS: Readonly<Record<UploadRefusal, { readonly status: 401 | 403; readonly detail: string }>> = {
  unknown: { status: 401, detail: 'This upload URL holds no valid token.' },
  used: { status: 401, detail: 'This upload URL was used already: each is good for one upload. Ask for the file again.' },
  expired: { status: 401, detail: 'This upload URL has expired. Ask for the file again.' },
  foreign: { status: 403, detail: 'This upload URL is another charger’s.' },
};

/** Extensions of a default name, by media type; others get none. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/zip': 'zip',
  'application/x-zip-compressed': 'zip',
  'application/gzip': 'gz',
  'application/x-gzip': 'gz',
  'application/x-tar': 'tar',
  'application/x-7z-compressed': '7z',
  'application/json': 'json',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'text/csv': 'csv',
  'text/plain': 'txt',
};

const mebibytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

const tooLarge = (maxBytes: number, what: string): UploadAnswer => ({
  status: 413,
  detail: `${what} is larger than this endpoint's limit of ${maxBytes} bytes (${mebibytes(maxBytes)}). Upload larger files over SFTP.`,
});

/** The refusals that need neither the store nor the body's content. */
const precheck = (request: UploadRequest): UploadAnswer | undefined => {
  if (!(UPLOAD_METHODS as readonly string[]).includes(request.method)) {
    return { status: 405, detail: `Upload with ${UPLOAD_METHODS.join(' or ')}, not ${request.method}.`, allow: UPLOAD_METHODS };
  }
  if (request.segments.length < 2) return { status: 404, detail: 'Upload to <endpoint>/<charger id>/<token>, as the charger was told.' };
  const declared = Number(request.headers.contentLength);
  if (Number.isFinite(declared) && declared > request.maxBytes) return tooLarge(request.maxBytes, `The declared Content-Length (${declared} bytes)`);
  if (request.body.byteLength > request.maxBytes) return tooLarge(request.maxBytes, `The body (${request.body.byteLength} bytes)`);
  return undefined;
};

/** `diagnostics-20260101T120000Z.zip`: for a charger that gave no name. */
const defaultName = (kind: FileKind, at: Date, contentType: string): string => {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const extension = EXTENSIONS[contentType.split(';')[0]?.trim().toLowerCase() ?? ''];
  return `${kind}-${stamp}${extension ? `.${extension}` : ''}`;
};

/** The body's own name, else the one appended to the URL, else a default; always made safe for a key. */
const nameOf = (file: ReceivedFile, appended: readonly string[], grant: UploadGrant, at: Date): { name: string; tolerated: string[] } => {
  const fallback = defaultName(grant.kind, at, file.contentType);
  if (file.name !== undefined) return { name: safeFileName(file.name, fallback), tolerated: [] };
  if (appended.length > 0) return { name: safeFileName(appended.join('/'), fallback), tolerated: ['file name appended to the URL'] };
  return { name: fallback, tolerated: ['no file name (a default given)'] };
};

const objectsOf = (deps: UploadPorts): FileObjects => {
  if (!deps.files.objects) throw new Error('receiveUpload needs the files bucket: the route has no access to it');
  return deps.files.objects;
};

/** Stores the file under its grant's folder and records it as uploaded. */
const store = async (deps: UploadPorts, grant: UploadGrant, file: ReceivedFile, appended: readonly string[]): Promise<UploadAnswer> => {
  const { name, tolerated } = nameOf(file, appended, grant, deps.now());
  const key = uploadObjectKey(grant.chargerId, grant.fileId, name);
  const { size, sha256 } = await objectsOf(deps).put(key, file.bytes, {
    contentType: file.contentType,
    metadata: { fileid: grant.fileId, commandid: grant.commandId, chargerid: grant.chargerId },
  });
  const recorded = await deps.stores.files.markUploaded(grant.fileId, { name, size, sha256, s3Key: key, at: deps.now().toISOString() });
  const context = { chargerId: grant.chargerId, fileId: grant.fileId, commandId: grant.commandId, key, size, tolerated: [...file.tolerated, ...tolerated] };
  if (!recorded) deps.log.warn('upload stored for a file that is no longer recorded', context);
  else deps.log.info('upload received', context);
  return { status: 201, receipt: { fileId: grant.fileId, name, size, sha256 } };
};

/** Receives one upload: the answer to send back (refusals are answers; only infrastructure failures throw). */
export const receiveUpload = async (deps: UploadPorts, request: UploadRequest): Promise<UploadAnswer> => {
  const early = precheck(request);
  if (early) return early;
  const [chargerId = '', token = '', ...appended] = request.segments;
  // Redeemed at a time we know, so that giving the token back can name this redeem and no later one.
  const usedAt = deps.now();
  const redeemed = await redeemUploadToken({ ...deps, now: () => usedAt }, token, { chargerId });
  if (!redeemed.granted) {
    deps.log.info('upload refused', { chargerId, reason: redeemed.reason });
    return REFUSALS[redeemed.reason];
  }
  const giveBack = () => giveBackUploadToken(deps, token, usedAt);
  try {
    const parsed = await parseUploadBody(request.headers, request.body);
    if (!parsed.ok) {
      deps.log.info('upload refused', { chargerId, fileId: redeemed.grant.fileId, reason: parsed.detail });
      await giveBack();
      return { status: 400, detail: parsed.detail };
    }
    return await store(deps, redeemed.grant, parsed.file, appended);
  } catch (error) {
    await giveBack().catch((release: unknown) => deps.log.error('could not give an upload token back', { chargerId, error: String(release) }));
    throw error;
  }
};
