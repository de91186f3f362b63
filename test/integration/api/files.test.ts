/**
 * The operators' file routes through their real handlers, on DynamoDB Local and an in-process fauxqs S3: files are
 * made as the upload path makes them (an upload token with its requested file, the bytes put under the charger's
 * prefix, the file marked uploaded), then listed, read, fetched through the presigned link and deleted, per role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import type { Ports } from '#shared/deps.ts';
import type { FileObjects } from '#shared/file/objects.ts';
import { uploadObjectKey } from '#shared/file/object-keys.ts';
import { issueUploadToken, redeemUploadToken, type IssuedUploadToken } from '#shared/file/upload-token.ts';
import { fileObjectStore } from '#shared/store/file-object-store.ts';
import { deleteFileRoute, getFileContentRoute, getFileRoute, listChargerFilesRoute } from '#functions/api/files/routes.ts';
import { personClaims, startApiHarness, type ApiHarness } from '../../support/api-harness.ts';
import { startLocalS3, type LocalS3 } from '../../support/s3.ts';

let api: ApiHarness;
let s3: LocalS3;
let objects: FileObjects;

const operator = personClaims('olga', ['operator']);
const viewer = personClaims('vic', ['viewer']);
const CP = 'CP-Files-Api';
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

beforeAll(async () => {
  s3 = await startLocalS3();
  const bucket = s3.bucket();
  api = await startApiHarness({ FILES_BUCKET: bucket, AWS_ENDPOINT_URL_S3: s3.endpoint });
  objects = fileObjectStore(s3.client, bucket);
  const created = await createCharger(api.deps, { chargerId: CP, password: 'a-chosen-password-for-files' });
  if (!created.created) throw new Error(`no charger: ${created.reason}`);
});
afterAll(async () => {
  await api?.close();
  await s3?.stop();
});

/** The ports with the clock at `seconds` past T0: files made in a known order. */
const clockAt = (seconds: number): Pick<Ports, 'stores' | 'now'> => ({ stores: api.deps.stores, now: () => new Date(T0 + seconds * 1000) });

let commands = 0;
/** A file asked of `chargerId` at `seconds`, still requested. */
const requested = (seconds: number, chargerId = CP): Promise<IssuedUploadToken> =>
  issueUploadToken(clockAt(seconds), { chargerId, commandId: `cmd-files-${++commands}`, kind: 'diagnostics' });

/** A file asked at `seconds` whose bytes landed a minute later, as the upload path records them. */
const uploaded = async (seconds: number, name: string, bytes: string, chargerId = CP) => {
  const issued = await requested(seconds, chargerId);
  const s3Key = uploadObjectKey(chargerId, issued.fileId, name);
  const put = await objects.put(s3Key, Buffer.from(bytes));
  await api.deps.stores.files.markUploaded(issued.fileId, { name, size: put.size, sha256: put.sha256, s3Key, at: at(seconds + 60) });
  return { ...issued, s3Key, ...put };
};

describe('GET /chargers/{chargerId}/files', () => {
  it('lists a charger’s files newest first, page by page, to every role, under any case of its id', async () => {
    const chargerId = 'CP-Files-List';
    await createCharger(api.deps, { chargerId, password: 'a-chosen-password-for-files' });
    const first = await uploaded(-300, 'first.log', 'one', chargerId);
    const second = await requested(-200, chargerId);
    const third = await uploaded(-100, 'third.log', 'three', chargerId);

    const page1 = await api.call(listChargerFilesRoute, { params: { chargerId: 'cp-files-list' }, query: { limit: '2' }, claims: viewer });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((f: { fileId: string }) => f.fileId)).toEqual([third.fileId, second.fileId]);
    expect(page1.body.items[0]).toEqual({
      fileId: third.fileId,
      chargerId,
      kind: 'diagnostics',
      status: 'uploaded',
      commandId: expect.stringMatching(/^cmd-files-/),
      createdAt: at(-100),
      name: 'third.log',
      size: 5,
      sha256: third.sha256,
      uploadedAt: at(-40),
    });
    const page2 = await api.call(listChargerFilesRoute, { params: { chargerId }, query: { limit: '2', cursor: page1.body.cursor }, claims: operator });
    expect(page2.body).toEqual({ items: [expect.objectContaining({ fileId: first.fileId, status: 'uploaded' })] });
  });

  it('bounds the list by when files were asked for, and picks fields', async () => {
    const chargerId = 'CP-Files-Range';
    await createCharger(api.deps, { chargerId, password: 'a-chosen-password-for-files' });
    const [early, middle, late] = [await requested(-30, chargerId), await requested(-20, chargerId), await requested(-10, chargerId)];
    const list = (query: Record<string, string>) => api.call(listChargerFilesRoute, { params: { chargerId }, query });

    expect((await list({ from: at(-25), to: at(-10) })).body.items.map((f: { fileId: string }) => f.fileId)).toEqual([late.fileId, middle.fileId]);
    expect((await list({ to: at(-30) })).body.items.map((f: { fileId: string }) => f.fileId)).toEqual([early.fileId]);
    expect((await list({ fields: 'fileId,status', limit: '1' })).body.items).toEqual([{ fileId: late.fileId, status: 'requested' }]);
    // The object key is not part of the representation.
    expect((await list({ fields: 's3Key' })).status).toBe(400);
    expect((await list({ from: 'yesterday' })).status).toBe(400);
  });

  it('answers 404 for an unknown charger', async () => {
    const res = await api.call(listChargerFilesRoute, { params: { chargerId: 'CP-Nobody' } });
    expect(res.status).toBe(404);
    expect(res.body.detail).toBe('No charger CP-Nobody');
  });
});

