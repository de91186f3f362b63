/**
 * receiveUpload on DynamoDB Local and fauxqs' S3: the cheap refusals touch nothing, a token is redeemed for the
 * charger of the path before the body is read, the file lands in its own folder of the charger's prefix with its
 * checksum and is recorded `uploaded` at once, and whatever fails after the redeem gives the token back.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Log } from '#shared/log/logger.ts';
import { uploadObjectKey } from '#shared/file/object-keys.ts';
import { receiveUpload, type UploadPorts, type UploadRequest } from '#shared/file/upload.ts';
import { giveBackUploadToken, hashUploadToken, issueUploadToken, newUploadToken, redeemUploadToken } from '#shared/file/upload-token.ts';
import { fileObjectStore } from '#shared/store/file-object-store.ts';
import { uploadTokenKey } from '#shared/store/keys.ts';
import { startLocalS3, type LocalS3 } from '../../support/s3.ts';
import { countingRequests, currentSecond, depsAt, openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
let s3: LocalS3;
let now: Date;
beforeAll(async () => {
  [f, s3] = await Promise.all([openStoreFixture(), startLocalS3()]);
  now = currentSecond();
});
afterAll(async () => Promise.all([f?.close(), s3?.stop()]));

const MAX = 1_000;
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

/** Ports on the fixture's tables and a bucket of their own, at `seconds` from now, with a log the test reads. */
const portsAt = (seconds = 0, bucket = s3.bucket()) => {
  const logged: { message: string; extra: object[] }[] = [];
  const record = (message: string, ...extra: object[]) => logged.push({ message, extra });
  const log: Log = { debug: record, info: record, warn: record, error: record };
  const deps: UploadPorts = { ...depsAt(f, at(seconds)), log, files: { objects: fileObjectStore(s3.client, bucket), endpoints: {} } };
  return { deps, bucket, logged };
};

const request = (segments: string[], body: string | Uint8Array, overrides: Partial<UploadRequest> = {}): UploadRequest => ({
  method: 'PUT',
  segments,
  headers: { contentType: 'application/octet-stream' },
  body: typeof body === 'string' ? Buffer.from(body) : body,
  maxBytes: MAX,
  ...overrides,
});

