/**
 * Firmware end to end against a started local runtime: an operator declares an image (POST /firmware), PUTs it with
 * curl to the presigned URL the answer gives, the bucket's event has the landing recorded (RecordLandedFiles: the
 * bytes' checksum against the declared one), and UpdateFirmware commands sent with its `firmwareId` reach a 1.6 and a 2.0.1
 * charger (strict ocpp-rpc clients) with a short download URL of the CSMS's file endpoint (the `uploads` function URL),
 * which redirects GET and HEAD to a presigned request of the image: each charger gets the exact bytes through it, with
 * curl as a charger's HTTP client would and through the simulator's downloader, and a Range request resumes; their
 * FirmwareStatusNotifications show on GET /chargers/{id}/firmware-updates, and the command as shown keeps the URL's
 * token masked. With `downloadVia: "http"` a signed image goes through the plain-HTTP firmware distribution
 * (bin/local/firmware-edge.ts, CloudFront on AWS): its redirect is a CloudFront signed URL on the same host, and
 * the image is served only with a valid signature.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transferAfter } from '../../scripts/simulator/file-transfers.ts';
import { commandE2eFile, type Json } from '../support/command-e2e.ts';
import { runId } from '../support/e2e.ts';

const f = commandE2eFile('fw-admin');
const { api, send, follow, connect } = f;
const run = promisify(execFile);

const image = Buffer.from(`firmware image ${runId} ${'x'.repeat(4096)}`);
const sha256 = createHash('sha256').update(image).digest('hex');
let dir = '';
let firmwareId = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fw-e2e-'));
  await writeFile(path.join(dir, 'fw.bin'), image);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A generated location: the file endpoint, /firmware/, a 43-character token, the image's name. */
const DOWNLOAD_URL = /^http:\/\/[^/]+\/firmware\/[A-Za-z0-9_-]{43}\/fw\.bin$/;

/** What a charger's HTTP client gets from `location`, following the redirect: the body and the final status. */
const curlDownload = async (location: string, extra: string[] = []) => {
  const out = path.join(dir, `dl-${Math.random().toString(36).slice(2)}`);
  const { stdout } = await run('curl', ['-sS', '-L', '-o', out, '-w', '%{http_code} %{num_redirects}', ...extra, location]);
  return { status: stdout, body: await readFile(out) };
};

/** The charger's updates as the operator sees them, newest first. */
const updates = async (chargerId: string) => (await api('GET', `/chargers/${chargerId}/firmware-updates`)).body.items as Json[];

