/**
 * Firmware images and firmware updates on DynamoDB Local and a local S3 (fauxqs), through the real SDKs: an image is
 * declared `requested` with a presigned PUT bound to its checksum, listed newest first from its index, and `uploaded`
 * only by an object with the declared checksum; UpdateFirmware / SignedUpdateFirmware commands sent with its id get a
 * short download URL of the file endpoint (its token masked in the stored command, stored hashed with the update in one
 * transaction), the signature where the action takes it, and an update record the charger's status notifications land
 * on (one UpdateItem with a request id, a Query more without); refusals leave neither a command nor an update behind.
 * The file endpoint answers GET / HEAD of such a URL with a redirect to a presigned request of that image only, for any
 * number of requests until the token expires (404 unknown, 410 expired).
 */
import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import type { Command } from '#shared/command/command.ts';
import { submitCommandTo } from '#shared/command/commands.ts';
import { effectOf } from '#shared/command/effects.ts';
import type { CommandRef } from '#shared/command/ports.ts';
import { idFromSeed } from '#shared/command/request-id.ts';
import type { Deps } from '#shared/deps.ts';
import { DeclareFirmwareSchema } from '#shared/file/firmware-api.ts';
import { declareFirmware, getFirmware, listFirmware } from '#shared/file/firmware.ts';
import { answerFileRequest } from '#shared/file/file-endpoint.ts';
import { DOWNLOAD_REDIRECT_SECONDS } from '#shared/file/firmware-download.ts';
import { listFirmwareUpdates, MIN_LOCATION_SECONDS, recordFirmwareStatus, type FirmwareUpdate } from '#shared/file/firmware-update.ts';
import type { FileObjects } from '#shared/file/objects.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { loadValidators } from '#shared/ocpp/validate.ts';
import { hashUploadToken, issueUploadToken, newUploadToken } from '#shared/file/upload-token.ts';
import { fileObjectStore } from '#shared/store/file-object-store.ts';
import { MAX_FIRMWARE_REPORTS } from '#shared/store/firmware-update-store.ts';
import { downloadTokenKey, fileKey, FIRMWARE_FILES_PK, firmwareUpdateKey } from '#shared/store/keys.ts';
import { startLocalS3, type LocalS3 } from '../../support/s3.ts';
import { deleteFile } from '#shared/file/file-api.ts';
import { countingRequests, currentSecond, depsAt, openStoreFixture, STORAGE_ATTRIBUTES, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
let s3: LocalS3;
let objects: FileObjects;
let now: Date;
const queued: CommandRef[] = [];
const queue = { enqueue: async (ref: CommandRef) => void queued.push(ref) };

beforeAll(async () => {
  [f, s3] = await Promise.all([openStoreFixture(), startLocalS3()]);
  objects = fileObjectStore(s3.client, s3.bucket());
  now = currentSecond();
});
afterAll(async () => Promise.all([f?.close(), s3?.stop()]));

const sha = (bytes: string) => createHash('sha256').update(bytes).digest('hex');
/** Where the stage's file endpoint is (only its name matters here: the handler is called directly). */
const ENDPOINT = 'https://files.example.test';
/** The fixture's stores on a fixed clock `seconds` from now, with the local bucket and the file endpoint. */
const deps = (seconds = 0): Deps => ({ ...depsAt(f, new Date(now.getTime() + seconds * 1000)), files: { objects, endpoints: { uploads: ENDPOINT } } });
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

/** Declares an image, PUTs `bytes` to its presigned URL and records what landed, as the bucket event would. */
const uploaded = async (bytes: string, extra: { signingCertificate?: string; signature?: string } = {}) => {
  const declared = await declareFirmware(deps(), { body: { name: 'fw.bin', sha256: sha(bytes), ...extra }, createdBy: 'op' });
  const put = await fetch(declared.upload.url, { method: 'PUT', body: bytes, headers: declared.upload.headers });
  expect(put.status).toBe(200);
  await f.deps.stores.files.markUploaded(declared.fileId, { name: 'fw.bin', size: bytes.length, sha256: (await objects.sha256Of(declared.s3Key))!, s3Key: declared.s3Key, at: at(1) });
  return declared;
};

const send = (chargerId: string, protocol: OcppProtocol, action: string, payload: unknown, extra: { firmwareId?: string; requestKey?: string } = {}) =>
  submitCommandTo({ ...deps(), queue }, { chargerId, protocol }, { action, payload, requestedBy: 'op', ...extra });

const sent = async (chargerId: string, protocol: OcppProtocol, action: string, payload: unknown, extra: { firmwareId?: string; requestKey?: string } = {}) => {
  const out = await send(chargerId, protocol, action, payload, extra);
  if (!out.ok) throw new Error(`refused: ${out.detail}`);
  return out.value;
};
/** What the charger gets (the unmasked payload), as the dispatcher would send it. */
const onTheWire = (command: Command) => (command.sendPayload ?? command.payload) as Record<string, any>; // payloads read field by field
const updatesOf = async (chargerId: string) => (await f.deps.stores.firmwareUpdates.listForCharger(chargerId)).items;
/** How many download tokens the table holds (their partition keys start DOWNLOAD#). */
const downloadTokenCount = async (): Promise<number> =>
  ((await f.raw.send(new ScanCommand({ TableName: f.tables.names.Csms, ConsistentRead: true }))).Items ?? []).filter((i) => String(i.pk).startsWith('DOWNLOAD#')).length;
/** A generated location's shape: the endpoint, /firmware/, a token, the image's name. */
const DOWNLOAD_URL = (name: string) => new RegExp(`^${ENDPOINT}/firmware/[A-Za-z0-9_-]{43}/${name}$`);

/** The file endpoint's answer to `method` of `url` (a generated location, or one made from it), at `seconds` from now. */
const fetchThroughEndpoint = (url: string, method = 'GET', seconds = 0) =>
  answerFileRequest(
    { ...deps(seconds), log: f.deps.log, files: { objects, endpoints: { uploads: ENDPOINT } } },
    { method, segments: new URL(url).pathname.split('/').filter((s) => s !== '').map(decodeURIComponent), headers: {}, body: new Uint8Array(), maxBytes: 1_000 },
  );
/** The bytes a charger gets by following the endpoint's redirect. */
const downloaded = async (url: string, seconds = 0): Promise<string> => {
  const answer = await fetchThroughEndpoint(url, 'GET', seconds);
  if (answer.status !== 302) throw new Error(`answered ${answer.status}`);
  return (await fetch(answer.location)).text();
};

describe('firmware images', () => {
  it('declares an image requested with a PUT bound to its checksum, lists it newest first, and reads it back', async () => {
    // As the route parses it: the checksum in any case of hex.
    const body = DeclareFirmwareSchema.parse({ name: '../odd/"name".bin', sha256: sha('a').toUpperCase(), version: '1.0' });
    const first = await declareFirmware(deps(-10), { body, createdBy: 'alice' });
    const second = await declareFirmware(deps(), { body: { name: 'fw-2.bin', sha256: sha('b'), signingCertificate: CERT, signature: 'c2ln' }, createdBy: 'bob' });
    expect(first).toMatchObject({ kind: 'firmware', status: 'requested', name: 'name.bin', sha256: sha('a'), version: '1.0', createdBy: 'alice', createdAt: at(-10) });
    expect(first.s3Key).toBe(`firmware/${first.fileId}/name.bin`);
    expect(first.upload.headers).toEqual({ 'x-amz-checksum-sha256': Buffer.from(sha('a'), 'hex').toString('base64') });
    expect(first.upload.expiresAt).toBe(at(-10 + 900));
    const { upload: _upload, ...record } = second;
    expect((await getFirmware(f.deps, second.fileId))).toEqual({ ok: true, value: record });
    expect(await f.item('Csms', fileKey(second.fileId))).toMatchObject({ gsi1pk: FIRMWARE_FILES_PK, gsi1sk: `${at(0)}#${second.fileId}`, type: 'File' });

    const listed = (await listFirmware(f.deps, { limit: 500 })).items.map((i) => i.fileId);
    expect(listed.indexOf(second.fileId)).toBeLessThan(listed.indexOf(first.fileId));
    for (const item of (await listFirmware(f.deps, {})).items) for (const a of STORAGE_ATTRIBUTES) expect(item).not.toHaveProperty(a);
  });

  it('is uploaded only by an object with the declared checksum', async () => {
    const declared = await declareFirmware(deps(), { body: { name: 'fw.bin', sha256: sha('the image') }, createdBy: 'op' });
    const landed = { name: 'fw.bin', size: 9, s3Key: declared.s3Key, at: at(5) };
    expect(await f.deps.stores.files.markUploaded(declared.fileId, { ...landed, sha256: sha('other bytes') })).toBeUndefined();
    expect(await f.deps.stores.files.get(declared.fileId, true)).toMatchObject({ status: 'requested' });
    expect(await f.deps.stores.files.markUploaded(declared.fileId, { ...landed, sha256: sha('the image') })).toMatchObject({ status: 'uploaded', size: 9, uploadedAt: at(5) });
  });

  it('is no firmware when the id names a charger’s file or nothing', async () => {
    expect(await getFirmware(f.deps, '00000000-0000-4000-8000-000000000000')).toMatchObject({ ok: false, reason: 'not-found' });
    const issued = await issueUploadToken(f.deps, { chargerId: 'CP-FWDIAG', commandId: 'cmd-diag', kind: 'diagnostics' });
    expect(await getFirmware(f.deps, issued.fileId)).toMatchObject({ ok: false, reason: 'not-found' });
  });

  it('takes a signature only with its certificate, and the checksum as 64 hex digits', () => {
    const refused = (body: unknown) => DeclareFirmwareSchema.safeParse(body).error?.issues.map((i) => i.path.join('.'));
    expect(refused({ name: 'fw.bin', sha256: sha('x'), signature: 'c2ln' })).toEqual(['signature']);
    expect(refused({ name: 'fw.bin', sha256: 'abc' })).toEqual(['sha256']);
    expect(refused({ name: 'fw.bin', sha256: sha('x'), signingCertificate: 'not pem', signature: 'c2ln' })).toEqual(['signingCertificate']);
    expect(refused({ name: 'fw.bin', sha256: sha('x'), location: 'https://x' })).toEqual(['']);
    expect(refused({ name: 'fw.bin', sha256: sha('x'), signingCertificate: CERT, signature: 'c2ln' })).toBeUndefined();
  });
});

describe('UpdateFirmware with a firmwareId', () => {
  it('1.6: a download URL of the file endpoint (its token masked as stored), retrieve date now, and an update under a derived request id', async () => {
    const image = await uploaded('firmware for 1.6');
    const command = await sent('CP-FW16', 'ocpp1.6', 'UpdateFirmware', { retries: 1 }, { firmwareId: image.fileId });
    const wire = onTheWire(command);
    expect(wire).toEqual({ location: expect.stringMatching(DOWNLOAD_URL('fw.bin')), retrieveDate: at(0), retries: 1 });
    expect(await downloaded(wire.location as string)).toBe('firmware for 1.6');
    const token = (wire.location as string).split('/').at(-2)!;
    expect((command.payload as { location: string }).location).toBe(`${ENDPOINT}/firmware/***/fw.bin`);
    expect(JSON.stringify(command.payload)).not.toContain(token);
    expect(queued.at(-1)).toEqual({ commandId: command.commandId, chargerId: 'CP-FW16' });

    const update: FirmwareUpdate = {
      chargerId: 'CP-FW16',
      requestId: idFromSeed(command.commandId, 1),
      commandId: command.commandId,
      action: 'UpdateFirmware',
      protocol: 'ocpp1.6',
      firmwareId: image.fileId,
      retrieveAt: at(0),
      locationExpiresAt: at(MIN_LOCATION_SECONDS),
      requestedAt: at(0),
      reports: [],
    };
    expect(await updatesOf('cp-fw16')).toEqual([update]);
    // Stored by its hash only, bound to the charger, the command and the image; TTL a day after it expires.
    const stored = await f.item('Csms', downloadTokenKey(hashUploadToken(token)));
    expect(stored).toMatchObject({
      chargerId: 'CP-FW16',
      commandId: command.commandId,
      fileId: image.fileId,
      s3Key: image.s3Key,
      name: 'fw.bin',
      validUntil: at(MIN_LOCATION_SECONDS),
      expiresAt: Math.floor(Date.parse(at(MIN_LOCATION_SECONDS)) / 1000) + 86_400,
    });
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('prepares with three requests: the command’s GetItem (a retry?), the image’s, and one transaction of the update and its token', async () => {
    const image = await uploaded('counted');
    await loadValidators('ocpp2.0.1');
    const input = { chargerId: 'CP-FWCOUNT', protocol: 'ocpp2.0.1' as const, commandId: 'c-fwcount', firmwareId: image.fileId, payload: { firmware: {} } };
    const { result, requests } = await countingRequests(() => effectOf('UpdateFirmware')!.prepare!(deps(), input));
    expect(requests).toBe(3);
    expect((result as { firmware: { location: string } }).firmware.location).toMatch(DOWNLOAD_URL('fw.bin'));
  });

  it('2.0.1: the location in `firmware` within its 512 characters, the image’s signature added, the request id derived from the command id', async () => {
    const image = await uploaded('signed firmware', { signingCertificate: CERT, signature: 'c2lnbmF0dXJl' });
    const retrieveDateTime = at(600);
    const command = await sent('CP-FW2', 'ocpp2.0.1', 'UpdateFirmware', { firmware: { retrieveDateTime } }, { firmwareId: image.fileId });
    const wire = onTheWire(command);
    expect(wire).toEqual({
      requestId: idFromSeed(command.commandId, 1),
      firmware: { location: expect.stringMatching(DOWNLOAD_URL('fw.bin')), retrieveDateTime, signingCertificate: CERT, signature: 'c2lnbmF0dXJl' },
    });
    expect((wire.firmware.location as string).length).toBeLessThanOrEqual(512);
    expect(await downloaded(wire.firmware.location as string)).toBe('signed firmware');
    expect(await updatesOf('CP-FW2')).toEqual([
      expect.objectContaining({ requestId: wire.requestId, retrieveAt: retrieveDateTime, locationExpiresAt: at(600 + 900), firmwareId: image.fileId }),
    ]);
  });

  it('takes a retrieve date days ahead: the location lives to it, its retries and a quarter hour', async () => {
    const image = await uploaded('later');
    const retrieveDateTime = at(2 * 86_400);
    const command = await sent('CP-FWLATER', 'ocpp2.0.1', 'UpdateFirmware', { retries: 3, retryInterval: 3600, firmware: { retrieveDateTime } }, { firmwareId: image.fileId });
    const expiresAt = at(2 * 86_400 + 3 * 3600 + 900);
    expect(await updatesOf('CP-FWLATER')).toEqual([expect.objectContaining({ retrieveAt: retrieveDateTime, locationExpiresAt: expiresAt })]);
    const location = onTheWire(command).firmware.location as string;
    // Still good a second before it expires, long after any role session that could have signed a URL.
    expect(await downloaded(location, 2 * 86_400 + 3 * 3600 + 899)).toBe('later');
    expect(await fetchThroughEndpoint(location, 'GET', 2 * 86_400 + 3 * 3600 + 900)).toMatchObject({ status: 410 });
  });

  it('1.6 SignedUpdateFirmware: takes a signed image’s certificate and signature, refuses an unsigned image', async () => {
    const signed = await uploaded('signed 1.6', { signingCertificate: CERT, signature: 'c2ln' });
    const command = await sent('CP-FWS', 'ocpp1.6', 'SignedUpdateFirmware', { requestId: 44 }, { firmwareId: signed.fileId });
    expect(onTheWire(command)).toEqual({ requestId: 44, firmware: { location: expect.any(String), retrieveDateTime: at(0), signingCertificate: CERT, signature: 'c2ln' } });
    expect((await f.deps.stores.firmwareUpdates.listForCharger('CP-FWS')).items).toEqual([expect.objectContaining({ requestId: 44, action: 'SignedUpdateFirmware' })]);

    const unsigned = await uploaded('unsigned');
    const refused = await send('CP-FWS', 'ocpp1.6', 'SignedUpdateFirmware', {}, { firmwareId: unsigned.fileId });
    expect(refused).toMatchObject({ ok: false, reason: 'invalid', field: '/firmwareId' });
    expect(!refused.ok && refused.detail).toMatch(/is not signed/);
  });

  it('refuses an unknown image, one not uploaded yet, a location given too, a retrieve date over a week ahead, a stage without file endpoint: nothing recorded', async () => {
    const image = await uploaded('image');
    const pending = await declareFirmware(deps(), { body: { name: 'fw.bin', sha256: sha('pending') }, createdBy: 'op' });
    const before = queued.length;
    const refusals = [
      [await send('CP-FWR', 'ocpp1.6', 'UpdateFirmware', {}, { firmwareId: '00000000-0000-4000-8000-000000000000' }), 'not-found', undefined],
      [await send('CP-FWR', 'ocpp1.6', 'UpdateFirmware', {}, { firmwareId: pending.fileId }), 'conflict', '/firmwareId'],
      [await send('CP-FWR', 'ocpp2.0.1', 'UpdateFirmware', { firmware: { location: 'https://mine/fw' } }, { firmwareId: image.fileId }), 'invalid', '/firmwareId'],
      [await send('CP-FWR', 'ocpp1.6', 'UpdateFirmware', { retrieveDate: at(8 * 86_400) }, { firmwareId: image.fileId }), 'invalid', '/payload/retrieveDate'],
      [await send('CP-FWR', 'ocpp2.0.1', 'UpdateFirmware', { firmware: { retrieveDateTime: at(8 * 86_400) } }, { firmwareId: image.fileId }), 'invalid', '/payload/firmware/retrieveDateTime'],
      [
        await submitCommandTo({ ...deps(), files: { objects, endpoints: {} }, queue }, { chargerId: 'CP-FWR', protocol: 'ocpp1.6' }, { action: 'UpdateFirmware', payload: {}, requestedBy: 'op', firmwareId: image.fileId }),
        'invalid',
        '/firmwareId',
      ],
    ] as const;
    for (const [out, reason, field] of refusals) expect(out).toMatchObject({ ok: false, reason, ...(field ? { field } : {}) });
    expect(!refusals[1][0].ok && refusals[1][0].detail).toMatch(/not uploaded yet/);
    expect(!refusals[3][0].ok && refusals[3][0].detail).toMatch(/send the command nearer the time/);
    expect(!refusals[5][0].ok && refusals[5][0].detail).toMatch(/no HTTPS file endpoint/);
    expect(queued.length).toBe(before);
    expect(await updatesOf('CP-FWR')).toEqual([]);
  });

  it('records an update for a location of the operator’s own too, but none for a payload its schema refuses', async () => {
    const own = await sent('CP-FWOWN', 'ocpp1.6', 'UpdateFirmware', { location: 'https://mine.example/fw.bin', retrieveDate: at(0) });
    expect(own.payload).toEqual({ location: 'https://mine.example/fw.bin', retrieveDate: at(0) });
    expect(await updatesOf('CP-FWOWN')).toEqual([expect.objectContaining({ commandId: own.commandId, retrieveAt: at(0) })]);
    expect((await updatesOf('CP-FWOWN'))[0]).not.toHaveProperty('firmwareId');
    expect(await send('CP-FWOWN', 'ocpp1.6', 'UpdateFirmware', { location: 'https://mine.example/fw.bin', retrieveDate: at(0), retries: 'x' })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await updatesOf('CP-FWOWN')).toHaveLength(1);
  });

  it('a retried submission (same request key) is the same command and the same update, whose progress it keeps', async () => {
    const image = await uploaded('retried');
    const first = await sent('CP-FWRETRY', 'ocpp2.0.1', 'UpdateFirmware', { firmware: {} }, { firmwareId: image.fileId, requestKey: 'op\nCP-FWRETRY\nk-1' });
    const requestId = (first.payload as { requestId: number }).requestId;
    // The charger got it and reports, before the operator's retry arrives.
    const work: Promise<unknown>[] = [];
    recordFirmwareStatus({ stores: f.deps.stores, alongside: (p) => void work.push(p), chargerId: 'CP-FWRETRY', messageId: 'm-retry', receivedAt: new Date(now.getTime() + 2000) }, { status: 'Downloading', requestId });
    await Promise.all(work);
    const tokensBefore = await downloadTokenCount();
    const again = await sent('CP-FWRETRY', 'ocpp2.0.1', 'UpdateFirmware', { firmware: {} }, { firmwareId: image.fileId, requestKey: 'op\nCP-FWRETRY\nk-1' });
    expect(again.commandId).toBe(first.commandId);
    const updates = await updatesOf('CP-FWRETRY');
    expect(updates.map((u) => [u.commandId, u.requestId, u.status, u.reports.length])).toEqual([[first.commandId, requestId, 'Downloading', 1]]);
    expect(await downloadTokenCount()).toBe(tokensBefore);
  });
});

describe('downloads through the file endpoint', () => {
  let image: Awaited<ReturnType<typeof uploaded>>;
  let location = '';
  beforeAll(async () => {
    image = await uploaded('0123456789 the image bytes');
    location = onTheWire(await sent('CP-FWDL', 'ocpp2.0.1', 'UpdateFirmware', { firmware: {} }, { firmwareId: image.fileId })).firmware.location as string;
  });

  it('GET: two GetItems (the token, the image), then 302 to a presigned GET of the image, minutes long, that brings its exact bytes; again and again', async () => {
    const { result, requests } = await countingRequests(() => fetchThroughEndpoint(location));
    expect(requests).toBe(2);
    expect(result).toEqual({ status: 302, location: expect.stringContaining(`/${image.s3Key}?`) });
    const redirect = (result as { location: string }).location;
    expect(redirect).toContain(`X-Amz-Expires=${DOWNLOAD_REDIRECT_SECONDS}`);
    expect(await (await fetch(redirect)).text()).toBe('0123456789 the image bytes');
    // A charger resuming: a Range request on the redirect.
    const part = await fetch(redirect, { headers: { range: 'bytes=11-' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('the image bytes');
    for (let i = 0; i < 3; i++) expect(await downloaded(location, 60 * i)).toBe('0123456789 the image bytes');
  });

  it('HEAD: 302 to a presigned HEAD of the image, which answers its size', async () => {
    const answer = await fetchThroughEndpoint(location, 'HEAD');
    expect(answer).toMatchObject({ status: 302 });
    const head = await fetch((answer as { location: string }).location, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('0123456789 the image bytes'.length));
  });

  it('serves the token’s own image whatever name (or path) follows the token', async () => {
    const base = location.slice(0, location.lastIndexOf('/'));
    for (const url of [base, `${base}/other.bin`, `${base}/..%2F..%2Fchargers%2Fx`, `${base}/a/b/c`]) {
      const answer = await fetchThroughEndpoint(url);
      expect(answer, url).toEqual({ status: 302, location: expect.stringContaining(`/${image.s3Key}?`) });
    }
  });

  it('404 for a token never issued (one GetItem) or text that is no token (no request); 410 once expired; nothing said of why', async () => {
    const unknown = await countingRequests(() => fetchThroughEndpoint(`${ENDPOINT}/firmware/${newUploadToken()}/fw.bin`));
    expect(unknown).toEqual({ result: { status: 404, detail: 'No firmware at this URL.' }, requests: 1 });
    for (const path of ['/firmware/not-a-token/fw.bin', '/firmware', '/firmware/']) {
      const malformed = await countingRequests(() => fetchThroughEndpoint(`${ENDPOINT}${path}`));
      expect(malformed, path).toEqual({ result: { status: 404, detail: 'No firmware at this URL.' }, requests: 0 });
    }
    expect(await fetchThroughEndpoint(location, 'GET', MIN_LOCATION_SECONDS)).toMatchObject({ status: 410 });
    expect(await fetchThroughEndpoint(location, 'HEAD', MIN_LOCATION_SECONDS + 3600)).toMatchObject({ status: 410 });
  });

  it('410 once the image is deleted: no redirect to bytes that are gone', async () => {
    const doomed = await uploaded('soon deleted');
    const url = onTheWire(await sent('CP-FWDEL', 'ocpp2.0.1', 'UpdateFirmware', { firmware: {} }, { firmwareId: doomed.fileId })).firmware.location as string;
    expect(await fetchThroughEndpoint(url)).toMatchObject({ status: 302 });
    expect(await deleteFile({ ...deps(), files: { objects, endpoints: {} } }, doomed.fileId, 'op')).toMatchObject({ ok: true });
    expect(await fetchThroughEndpoint(url)).toEqual({ status: 410, detail: 'The firmware image of this URL was deleted.' });
    expect(await fetchThroughEndpoint(url, 'HEAD')).toMatchObject({ status: 410 });
  });

  it('a download token is no upload token: a PUT to its URL is refused and writes nothing', async () => {
    const put = await answerFileRequest(
      { ...deps(), log: f.deps.log, files: { objects, endpoints: { uploads: ENDPOINT } } },
      { method: 'PUT', segments: new URL(location).pathname.split('/').filter((s) => s !== ''), headers: { contentType: 'application/octet-stream' }, body: Buffer.from('evil'), maxBytes: 1_000 },
    );
    expect(put).toMatchObject({ status: 401 });
    expect(await objects.sha256Of(image.s3Key)).toBe(sha('0123456789 the image bytes'));
  });
});

describe('firmware update progress', () => {
  /** A charger message's context: its stores and the alongside work, awaited like a unit of work's commit. */
  const notify = async (chargerId: string, notification: { status: string; requestId?: number }, seconds: number, messageId = `m-${seconds}`) => {
    const work: Promise<unknown>[] = [];
    recordFirmwareStatus({ stores: f.deps.stores, alongside: (p) => void work.push(p), chargerId, messageId, receivedAt: new Date(now.getTime() + seconds * 1000) }, notification);
    await Promise.all(work);
  };

  it('2.x: the answer and each status on the update the request id names, one UpdateItem per status', async () => {
    const command = await sent('CP-FWP2', 'ocpp2.0.1', 'UpdateFirmware', { requestId: 71, firmware: { location: 'https://mine.example/a.bin', retrieveDateTime: at(0) } });
    await effectOf('UpdateFirmware')!.answered!(deps(2), { command, result: { status: 'Accepted' } });
    const { requests } = await countingRequests(() => notify('CP-FWP2', { status: 'Downloading', requestId: 71 }, 3));
    expect(requests).toBe(1);
    await notify('CP-FWP2', { status: 'Installed', requestId: 71 }, 9);
    await notify('CP-FWP2', { status: 'Downloading', requestId: 72 }, 10);
    await notify('CP-FWP2', { status: 'Idle' }, 11);
    expect(await updatesOf('CP-FWP2')).toEqual([
      expect.objectContaining({
        requestId: 71,
        answer: 'Accepted',
        answeredAt: at(2),
        status: 'Installed',
        reportedAt: at(9),
        reports: [
          { status: 'Downloading', at: at(3), messageId: 'm-3' },
          { status: 'Installed', at: at(9), messageId: 'm-9' },
        ],
      }),
    ]);
    expect(await f.item('Csms', firmwareUpdateKey('CP-FWP2', 72))).toBeUndefined();
  });

  it('1.6: a status without a request id goes to the charger’s newest update (a Query and an UpdateItem)', async () => {
    const older = await sent('CP-FWP16', 'ocpp1.6', 'UpdateFirmware', { location: 'https://mine.example/a.bin', retrieveDate: at(0) });
    const newer = await submitCommandTo({ ...deps(5), queue }, { chargerId: 'CP-FWP16', protocol: 'ocpp1.6' }, { action: 'UpdateFirmware', payload: { location: 'https://mine.example/b.bin', retrieveDate: at(5) }, requestedBy: 'op' });
    expect(newer.ok).toBe(true);
    await effectOf('UpdateFirmware')!.answered!(deps(6), { command: older, result: {} });
    const { requests } = await countingRequests(() => notify('CP-FWP16', { status: 'DownloadFailed' }, 7));
    expect(requests).toBe(2);
    const [newest, oldest] = await updatesOf('CP-FWP16');
    expect(newest).toMatchObject({ retrieveAt: at(5), status: 'DownloadFailed', reports: [{ status: 'DownloadFailed', at: at(7), messageId: 'm-7' }] });
    expect(oldest).toMatchObject({ commandId: older.commandId, answeredAt: at(6), reports: [] });
    expect(oldest).not.toHaveProperty('answer');
  });

  it('keeps at most MAX_FIRMWARE_REPORTS reports on one update; a charger with none changes nothing', async () => {
    await sent('CP-FWMAX', 'ocpp2.0.1', 'UpdateFirmware', { requestId: 5, firmware: { location: 'https://mine.example/a.bin', retrieveDateTime: at(0) } });
    for (let i = 0; i < MAX_FIRMWARE_REPORTS + 2; i++) await notify('CP-FWMAX', { status: 'Downloading', requestId: 5 }, i);
    expect((await updatesOf('CP-FWMAX'))[0]!.reports).toHaveLength(MAX_FIRMWARE_REPORTS);
    await notify('CP-FWNONE', { status: 'Downloading' }, 1);
    expect(await updatesOf('CP-FWNONE')).toEqual([]);
  });

  it('lists a registered charger’s updates, newest first, under any case of its id; 404 for an unknown charger', async () => {
    expect(await createCharger(f.deps, { chargerId: 'CP-FWLIST', password: 'a-chosen-password-1' })).toMatchObject({ created: true });
    const a = await sent('CP-FWLIST', 'ocpp2.0.1', 'UpdateFirmware', { requestId: 1, firmware: { location: 'https://mine.example/a.bin', retrieveDateTime: at(0) } });
    const b = await submitCommandTo({ ...deps(1), queue }, { chargerId: 'CP-FWLIST', protocol: 'ocpp2.0.1' }, { action: 'UpdateFirmware', payload: { requestId: 2, firmware: { location: 'https://mine.example/b.bin', retrieveDateTime: at(0) } }, requestedBy: 'op' });
    const listed = await listFirmwareUpdates(f.deps, 'cp-fwlist', {});
    expect(listed.ok && listed.value.items.map((u) => u.commandId)).toEqual([b.ok && b.value.commandId, a.commandId]);
    for (const item of listed.ok ? listed.value.items : []) for (const attr of STORAGE_ATTRIBUTES) expect(item).not.toHaveProperty(attr);
    expect(await listFirmwareUpdates(f.deps, 'CP-FW-NOBODY', {})).toMatchObject({ ok: false, reason: 'not-found' });
  });
});
