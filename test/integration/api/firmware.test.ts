/**
 * The firmware routes through the real handlers against DynamoDB Local and a local S3 (fauxqs): an operator declares
 * an image and PUTs it to the URL the answer gives, every role reads images and a charger's firmware updates, a viewer
 * may not declare, and a body the schema refuses names its field.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirmwareRoute, getFirmwareRoute, listChargerFirmwareUpdatesRoute, listFirmwareRoute } from '#functions/api/firmware/routes.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { filesBucket } from '#shared/store/buckets.ts';
import { personClaims, startApiHarness, type ApiHarness } from '../../support/api-harness.ts';
import { startLocalS3, type LocalS3 } from '../../support/s3.ts';

const operator = personClaims('otto', ['operator']);
const viewer = personClaims('vera', ['viewer']);
const sha = (bytes: string) => createHash('sha256').update(bytes).digest('hex');

let s3: LocalS3;
let api: ApiHarness;
beforeAll(async () => {
  s3 = await startLocalS3();
  api = await startApiHarness({ AWS_ENDPOINT_URL_S3: s3.endpoint, [filesBucket.envVar]: s3.bucket() });
});
afterAll(async () => {
  await api?.close();
  await s3?.stop();
});

describe('POST /firmware', () => {
  it('declares the image and answers 201 with a presigned PUT that stores the bytes under its key', async () => {
    const res = await api.call(createFirmwareRoute, { body: { name: 'fw-1.2.bin', sha256: sha('image'), version: '1.2', description: 'fixes' }, claims: operator });
    expect(res.status).toBe(201);
    expect(res.headers.Location).toBe(`/firmware/${res.body.fileId}`);
    expect(res.body).toMatchObject({ kind: 'firmware', status: 'requested', name: 'fw-1.2.bin', sha256: sha('image'), version: '1.2', createdBy: 'otto' });
    expect(res.body.upload).toEqual({ url: expect.stringContaining(`/firmware/${res.body.fileId}/fw-1.2.bin?`), headers: { 'x-amz-checksum-sha256': expect.any(String) }, expiresAt: expect.any(String) });
    const put = await fetch(res.body.upload.url, { method: 'PUT', body: 'image', headers: res.body.upload.headers });
    expect(put.status).toBe(200);
    expect(await api.deps.files!.objects!.sha256Of(res.body.s3Key)).toBe(sha('image'));
  });

  it('refuses a viewer (403) and a body the schema refuses (400 naming the field)', async () => {
    expect((await api.call(createFirmwareRoute, { body: { name: 'fw.bin', sha256: sha('x') }, claims: viewer })).status).toBe(403);
    const bad = await api.call(createFirmwareRoute, { body: { name: 'fw.bin', sha256: 'not-hex' }, claims: operator });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('/sha256');
    expect((await api.call(createFirmwareRoute, { body: { name: 'fw.bin', sha256: sha('x'), location: 'x' }, claims: operator })).status).toBe(400);
  });
});

describe('GET /firmware', () => {
  it('lists images newest first to every role, and reads one (404 for none)', async () => {
    const a = (await api.call(createFirmwareRoute, { body: { name: 'a.bin', sha256: sha('a') }, claims: operator })).body;
    const list = await api.call(listFirmwareRoute, { claims: viewer, query: { limit: '500', fields: 'fileId,status' } });
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toEqual({ fileId: a.fileId, status: 'requested' });
    const one = await api.call(getFirmwareRoute, { params: { fileId: a.fileId }, claims: viewer });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ fileId: a.fileId, name: 'a.bin' });
    expect(one.body).not.toHaveProperty('upload');
    expect((await api.call(getFirmwareRoute, { params: { fileId: 'no-such-id' }, claims: viewer })).status).toBe(404);
  });
});

describe('GET /chargers/{chargerId}/firmware-updates', () => {
  it('answers a registered charger’s updates to every role, 404 for an unknown charger', async () => {
    expect(await createCharger(api.deps, { chargerId: 'CP-FWAPI', password: 'a-chosen-password-1' })).toMatchObject({ created: true });
    await api.deps.stores.firmwareUpdates.begin({
      chargerId: 'CP-FWAPI',
      requestId: 3,
      commandId: 'cmd-fw-api',
      action: 'UpdateFirmware',
      protocol: 'ocpp2.0.1',
      retrieveAt: '2026-03-01T10:00:00.000Z',
      requestedAt: '2026-03-01T10:00:00.000Z',
    });
    const res = await api.call(listChargerFirmwareUpdatesRoute, { params: { chargerId: 'cp-fwapi' }, claims: viewer });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ chargerId: 'CP-FWAPI', requestId: 3, commandId: 'cmd-fw-api', reports: [] })]);
    expect((await api.call(listChargerFirmwareUpdatesRoute, { params: { chargerId: 'CP-NOBODY' }, claims: viewer })).status).toBe(404);
  });
});
