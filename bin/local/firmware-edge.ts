/**
 * The plain-HTTP firmware distribution locally (lib/firmware-http-edge.ts on AWS): CloudFront in front of the file
 * endpoint for chargers that cannot do HTTPS. Two behaviours, as the distribution has them:
 *
 * - the images (`FIRMWARE_IMAGE_PATH_PATTERN`): served from the local files bucket only with a valid CloudFront signed
 *   URL (canned policy, SHA-1 or SHA-256) of this runtime's key pair, as the trusted key group does; 403 otherwise;
 * - anything else: the exact viewer-request source CloudFront runs (lib/edge/firmware-http-viewer-request.ts), then
 *   GET or HEAD to the file endpoint with the header it set, the origin's answer relayed.
 *
 * The key pair is made per start; the runtime puts it in the local firmwareHttpSigningKey secret, which the file
 * endpoint reads as on AWS.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FIRMWARE_HTTP_HOST_HEADER, FIRMWARE_IMAGE_PATH_PATTERN } from '#shared/file/firmware-http.ts';
import { firmwareHttpViewerRequestSource } from '../../lib/edge/firmware-http-viewer-request.ts';
import { isEdgeResponse, runViewerRequest } from '../../lib/edge/viewer-request.ts';
import { type EdgeResponse, edgeResponseParts, viewerEvent } from './edge.ts';

/** The local key pair's id, in the shape of a CloudFront public key id. */
export const LOCAL_KEY_PAIR_ID = 'KLOCALFIRMWAREHTTP';

export interface LocalSigningKey {
  readonly keyPairId: string;
  readonly privateKeyPem: string;
  readonly publicKey: KeyObject;
  /** What the firmwareHttpSigningKey secret holds (shared/file/firmware-http.ts). */
  readonly secretValue: string;
}

export const newLocalSigningKey = (): LocalSigningKey => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    keyPairId: LOCAL_KEY_PAIR_ID,
    privateKeyPem,
    publicKey: createPublicKey(privateKey),
    secretValue: JSON.stringify({ keyPairId: LOCAL_KEY_PAIR_ID, privateKey: privateKeyPem }),
  };
};

/** A CloudFront path pattern (`*` any run, `?` one character) as a regular expression. */
const patternRegExp = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
const IMAGE_PATH = patternRegExp(FIRMWARE_IMAGE_PATH_PATTERN);