const keysIn = async (bucket: string) => ((await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);
const contentOf = async (bucket: string, key: string) => Buffer.from(await (await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()).toString();
const usedAtOf = async (token: string) => (await f.item('Csms', uploadTokenKey(hashUploadToken(token))))?.usedAt;
const issue = (chargerId: string, lifetimeSeconds?: number) =>
  issueUploadToken(depsAt(f, now), { chargerId, commandId: `cmd-${chargerId}`, kind: 'diagnostics', ...(lifetimeSeconds ? { lifetimeSeconds } : {}) });

describe('refusals before the token', () => {
  it('answers 405 with Allow, 404 for a short path and 413 by body or declared length, asking nothing and writing nothing', async () => {
    const { deps, bucket } = portsAt();
    const cases: [UploadRequest, object][] = [
      [request(['CP-1', newUploadToken()], 'x', { method: 'GET' }), { status: 405, allow: ['PUT', 'POST'] }],
      [request(['CP-1', newUploadToken()], 'x', { method: 'DELETE' }), { status: 405 }],
      [request(['CP-1'], 'x'), { status: 404 }],
      [request([], 'x'), { status: 404 }],
      [request(['CP-1', newUploadToken()], 'y'.repeat(MAX + 1)), { status: 413, detail: expect.stringContaining(`limit of ${MAX} bytes`) }],
      [request(['CP-1', newUploadToken()], 'small', { headers: { contentLength: String(MAX + 1) } }), { status: 413, detail: expect.stringContaining('Content-Length') }],
    ];
    for (const [req, answer] of cases) {
      const { result, requests } = await countingRequests(() => receiveUpload(deps, req));
      expect(result, JSON.stringify(req.segments)).toMatchObject(answer);
      expect(requests).toBe(0);
    }
    expect(await keysIn(bucket)).toEqual([]);
  });

  it('takes a body of exactly the limit', async () => {
    const issued = await issue('CP-Exact');
    expect((await receiveUpload(portsAt().deps, request(['CP-Exact', issued.token], 'z'.repeat(MAX)))).status).toBe(201);
  });
});

describe('tokens', () => {
  it('refuses unknown (malformed without asking the store), used and expired tokens with 401, another charger’s with 403, writing nothing', async () => {
    const { deps, bucket } = portsAt(30);
    const malformed = await countingRequests(() => receiveUpload(deps, request(['CP-T', 'not-a-token'], 'x')));
    expect(malformed).toMatchObject({ result: { status: 401 }, requests: 0 });
    expect((await receiveUpload(deps, request(['CP-T', newUploadToken()], 'x'))).status).toBe(401);

    const expiring = await issue('CP-T', 10);
    expect(await receiveUpload(deps, request(['CP-T', expiring.token], 'x'))).toMatchObject({ status: 401, detail: expect.stringMatching(/expired/) });
    expect(await usedAtOf(expiring.token)).toBeUndefined();

    const owned = await issue('CP-Owner');
    expect(await receiveUpload(deps, request(['CP-Intruder', owned.token], 'x'))).toMatchObject({ status: 403 });
    expect(await usedAtOf(owned.token)).toBeUndefined();
    expect((await deps.stores.files.get(owned.fileId, true))?.status).toBe('requested');

    expect((await receiveUpload(deps, request(['cp-owner', owned.token], 'x'))).status).toBe(201);
    expect(await receiveUpload(deps, request(['CP-Owner', owned.token], 'again'))).toMatchObject({ status: 401, detail: expect.stringMatching(/used already/) });
    expect(await keysIn(bucket)).toEqual([uploadObjectKey('CP-Owner', owned.fileId, 'diagnostics-' + stampOf(at(30)))]);
    expect(await contentOf(bucket, (await keysIn(bucket))[0]!)).toBe('x');
  });
});

/** The default name's time stamp, as in `diagnostics-20260101T120000Z`. */
const stampOf = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

describe('stored uploads', () => {
  it('stores the bytes with their checksum and the file’s ids, records the file uploaded, and answers a receipt', async () => {
    const issued = await issue('CP-Store');
    const { deps, bucket } = portsAt(60);
    const body = Buffer.from('diagnostics of CP-Store\n');
    const answer = await receiveUpload(deps, request(['CP-Store', issued.token, 'diag.txt'], body, { headers: { contentType: 'text/plain' } }));
    const key = uploadObjectKey('CP-Store', issued.fileId, 'diag.txt');
    expect(answer).toEqual({ status: 201, receipt: { fileId: issued.fileId, name: 'diag.txt', size: body.length, sha256: sha(body) } });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    expect(head).toMatchObject({ ContentType: 'text/plain', ContentLength: body.length, Metadata: { fileid: issued.fileId, commandid: 'cmd-CP-Store', chargerid: 'CP-Store' } });
    expect(Buffer.from(head.ChecksumSHA256 ?? '', 'base64').toString('hex')).toBe(sha(body));
    expect(await deps.stores.files.get(issued.fileId, true)).toMatchObject({
      status: 'uploaded',
      name: 'diag.txt',
      size: body.length,
      sha256: sha(body),
      s3Key: key,
      uploadedAt: at(60).toISOString(),
    });
    expect(await usedAtOf(issued.token)).toBe(at(60).toISOString());
  });

  it('names the file from the form, else the appended path, else a default of its kind and type; always made safe', async () => {
    const cases: [string, Partial<UploadRequest>, string[], string][] = [
      ['form beats path', { method: 'POST', ...(await form('file', 'from-form.log')) }, ['appended.log'], 'from-form.log'],
      ['appended path', {}, ['logs', 'appended.log'], 'appended.log'],
      ['Content-Disposition', { headers: { contentDisposition: 'attachment; filename="disp.log"' } }, [], 'disp.log'],
      ['default with extension', { headers: { contentType: 'application/zip' } }, [], `diagnostics-${stampOf(now)}.zip`],
      ['default without', { headers: {} }, [], `diagnostics-${stampOf(now)}`],
      ['climbing path', {}, ['..', '..', 'etc', 'passwd'], 'passwd'],
      ['quotes and controls', { headers: { contentDisposition: 'attachment; filename="a\\"b\tc.log"' } }, [], 'abc.log'],
    ];
    for (const [i, [what, overrides, appended, name]] of cases.entries()) {
      const issued = await issue(`CP-Name-${i}`);
      const answer = await receiveUpload(portsAt().deps, request([`CP-Name-${i}`, issued.token, ...appended], 'content', overrides));
      expect(answer, what).toMatchObject({ status: 201, receipt: { name } });
    }
  });

  it('logs what it tolerated', async () => {
    const issued = await issue('CP-Log');
    const { deps, logged } = portsAt();
    await receiveUpload(deps, request(['CP-Log', issued.token, 'odd.bin'], 'x', { method: 'POST', headers: {} }));
    expect(logged).toContainEqual({
      message: 'upload received',
      extra: [expect.objectContaining({ chargerId: 'CP-Log', fileId: issued.fileId, tolerated: ['no Content-Type (stored as application/octet-stream)', 'file name appended to the URL'] })],
    });
  });
});

/** A one-file form with the field `field` and file name `name`. */
async function form(field: string, name: string) {
  const data = new FormData();
  data.append(field, new Blob(['form content']), name);
  const req = new Request('http://x/', { method: 'POST', body: data });
  return { headers: { contentType: req.headers.get('content-type') ?? '' }, body: new Uint8Array(await req.arrayBuffer()) };
}

describe('nothing half-written, nothing lost', () => {
  it('gives the token back after a body with no file (400), so the retry is received', async () => {
    const issued = await issue('CP-Retry');
    const { deps, bucket } = portsAt();
    const bad = await receiveUpload(deps, request(['CP-Retry', issued.token], 'not a form', { method: 'POST', headers: { contentType: 'multipart/form-data; boundary=abc' } }));
    expect(bad).toMatchObject({ status: 400, detail: expect.stringMatching(/multipart/) });
    expect(await usedAtOf(issued.token)).toBeUndefined();
    expect(await keysIn(bucket)).toEqual([]);
    expect((await receiveUpload(deps, request(['CP-Retry', issued.token], 'good', { method: 'POST', ...(await form('upload', 'retry.log')) }))).status).toBe(201);
  });

  it('gives the token back when the file cannot be stored, and fails; the retry is received', async () => {
    const issued = await issue('CP-Down');
    const broken = portsAt(0, 'no-such-bucket').deps;
    await expect(receiveUpload(broken, request(['CP-Down', issued.token], 'payload'))).rejects.toThrow();
    expect(await usedAtOf(issued.token)).toBeUndefined();
    expect((await broken.stores.files.get(issued.fileId, true))?.status).toBe('requested');
    expect((await receiveUpload(portsAt().deps, request(['CP-Down', issued.token], 'payload'))).status).toBe(201);
  });

  it('gives back only the redeem it names: a later redeem keeps its mark', async () => {
    const issued = await issue('CP-Mark');
    const deps = depsAt(f, at(5));
    expect((await redeemUploadToken(deps, issued.token)).granted).toBe(true);
    expect(await giveBackUploadToken(deps, issued.token, at(4))).toBe('not-held');
    expect(await usedAtOf(issued.token)).toBe(at(5).toISOString());
    expect(await giveBackUploadToken(deps, issued.token, at(5))).toBe('released');
    expect(await usedAtOf(issued.token)).toBeUndefined();
    expect(await giveBackUploadToken(deps, issued.token, at(5))).toBe('not-held');
  });
});
