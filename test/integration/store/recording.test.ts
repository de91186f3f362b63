/**
 * Recording objects that land in the files bucket (shared/file/recording.ts, and the RecordLandedFiles handler with
 * S3's event), on DynamoDB Local and a local S3 (fauxqs) through the real SDKs: an object in its file's folder
 * records the file `uploaded` (its checksum from S3, or read through when S3 holds none, as for SFTP uploads);
 * recording again changes nothing; a key in another charger's folder, a firmware image's wrong bytes, unknown files
 * and keys outside the layout change no record; one failing record of an event does not lose the others.
 */
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '#shared/deps.ts';
import type { ChargerFileRecord } from '#shared/file/file-record.ts';
import { declareFirmware } from '#shared/file/firmware.ts';
import { firmwareObjectKey, uploadObjectKey } from '#shared/file/object-keys.ts';
import type { FileObjects } from '#shared/file/objects.ts';
import { recordLanding, type RecordingPorts } from '#shared/file/recording.ts';
import { issueUploadToken } from '#shared/file/upload-token.ts';
import { fileObjectStore } from '#shared/store/file-object-store.ts';
import { s3Event } from '../../../bin/local/events/index.ts';
import { startLocalS3, type LocalS3 } from '../../support/s3.ts';
import { currentSecond, depsAt, openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
let s3: LocalS3;
let bucket: string;
let objects: FileObjects;
let now: Date;

beforeAll(async () => {
  [f, s3] = await Promise.all([openStoreFixture(), startLocalS3()]);
  bucket = s3.bucket();
  objects = fileObjectStore(s3.client, bucket);
  now = currentSecond();
});
afterAll(async () => Promise.all([f?.close(), s3?.stop()]));

const sha = (bytes: string) => createHash('sha256').update(bytes).digest('hex');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
const deps = (seconds = 0): Deps => ({ ...depsAt(f, new Date(now.getTime() + seconds * 1000)), files: { objects, endpoints: {} } });
const ports = (seconds = 0): RecordingPorts => ({ ...deps(seconds), objects });
/** As an SFTP session writes: a plain PutObject, no additional checksum. */
const plainPut = (key: string, body: string) => s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
const requested = async (chargerId: string) => (await issueUploadToken(deps(), { chargerId, commandId: `cmd-${chargerId}`, kind: 'diagnostics' })).fileId;
const fileOf = (fileId: string) => f.deps.stores.files.get(fileId, true);

describe('uploads chargers make', () => {
  it('records an object in the file’s folder as uploaded, reading its checksum through when S3 holds none', async () => {
    const fileId = await requested('CP-Rec');
    const key = uploadObjectKey('CP-Rec', fileId, 'sub/diag log.zip');
    await plainPut(key, 'diagnostics bytes');
    const out = await recordLanding(ports(), { key, at: at(5) });
    const expected = { status: 'uploaded', name: 'diag log.zip', size: 17, sha256: sha('diagnostics bytes'), s3Key: key, uploadedAt: at(5) };
    expect(out).toMatchObject({ outcome: 'recorded', file: expected });
    expect(await fileOf(fileId)).toMatchObject({ ...expected, chargerId: 'CP-Rec', kind: 'diagnostics' });
  });

  it('changes nothing when the same object is recorded again, or was recorded by the upload endpoint first', async () => {
    const fileId = await requested('CP-Again');
    const key = uploadObjectKey('CP-Again', fileId, 'diag.zip');
    const stored = await objects.put(key, new TextEncoder().encode('from the endpoint'));
    await f.deps.stores.files.markUploaded(fileId, { name: 'diag.zip', ...stored, s3Key: key, at: at(1) });
    const before = await fileOf(fileId);
    expect(await recordLanding(ports(9), { key, at: at(2) })).toEqual({ outcome: 'unchanged', fileId });
    expect(await recordLanding(ports(9), { key })).toEqual({ outcome: 'unchanged', fileId });
    expect(await fileOf(fileId)).toEqual(before);
  });

  it('follows the object when its key is written again, and ignores a second object of the same folder', async () => {
    const fileId = await requested('CP-Twice');
    const key = uploadObjectKey('CP-Twice', fileId, 'diag.zip');
    await plainPut(key, 'partial');
    await recordLanding(ports(), { key, at: at(1) });
    await plainPut(key, 'the whole file');
    expect(await recordLanding(ports(), { key, at: at(2) })).toMatchObject({ outcome: 'recorded', file: { size: 14, sha256: sha('the whole file'), uploadedAt: at(2) } });
    const other = uploadObjectKey('CP-Twice', fileId, 'other.txt');
    await plainPut(other, 'more');
    expect(await recordLanding(ports(), { key: other, at: at(3) })).toEqual({ outcome: 'skipped', reason: 'other-object', fileId });
    expect(await fileOf(fileId)).toMatchObject({ s3Key: key, sha256: sha('the whole file') });
  });

  it('lets exactly one of two objects of one folder, recorded at once, be the file', async () => {
    const fileId = await requested('CP-Race');
    const keys = ['a.zip', 'b.zip'].map((name) => uploadObjectKey('CP-Race', fileId, name));
    await Promise.all(keys.map((key) => plainPut(key, key)));
    const outs = await Promise.all(keys.map((key) => recordLanding(ports(), { key })));
    expect(outs.map((o) => o.outcome).sort()).toEqual(['recorded', 'skipped']);
    expect(outs.find((o) => o.outcome === 'skipped')).toEqual({ outcome: 'skipped', reason: 'other-object', fileId });
    const winner = keys[outs.findIndex((o) => o.outcome === 'recorded')];
    expect(await fileOf(fileId)).toMatchObject({ s3Key: winner, sha256: sha(winner!) });
  });

  it('never records an object in another charger’s folder on a file, whatever its id says', async () => {
    const fileId = await requested('CP-Victim');
    const key = uploadObjectKey('CP-Hostile', fileId, 'fake.zip');
    await plainPut(key, 'not the victim’s');
    expect(await recordLanding(ports(), { key })).toEqual({ outcome: 'skipped', reason: 'foreign-folder', fileId });
    const file = (await fileOf(fileId)) as ChargerFileRecord;
    expect(file.status).toBe('requested');
    expect(file.s3Key).toBeUndefined();
  });

  it('matches the folder to the charger in any case of its id', async () => {
    const fileId = await requested('Cp-MiXeD');
    const key = `chargers/cp-mixed/${fileId}/diag.zip`;
    await plainPut(key, 'x');
    expect(await recordLanding(ports(), { key })).toMatchObject({ outcome: 'recorded', file: { chargerId: 'Cp-MiXeD' } });
  });

  it('takes a folder marker (an SFTP mkdir) for no file', async () => {
    const fileId = await requested('CP-Mkdir');
    const marker = `${uploadObjectKey('CP-Mkdir', fileId, 'logs')}/`;
    await plainPut(marker, '');
    expect(await recordLanding(ports(), { key: marker })).toEqual({ outcome: 'skipped', reason: 'folder', fileId });
    expect(await fileOf(fileId)).toMatchObject({ status: 'requested' });
  });

  it('skips keys outside the layout, unknown files and objects deleted before they are read', async () => {
    expect(await recordLanding(ports(), { key: 'chargers/cp-1/not-a-uuid/x.zip' })).toEqual({ outcome: 'skipped', reason: 'outside-layout' });
    expect(await recordLanding(ports(), { key: 'elsewhere/x' })).toEqual({ outcome: 'skipped', reason: 'outside-layout' });
    const unknown = uploadObjectKey('CP-1', '00000000-0000-4000-8000-000000000000', 'x.zip');
    await plainPut(unknown, 'x');
    expect(await recordLanding(ports(), { key: unknown })).toEqual({ outcome: 'skipped', reason: 'no-record', fileId: '00000000-0000-4000-8000-000000000000' });
    const fileId = await requested('CP-Gone');
    const key = uploadObjectKey('CP-Gone', fileId, 'x.zip');
    await plainPut(key, 'x');
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect(await recordLanding(ports(), { key })).toEqual({ outcome: 'skipped', reason: 'gone', fileId });
    expect(await fileOf(fileId)).toMatchObject({ status: 'requested' });
  });
});

describe('firmware images', () => {
  it('records an image PUT through its presigned URL, and only at its declared key', async () => {
    const declared = await declareFirmware(deps(), { body: { name: 'fw.bin', sha256: sha('image v1') }, createdBy: 'op' });
    const put = await fetch(declared.upload.url, { method: 'PUT', body: 'image v1', headers: declared.upload.headers });
    expect(put.status).toBe(200);
    const elsewhere = firmwareObjectKey(declared.fileId, 'other.bin');
    await objects.put(elsewhere, new TextEncoder().encode('image v1'));
    expect(await recordLanding(ports(), { key: elsewhere })).toEqual({ outcome: 'skipped', reason: 'foreign-folder', fileId: declared.fileId });
    expect(await recordLanding(ports(), { key: declared.s3Key, at: at(4) })).toMatchObject({
      outcome: 'recorded',
      file: { kind: 'firmware', status: 'uploaded', name: 'fw.bin', size: 8, sha256: sha('image v1'), uploadedAt: at(4) },
    });
  });

  it('leaves an image requested when other bytes land under its key', async () => {
    const declared = await declareFirmware(deps(), { body: { name: 'fw.bin', sha256: sha('declared') }, createdBy: 'op' });
    await plainPut(declared.s3Key, 'something else');
    expect(await recordLanding(ports(), { key: declared.s3Key })).toEqual({ outcome: 'skipped', reason: 'checksum-mismatch', fileId: declared.fileId });
    expect(await fileOf(declared.fileId)).toMatchObject({ status: 'requested', sha256: sha('declared') });
  });
});

describe('the RecordLandedFiles handler', () => {
  type Handler = (event: unknown, context: unknown) => Promise<unknown>;
  let handler: Handler;
  beforeAll(async () => {
    // Set before the import, as Lambda sets the environment before the cold start.
    Object.assign(process.env, f.tables.env, { FILES_BUCKET: bucket, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
    ({ handler } = (await import('#functions/bucket/record-landed-files.ts')) as unknown as { handler: Handler });
  });
  const context = { functionName: 'RecordLandedFiles', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 };
  const eventFor = (key: string, size: number) => s3Event({ bucket, key, size, eTag: 'e', eventName: 'ObjectCreated:Put', at: new Date(at(7)), configurationId: 'test' });

  it('decodes S3’s key encoding and records the file at the event’s time', async () => {
    const fileId = await requested('CP Spaced+Plus');
    const key = uploadObjectKey('CP Spaced+Plus', fileId, 'my diag+1.zip');
    await plainPut(key, 'spaced');
    expect(eventFor(key, 6).Records[0]!.s3.object.key).toContain('my+diag%2B1.zip');
    await handler(eventFor(key, 6), context);
    expect(await fileOf(fileId)).toMatchObject({ status: 'uploaded', name: 'my diag+1.zip', s3Key: key, uploadedAt: at(7) });
  });

  it('records every good record of an event and then fails it, so Lambda delivers it again', async () => {
    const fileId = await requested('CP-Batch');
    const key = uploadObjectKey('CP-Batch', fileId, 'diag.zip');
    await plainPut(key, 'batch');
    const bad = eventFor('chargers/x/y/z', 1).Records[0]!;
    const event = { Records: [{ ...bad, s3: { ...bad.s3, object: { ...bad.s3.object, key: 'chargers/%E0%A4%A' } } }, ...eventFor(key, 5).Records] };
    await expect(handler(event, context)).rejects.toThrow(/1 of 2 landed object\(s\) not recorded/);
    expect(await fileOf(fileId)).toMatchObject({ status: 'uploaded', size: 5 });
    // Delivered again: the recorded file stays as it is, and the event still fails on its bad record alone.
    await expect(handler(event, context)).rejects.toThrow(/1 of 2/);
    expect(await fileOf(fileId)).toMatchObject({ status: 'uploaded', uploadedAt: at(7) });
  });
});