/** The query parameters a signed URL adds; CloudFront rebuilds the policy's resource from the URL without them. */
const SIGNING_PARAMETERS = ['Expires', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm', 'Policy'];

const fromCloudFrontBase64 = (s: string): Buffer => Buffer.from(s.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

export type SignatureCheck = { readonly valid: true } | { readonly valid: false; readonly reason: string };

/** Checks a canned-policy signed URL as the trusted key group does: the key pair, the expiry, the signature. */
export const checkSignedUrl = (url: URL, key: Pick<LocalSigningKey, 'keyPairId' | 'publicKey'>, nowMs: number): SignatureCheck => {
  const q = url.searchParams;
  const [expires, signature, keyPairId] = [q.get('Expires'), q.get('Signature'), q.get('Key-Pair-Id')];
  if (!expires || !signature || !keyPairId) return { valid: false, reason: 'MissingKey' };
  if (keyPairId !== key.keyPairId) return { valid: false, reason: 'unknown Key-Pair-Id' };
  const algorithm = q.get('Hash-Algorithm') ?? 'SHA1';
  if (algorithm !== 'SHA1' && algorithm !== 'SHA256') return { valid: false, reason: 'unknown Hash-Algorithm' };
  const expiresAt = Number(expires);
  if (!Number.isInteger(expiresAt) || expiresAt * 1000 <= nowMs) return { valid: false, reason: 'expired' };
  const resource = new URL(url);
  for (const name of SIGNING_PARAMETERS) resource.searchParams.delete(name);
  const policy = JSON.stringify({ Statement: [{ Resource: resource.toString(), Condition: { DateLessThan: { 'AWS:EpochTime': expiresAt } } }] });
  const ok = verify(algorithm === 'SHA256' ? 'sha256' : 'sha1', Buffer.from(policy), key.publicKey, fromCloudFrontBase64(signature));
  return ok ? { valid: true } : { valid: false, reason: 'signature' };
};

export interface FirmwareEdgeOptions {
  readonly host: string;
  /** 0: a free one. */
  readonly port: number;
  readonly key: LocalSigningKey;
  /** The file endpoint (the `uploads` function URL), the default behaviour's origin. */
  readonly originUrl: string;
  /** The files bucket, once the runtime has it (the edge listens before the bucket exists: its URL goes in the handlers' env). */
  readonly bucket: () => { readonly client: S3Client; readonly name: string } | undefined;
  readonly now?: () => number;
}

export interface FirmwareEdge {
  /** `http://<host>:<port>`: FIRMWARE_HTTP_URL. */
  readonly url: string;
  close(): Promise<void>;
}

/** A response the viewer-request function generated (a refusal), as CloudFront sends it. */
const sendEdgeResponse = (res: ServerResponse, out: EdgeResponse): void => {
  const { status, statusText, headers, body } = edgeResponseParts(out);
  res.writeHead(status, statusText, headers);
  res.end(body);
};

const plain = (res: ServerResponse, status: number, text: string): void => {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${text}\n`);
};

/** The object's headers a download needs, as CloudFront passes S3's on. */
const objectHeaders = (o: { ContentLength?: number; ContentType?: string; ETag?: string; LastModified?: Date; ContentRange?: string }) => ({
  ...(o.ContentLength !== undefined ? { 'content-length': String(o.ContentLength) } : {}),
  'content-type': o.ContentType ?? 'application/octet-stream',
  ...(o.ETag ? { etag: o.ETag } : {}),
  ...(o.LastModified ? { 'last-modified': o.LastModified.toUTCString() } : {}),
  ...(o.ContentRange ? { 'content-range': o.ContentRange } : {}),
  'accept-ranges': 'bytes',
});

const serveImage = async (req: IncomingMessage, res: ServerResponse, url: URL, opts: FirmwareEdgeOptions): Promise<void> => {
  const check = checkSignedUrl(url, opts.key, (opts.now ?? Date.now)());
  if (!check.valid) return plain(res, 403, `Access denied (${check.reason})`);
  const bucket = opts.bucket();
  if (!bucket) return plain(res, 503, 'The files bucket is not ready');
  const Key = decodeURIComponent(url.pathname.slice(1));
  try {
    if (req.method === 'HEAD') {
      const head = await bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key }));
      res.writeHead(200, objectHeaders(head));
      return void res.end();
    }
    const range = req.headers.range;
    const got = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key, ...(range ? { Range: range } : {}) }));
    res.writeHead(got.ContentRange ? 206 : 200, objectHeaders(got));
    // Streamed, as CloudFront does: an image may be far larger than a reply one would hold in memory.
    await pipeline(got.Body as Readable, res);
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'NoSuchKey' || name === 'NotFound') return plain(res, 404, 'Not Found');
    if (name === 'InvalidRange') return plain(res, 416, 'Range Not Satisfiable');
    throw error;
  }
};

/** The viewer-request function, then the file endpoint with the header it set; its answer relayed. */
const serveThroughOrigin = async (req: IncomingMessage, res: ServerResponse, source: string, opts: FirmwareEdgeOptions): Promise<void> => {
  const out = runViewerRequest(source, viewerEvent(req));
  if (isEdgeResponse(out)) return sendEdgeResponse(res, out);
  const forwarded = out.headers[FIRMWARE_HTTP_HOST_HEADER]?.value;
  // No query strings and no other viewer header reach the origin (the distribution's origin request policy).
  const answer = await fetch(`${opts.originUrl.replace(/\/+$/, '')}${out.uri}`, {
    method: out.method,
    redirect: 'manual',
    headers: forwarded !== undefined ? { [FIRMWARE_HTTP_HOST_HEADER]: forwarded } : {},
  });
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (name !== 'transfer-encoding' && name !== 'connection' && name !== 'keep-alive') headers[name] = value;
  });
  res.writeHead(answer.status, headers);
  res.end(Buffer.from(await answer.arrayBuffer()));
};

export const startFirmwareEdge = async (opts: FirmwareEdgeOptions): Promise<FirmwareEdge> => {
  const source = firmwareHttpViewerRequestSource();
  const server = createServer((req, res) => {
    // The distribution allows GET and HEAD only; CloudFront refuses other methods with 403.
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 403, 'This distribution allows GET and HEAD only');
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `${opts.host}`}`);
    const served = IMAGE_PATH.test(url.pathname) ? serveImage(req, res, url, opts) : serveThroughOrigin(req, res, source, opts);
    served.catch((error: unknown) => {
      console.error('firmware edge:', error);
      if (!res.headersSent) plain(res, 502, 'Bad Gateway');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