describe('firmware through the CSMS', () => {
  it('declares the image, takes its bytes through the presigned PUT, and records it uploaded once they landed', async () => {
    const declared = await api('POST', '/firmware', { name: 'fw.bin', sha256, version: '2.0' });
    expect(declared.status).toBe(201);
    firmwareId = declared.body.fileId as string;

    // Not sendable before it landed.
    const early = `CP-FWEARLY-${runId}`;
    await f.e.register({ chargerId: early, defaultProtocol: 'ocpp1.6' });
    const refused = await send(early, 'UpdateFirmware', {}, { firmwareId });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/not uploaded yet/);

    const { url, headers } = declared.body.upload as { url: string; headers: Record<string, string> };
    const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const put = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'PUT', ...headerArgs, '-T', path.join(dir, 'fw.bin'), url]);
    expect(put.stdout).toBe('200');

    // The bucket's ObjectCreated event reaches RecordLandedFiles, which checks the bytes against the declared checksum.
    await expect
      .poll(async () => (await api('GET', `/firmware/${firmwareId}`)).body, { timeout: 10_000 })
      .toMatchObject({ status: 'uploaded', sha256, size: image.length, version: '2.0', uploadedAt: expect.any(String) });
  });

  it('1.6: the charger gets a location it can download the image from; its statuses go on its newest update', async () => {
    const cp = `CP-FW16-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    const received: Json[] = [];
    client.handle('UpdateFirmware', async ({ params }: { params?: Json }) => {
      received.push(params ?? {});
      return {};
    });
    // A retrieve date hours ahead: the location is the CSMS's own, not bound to a signing session's hour.
    const retrieveDate = new Date(Date.now() + 3 * 3600_000).toISOString();
    const posted = await send(cp, 'UpdateFirmware', { retrieveDate, retries: 2, retryInterval: 60 }, { firmwareId });
    expect(posted.status).toBe(202);
    expect(posted.body.payload.location).toMatch(/\/firmware\/\*\*\*\/fw\.bin$/);
    expect(await follow(posted.body.commandId as string)).toMatchObject({ status: 'answered' });

    const location = received[0]!.location as string;
    expect(location).toMatch(DOWNLOAD_URL);
    const token = location.split('/').at(-2)!;
    // Followed with Node's fetch (as the simulator does) and with curl -L: one redirect, the exact bytes.
    expect(Buffer.from(await (await fetch(location)).arrayBuffer()).equals(image)).toBe(true);
    const whole = await curlDownload(location);
    expect(whole.status).toBe('200 1');
    expect(whole.body.equals(image)).toBe(true);
    // Resumed from byte 100, and asked for its size with HEAD.
    const rest = await curlDownload(location, ['-r', '100-']);
    expect(rest.status).toBe('206 1');
    expect(rest.body.equals(image.subarray(100))).toBe(true);
    const head = await run('curl', ['-sS', '-I', '-L', '-o', '/dev/null', '-w', '%{http_code}', location]);
    expect(head.stdout).toBe('200');
    // The redirect itself: 302 to a presigned GET of the image, never cached.
    const redirect = await fetch(location, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toContain(`/firmware/${firmwareId}/fw.bin?`);
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    // Another token, or none, finds nothing.
    expect((await fetch(location.replace(token, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`), { redirect: 'manual' })).status).toBe(404);
    await client.call('FirmwareStatusNotification', { status: 'Downloading' });
    await client.call('FirmwareStatusNotification', { status: 'Installed' });

    await expect.poll(() => updates(cp)).toEqual([
      expect.objectContaining({
        commandId: posted.body.commandId,
        action: 'UpdateFirmware',
        firmwareId,
        status: 'Installed',
        reports: [expect.objectContaining({ status: 'Downloading' }), expect.objectContaining({ status: 'Installed' })],
      }),
    ]);
    const shown = await api('GET', `/commands/${posted.body.commandId as string}`);
    expect(shown.body.payload.location).toMatch(/\/firmware\/\*\*\*\/fw\.bin$/);
    expect(JSON.stringify(shown.body)).not.toContain(token);
  });

  it('2.0.1: the location under `firmware` with the request id its statuses echo, and the answer on the update', async () => {
    const cp = `CP-FW201-${runId}`;
    const client = await connect(cp, 'ocpp2.0.1');
    const received: Json[] = [];
    client.handle('UpdateFirmware', async ({ params }: { params?: Json }) => {
      received.push(params ?? {});
      return { status: 'Accepted' };
    });
    const posted = await send(cp, 'UpdateFirmware', { firmware: {} }, { firmwareId });
    expect(posted.status).toBe(202);
    expect(await follow(posted.body.commandId as string)).toMatchObject({ status: 'answered', outcome: 'accepted' });

    const requestId = received[0]!.requestId as number;
    expect(requestId).toBe(posted.body.payload.requestId);
    const location = (received[0]!.firmware as Json).location as string;
    // Within the 512 characters of 2.0.1 (the command was not refused), and the exact bytes through it.
    expect(location).toMatch(DOWNLOAD_URL);
    expect(location.length).toBeLessThanOrEqual(512);
    const got = await curlDownload(location);
    expect(got.status).toBe('200 1');
    expect(got.body.equals(image)).toBe(true);
    // The simulator's download of what the charger received: it follows the redirect and reports each step.
    const printed: string[] = [];
    const transfer = transferAfter('ocpp2.0.1', 'UpdateFirmware', received[0], { status: 'Accepted' }, {
      chargerId: cp,
      upload: 'multipart',
      call: (action, payload) => client.call(action, payload),
      print: (line) => void printed.push(line),
    });
    await transfer!.run();
    expect(printed.join('\n')).toContain(`downloaded firmware (${image.length} bytes, sha256 ${sha256})`);

    await expect.poll(() => updates(cp)).toEqual([
      expect.objectContaining({
        requestId,
        answer: 'Accepted',
        status: 'Installed',
        reports: ['Downloading', 'Downloaded', 'Installing', 'Installed'].map((status) => expect.objectContaining({ status })),
      }),
    ]);
  });

  it('plain HTTP (downloadVia "http"): a signed image through the firmware distribution, signed CloudFront URLs only', async () => {
    const signedImage = Buffer.from(`signed firmware ${runId}`);
    const declared = await api('POST', '/firmware', {
      name: 'fw.bin',
      sha256: createHash('sha256').update(signedImage).digest('hex'),
      signingCertificate: '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n',
      signature: 'c2lnbmF0dXJl',
    });
    const { url, headers } = declared.body.upload as { url: string; headers: Record<string, string> };
    expect((await fetch(url, { method: 'PUT', body: signedImage, headers })).status).toBe(200);
    const signedId = declared.body.fileId as string;
    await expect.poll(async () => (await api('GET', `/firmware/${signedId}`)).body.status, { timeout: 10_000 }).toBe('uploaded');
    const cp = `CP-FWHTTP-${runId}`;
    const client = await connect(cp, 'ocpp2.0.1');
    // The unsigned image is refused over plain HTTP.
    expect((await send(cp, 'UpdateFirmware', { firmware: {} }, { firmwareId, downloadVia: 'http' })).status).toBe(422);
    const received: Json[] = [];
    client.handle('UpdateFirmware', async ({ params }: { params?: Json }) => {
      received.push(params ?? {});
      return { status: 'Accepted' };
    });
    const posted = await send(cp, 'UpdateFirmware', { firmware: {} }, { firmwareId: signedId, downloadVia: 'http' });
    expect(posted.status).toBe(202);
    expect(await follow(posted.body.commandId as string)).toMatchObject({ status: 'answered' });
    const location = (received[0]!.firmware as Json).location as string;
    expect(location).toMatch(DOWNLOAD_URL);
    const edge = new URL(location).origin;

    // One redirect, on the same host, to a CloudFront signed URL of the image; the bytes through it, resumable.
    const whole = await curlDownload(location);
    expect(whole.status).toBe('200 1');
    expect(whole.body.equals(signedImage)).toBe(true);
    const rest = await curlDownload(location, ['-r', '7-']);
    expect(rest.status).toBe('206 1');
    expect(rest.body.equals(signedImage.subarray(7))).toBe(true);
    const redirect = await fetch(location, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const signed = new URL(redirect.headers.get('location')!);
    expect(`${signed.origin}${signed.pathname}`).toBe(`${edge}/firmware/${signedId}/fw.bin`);
    expect([...signed.searchParams.keys()].sort()).toEqual(['Expires', 'Hash-Algorithm', 'Key-Pair-Id', 'Signature']);
    expect((await fetch(signed, { method: 'HEAD' })).headers.get('content-length')).toBe(String(signedImage.length));

    // The images need a valid signature; only downloads pass the edge, and only GET and HEAD.
    const tampered = new URL(signed);
    tampered.searchParams.set('Signature', `A${signed.searchParams.get('Signature')!.slice(1)}`);
    expect((await fetch(tampered)).status).toBe(403);
    expect((await fetch(`${edge}/firmware/${signedId}/fw.bin`)).status).toBe(403);
    expect((await fetch(`${edge}/${cp}/${'a'.repeat(43)}`)).status).toBe(404);
    expect((await fetch(location, { method: 'PUT', body: 'x' })).status).toBe(403);
  });
});