describe('GET /files/{fileId}', () => {
  it('answers a requested file, then the same file uploaded, without its object key, to every role', async () => {
    const issued = await requested(0);
    const asked = await api.call(getFileRoute, { params: { fileId: issued.fileId }, claims: viewer });
    expect(asked.status).toBe(200);
    expect(asked.body).toEqual({ fileId: issued.fileId, chargerId: CP, kind: 'diagnostics', status: 'requested', commandId: expect.any(String), createdAt: at(0) });
    expect(asked.headers.ETag).toMatch(/^"/);

    const file = await uploaded(10, 'diag.zip', 'zipped diagnostics');
    const landed = await api.call(getFileRoute, { params: { fileId: file.fileId }, claims: operator });
    expect(landed.body).toMatchObject({ status: 'uploaded', name: 'diag.zip', size: 18, sha256: file.sha256, uploadedAt: at(70) });
    expect(landed.body).not.toHaveProperty('s3Key');
    expect(landed.body).not.toHaveProperty('uploadTokenHash');
  });

  it('answers 404 for an unknown file', async () => {
    expect((await api.call(getFileRoute, { params: { fileId: 'no-such-file' } })).status).toBe(404);
  });
});

describe('GET /files/{fileId}/content', () => {
  it('answers a five-minute link that downloads the bytes under the file’s name, to every role', async () => {
    const file = await uploaded(20, 'charger.log', 'line 1\nline 2\n');
    const res = await api.call(getFileContentRoute, { params: { fileId: file.fileId }, claims: viewer });
    expect(res.status).toBe(200);
    expect(res.headers['Cache-Control']).toBe('no-store');
    expect(res.body).toEqual({ url: expect.any(String), expiresAt: expect.any(String), name: 'charger.log', size: 14, sha256: file.sha256 });
    const url = new URL(res.body.url as string);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="charger.log"');
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('line 1\nline 2\n');
  });

  it('answers 303 to the link with redirect=true', async () => {
    const file = await uploaded(30, 'redirected.bin', 'bytes');
    const res = await api.call(getFileContentRoute, { params: { fileId: file.fileId }, query: { redirect: 'true' }, claims: operator });
    expect(res.status).toBe(303);
    expect(res.headers.Location).toBe(res.body.url);
    expect(res.headers['Cache-Control']).toBe('no-store');
    expect(await (await fetch(res.headers.Location!)).text()).toBe('bytes');
    expect((await api.call(getFileContentRoute, { params: { fileId: file.fileId }, query: { redirect: 'yes' } })).status).toBe(400);
  });

  it('answers 409 for a file not uploaded yet and for one whose bytes are gone, 404 for an unknown file', async () => {
    const issued = await requested(40);
    const notYet = await api.call(getFileContentRoute, { params: { fileId: issued.fileId } });
    expect(notYet.status).toBe(409);
    expect(notYet.body.detail).toBe(`File ${issued.fileId} is requested: its content can be fetched once it is uploaded`);

    const expired = await uploaded(50, 'expired.log', 'gone soon');
    await objects.delete(expired.s3Key);
    const gone = await api.call(getFileContentRoute, { params: { fileId: expired.fileId } });
    expect(gone.status).toBe(409);
    expect(gone.body.detail).toMatch(/no longer stored/);

    expect((await api.call(getFileContentRoute, { params: { fileId: 'no-such-file' } })).status).toBe(404);
  });
});

describe('DELETE /files/{fileId}', () => {
  it('is refused to viewers, and deletes nothing then', async () => {
    const file = await uploaded(60, 'kept.log', 'kept');
    const res = await api.call(deleteFileRoute, { params: { fileId: file.fileId }, claims: viewer });
    expect(res.status).toBe(403);
    expect(await objects.head(file.s3Key)).toBeDefined();
    expect((await api.call(getFileRoute, { params: { fileId: file.fileId } })).status).toBe(200);
  });

  it('deletes the bytes and the record for an operator; the file is 404 afterwards', async () => {
    const file = await uploaded(70, 'deleted.log', 'to be deleted');
    const res = await api.call(deleteFileRoute, { params: { fileId: file.fileId }, claims: operator });
    expect(res.status).toBe(204);
    expect(await objects.head(file.s3Key)).toBeUndefined();
    expect((await api.call(getFileRoute, { params: { fileId: file.fileId } })).status).toBe(404);
    expect((await api.call(getFileContentRoute, { params: { fileId: file.fileId } })).status).toBe(404);
    expect((await api.call(deleteFileRoute, { params: { fileId: file.fileId } })).status).toBe(404);
  });

  it('voids the upload token of a file deleted before its charger uploaded', async () => {
    const issued = await requested(80);
    expect((await api.call(deleteFileRoute, { params: { fileId: issued.fileId }, claims: operator })).status).toBe(204);
    expect(await redeemUploadToken(api.deps, issued.token, { chargerId: CP })).toEqual({ granted: false, reason: 'unknown' });
  });

  it('finishes a delete whose bytes went before its record (a retry after a failure between the two)', async () => {
    const file = await uploaded(90, 'half.log', 'half deleted');
    await objects.delete(file.s3Key);
    expect((await api.call(deleteFileRoute, { params: { fileId: file.fileId } })).status).toBe(204);
    expect((await api.call(getFileRoute, { params: { fileId: file.fileId } })).status).toBe(404);
  });
});
