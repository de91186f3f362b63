/**
 * Plain-HTTP firmware downloads on DynamoDB Local, a local S3 (fauxqs) and the local Secrets Manager, through the real
 * SDKs: an UpdateFirmware sent with `downloadVia: "http"` gets a location on the stage's firmware distribution, only
 * for a signed image and only where the stage has one; a download that came through the distribution (its host
 * header) is redirected to a CloudFront signed URL of that image on the same host, whose SHA-256 signature the
 * public key verifies; while the signing key secret is still the stack's placeholder the answer is 503; an upload
 * never goes over plain HTTP.
 */
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretReader } from '#functions/_common/secrets.ts';
import { SECRETS } from '#functions/_common/env.ts';
import { submitCommandTo } from '#shared/command/commands.ts';
import type { CommandRef } from '#shared/command/ports.ts';
import type { Deps } from '#shared/deps.ts';
import { answerFileRequest, type FileEndpointRequest } from '#shared/file/file-endpoint.ts';
import { DOWNLOAD_REDIRECT_SECONDS } from '#shared/file/firmware-download.ts';
import { FirmwareHttpNotSetUp, parseSigningKey, type FirmwareHttpSigner } from '#shared/file/firmware-http.ts';
import { firmwareHttpSigner } from '#shared/store/firmware-http-signer.ts';
import { declareFirmware } from '#shared/file/firmware.ts';
import type { FileAccess, FileObjects } from '#shared/file/objects.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { loadValidators } from '#shared/ocpp/validate.ts';
import { fileObjectStore } from '#shared/store/file-object-store.ts';
import { localSecretsManager } from '../../../bin/local/secrets.ts';
import { startLocalS3, type LocalS3 } from '../../support/s3.ts';
import { currentSecond, depsAt, openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
let s3: LocalS3;
let objects: FileObjects;
let now: Date;
const queue = { enqueue: async (_ref: CommandRef) => undefined };

const HTTPS_ENDPOINT = 'https://files.example.test';
const HTTP_ENDPOINT = 'http://d111111abcdef8.cloudfront.net';
const HOST = 'd111111abcdef8.cloudfront.net';
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const signingKeyJson = JSON.stringify({ keyPairId: KEY_PAIR_ID, privateKey: privatePem });

/** A signer reading the secret `value` through the real SDK from the local Secrets Manager, as the file endpoint does. */
const signerWith = async (value: string): Promise<FirmwareHttpSigner> => {
  const sm = await localSecretsManager();
  const id = `test/firmware-http-${Math.random().toString(36).slice(2)}`;
  sm.define(id, value);
  const read = createSecretReader({
    env: {
      [SECRETS.firmwareHttpSigningKey.envVar]: id,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
  });
  return firmwareHttpSigner(async () => (await read('firmwareHttpSigningKey')).current);
};

let signer: FirmwareHttpSigner;
beforeAll(async () => {
  [f, s3] = await Promise.all([openStoreFixture(), startLocalS3()]);
  objects = fileObjectStore(s3.client, s3.bucket());
  now = currentSecond();
  signer = await signerWith(signingKeyJson);
  await Promise.all((['ocpp1.6', 'ocpp2.0.1'] as const).map(loadValidators));
});
afterAll(async () => Promise.all([f?.close(), s3?.stop()]));

const sha = (bytes: string) => createHash('sha256').update(bytes).digest('hex');
const endpoints = { uploads: HTTPS_ENDPOINT, firmwareHttp: HTTP_ENDPOINT };
const deps = (over: Partial<FileAccess> = {}): Deps & { files: FileAccess } => ({ ...depsAt(f, now), files: { objects, endpoints, firmwareHttpSigner: signer, ...over } });

/** An image declared (signed or not) and recorded uploaded, as the bucket event would. */
const uploadedImage = async (signed: boolean) => {
  const bytes = `image ${Math.random()}`;
  const declared = await declareFirmware(deps(), { body: { name: 'fw.bin', sha256: sha(bytes), ...(signed ? { signingCertificate: CERT, signature: 'c2ln' } : {}) }, createdBy: 'op' });
  const put = await fetch(declared.upload.url, { method: 'PUT', body: bytes, headers: declared.upload.headers });
  expect(put.status).toBe(200);
  await f.deps.stores.files.markUploaded(declared.fileId, { name: 'fw.bin', size: bytes.length, sha256: sha(bytes), s3Key: declared.s3Key, at: now.toISOString() });
  return declared;
};

const send = (d: Deps, chargerId: string, protocol: OcppProtocol, extra: { firmwareId?: string; downloadVia?: 'https' | 'http' }) =>
  submitCommandTo({ ...d, queue }, { chargerId, protocol }, { action: 'UpdateFirmware', payload: {}, requestedBy: 'op', ...extra });

const request = (url: string, over: Partial<FileEndpointRequest> = {}): FileEndpointRequest => ({
  method: 'GET',
  segments: new URL(url).pathname.split('/').filter((s) => s !== '').map(decodeURIComponent),
  headers: {},
  body: new Uint8Array(),
  maxBytes: 1_000,
  httpHost: HOST,
  ...over,
});

/** CloudFront's URL-safe base64 back to standard base64. */
const fromCloudFrontBase64 = (s: string) => Buffer.from(s.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

describe('UpdateFirmware with downloadVia "http"', () => {
  it('a signed image gets a location on the firmware distribution, its token as for HTTPS', async () => {
    const image = await uploadedImage(true);
    const out = await send(deps(), 'CP-FWHTTP16', 'ocpp1.6', { firmwareId: image.fileId, downloadVia: 'http' });
    if (!out.ok) throw new Error(out.detail);
    const location = (out.value.sendPayload as { location: string }).location;
    expect(location).toMatch(new RegExp(`^${HTTP_ENDPOINT}/firmware/[A-Za-z0-9_-]{43}/fw\\.bin$`));
    expect(await f.deps.stores.firmwareUpdates.listForCharger('CP-FWHTTP16')).toMatchObject({ items: [{ firmwareId: image.fileId }] });
  });

  it('refuses an unsigned image, a stage without distribution, and downloadVia without a firmwareId: nothing recorded', async () => {
    const unsigned = await uploadedImage(false);
    const signed = await uploadedImage(true);
    const refusals = [
      await send(deps(), 'CP-FWHTTPNO', 'ocpp2.0.1', { firmwareId: unsigned.fileId, downloadVia: 'http' }),
      await send(deps({ endpoints: { uploads: HTTPS_ENDPOINT } }), 'CP-FWHTTPNO', 'ocpp2.0.1', { firmwareId: signed.fileId, downloadVia: 'http' }),
      await send(deps(), 'CP-FWHTTPNO', 'ocpp2.0.1', { downloadVia: 'http' }),
    ];
    for (const r of refusals) expect(r).toMatchObject({ ok: false, reason: 'invalid', field: '/downloadVia' });
    expect(refusals.map((r) => (r.ok ? '' : r.detail))).toEqual([
      expect.stringContaining('is not signed'),
      expect.stringContaining('no plain-HTTP firmware distribution'),
      expect.stringContaining('goes with a firmwareId'),
    ]);
    expect((await f.deps.stores.firmwareUpdates.listForCharger('CP-FWHTTPNO')).items).toEqual([]);
  });
});

describe('downloads through the firmware distribution', () => {
  const locationFor = async () => {
    const image = await uploadedImage(true);
    const out = await send(deps(), `CP-FWHTTPDL-${Math.random().toString(36).slice(2, 8)}`, 'ocpp2.0.1', { firmwareId: image.fileId, downloadVia: 'http' });
    if (!out.ok) throw new Error(out.detail);
    return { image, location: ((out.value.sendPayload as { firmware: { location: string } }).firmware.location) };
  };

  it('302 to the image on the same host, signed for CloudFront for a few minutes, a signature the public key verifies', async () => {
    const { image, location } = await locationFor();
    for (const method of ['GET', 'HEAD']) {
      const answer = await answerFileRequest(deps(), request(location, { method }));
      if (answer.status !== 302) throw new Error(`answered ${answer.status}`);
      const signed = new URL(answer.location);
      expect(`${signed.protocol}//${signed.host}${signed.pathname}`).toBe(`http://${HOST}/${image.s3Key}`);
      const expires = Number(signed.searchParams.get('Expires'));
      expect(expires).toBe(Math.floor(now.getTime() / 1000) + DOWNLOAD_REDIRECT_SECONDS);
      expect(signed.searchParams.get('Key-Pair-Id')).toBe(KEY_PAIR_ID);
      expect(signed.searchParams.get('Hash-Algorithm')).toBe('SHA256');
      // The canned policy CloudFront rebuilds from the URL and checks the signature against.
      const policy = JSON.stringify({ Statement: [{ Resource: `http://${HOST}/${image.s3Key}`, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }] });
      const signature = fromCloudFrontBase64(signed.searchParams.get('Signature')!);
      expect(verify('sha256', Buffer.from(policy), keys.publicKey, signature)).toBe(true);
      expect(verify('sha256', Buffer.from(policy.replace('fw.bin', 'other.bin')), keys.publicKey, signature)).toBe(false);
    }
  });

  it('without the distribution’s header: the HTTPS answer, a presigned S3 request', async () => {
    const { image, location } = await locationFor();
    const { httpHost: _none, ...https } = request(location);
    const answer = await answerFileRequest(deps(), https);
    expect(answer).toMatchObject({ status: 302, location: expect.stringContaining(`/${image.s3Key}?X-Amz-`) });
  });

  it('503 while the signing key secret is the stack’s placeholder or holds no key; 400 for a host that is no host', async () => {
    const { location } = await locationFor();
    const placeholder = await signerWith('Xq3placeholder0generated0by0stack');
    expect(await answerFileRequest(deps({ firmwareHttpSigner: placeholder }), request(location))).toMatchObject({ status: 503 });
    const wrongShape = await signerWith(JSON.stringify({ keyPairId: 'not-an-id', privateKey: 'x'.repeat(300) }));
    expect(await answerFileRequest(deps({ firmwareHttpSigner: wrongShape }), request(location))).toMatchObject({ status: 503 });
    expect(await answerFileRequest(deps(), request(location, { httpHost: 'evil.example/#' }))).toMatchObject({ status: 400 });
  });

  it('an upload never goes over plain HTTP: 404, nothing written', async () => {
    const answer = await answerFileRequest(deps(), request(`${HTTP_ENDPOINT}/CP-1/${'a'.repeat(43)}`, { method: 'PUT', body: new Uint8Array([1, 2]) }));
    expect(answer).toMatchObject({ status: 404 });
  });
});

describe('the signing key secret', () => {
  it('names what is wrong, never the value', () => {
    expect(() => parseSigningKey('not json')).toThrow(FirmwareHttpNotSetUp);
    expect(() => parseSigningKey(JSON.stringify({ keyPairId: 'K123', privateKey: 'secret-value' }))).toThrow(/keyPairId is not .*; privateKey is not a PEM private key/);
    expect(() => parseSigningKey(JSON.stringify({ keyPairId: 'K123', privateKey: 'secret-value' }))).not.toThrow(/secret-value/);
    expect(parseSigningKey(signingKeyJson)).toEqual({ keyPairId: KEY_PAIR_ID, privateKey: privatePem });
  });
});
