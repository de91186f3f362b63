/** The files bucket store through the real S3 SDK against fauxqs: checksums kept, presigned URLs usable, misses undefined. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileObjects } from '#shared/file/objects.ts';
import { fileObjectStore } from '#shared/store/file-object-store.ts';
import { startLocalS3, type LocalS3 } from '../../support/s3.ts';

let s3: LocalS3;
let objects: FileObjects;
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  s3 = await startLocalS3();
  objects = fileObjectStore(s3.client, s3.bucket());
});
afterAll(() => s3?.stop());

describe('file object store', () => {
  it('puts bytes with their checksum and describes them', async () => {
    const body = new Uint8Array([0, 1, 2, 255, 254, 10, 13]);
    const put = await objects.put('chargers/cp-1/a/diag.bin', body, { contentType: 'application/octet-stream', metadata: { fileid: 'a' } });
    expect(put).toEqual({ size: 7, sha256: sha(body) });
    const head = await objects.head('chargers/cp-1/a/diag.bin');
    expect(head).toMatchObject({ key: 'chargers/cp-1/a/diag.bin', size: 7, sha256: sha(body), metadata: { fileid: 'a' } });
    expect(await objects.sha256Of('chargers/cp-1/a/diag.bin')).toBe(sha(body));
  });

  it('answers undefined for a missing object', async () => {
    expect(await objects.head('nothing/here')).toBeUndefined();
    expect(await objects.sha256Of('nothing/here')).toBeUndefined();
  });

  it('signs a GET that downloads the bytes under the given name', async () => {
    await objects.put('firmware/b/fw.bin', Buffer.from('firmware image'));
    const url = await objects.presignGet('firmware/b/fw.bin', 60, 'fw "1".bin');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('firmware image');
  });

  it('signs a PUT with the checksum the uploader must send', async () => {
    const body = 'signed upload';
    const put = await objects.presignPut('firmware/c/fw.bin', 60, { sha256: sha(body) });
    expect(Object.keys(put.headers)).toEqual(['x-amz-checksum-sha256']);
    const res = await fetch(put.url, { method: 'PUT', body, headers: put.headers });
    expect(res.status).toBe(200);
    expect(await objects.head('firmware/c/fw.bin')).toMatchObject({ size: body.length, sha256: sha(body) });
  });

  it('deletes', async () => {
    await objects.put('chargers/cp-1/d/x.log', Buffer.from('x'));
    await objects.delete('chargers/cp-1/d/x.log');
    expect(await objects.head('chargers/cp-1/d/x.log')).toBeUndefined();
  });
});
