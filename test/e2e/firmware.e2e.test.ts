/**
 * Firmware end to end against a started local runtime: an operator declares an image (POST /firmware), PUTs it with
 * curl to the presigned URL the answer gives, the bucket's event has the landing recorded (RecordLandedFiles: the
 * bytes' checksum against the declared one), and UpdateFirmware commands sent with its `firmwareId` reach a 1.6 and a 2.0.1
 * charger (strict ocpp-rpc clients) with a location each can GET the same bytes from; their FirmwareStatusNotifications
 * show on GET /chargers/{id}/firmware-updates, and the command as shown keeps the URL's signature masked.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const posted = await send(cp, 'UpdateFirmware', { retries: 2, retryInterval: 60 }, { firmwareId });
    expect(posted.status).toBe(202);
    expect(JSON.stringify(posted.body.payload)).toContain('X-Amz-Signature=***');
    expect(await follow(posted.body.commandId as string)).toMatchObject({ status: 'answered' });

    const location = received[0]!.location as string;
    expect(location).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
    expect(Buffer.from(await (await fetch(location)).arrayBuffer()).equals(image)).toBe(true);
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
    expect(shown.body.payload.location).toContain('X-Amz-Signature=***');
    expect(JSON.stringify(shown.body)).not.toMatch(/X-Amz-Signature=[0-9a-f]/);
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
    expect(Buffer.from(await (await fetch(location)).arrayBuffer()).equals(image)).toBe(true);
    await client.call('FirmwareStatusNotification', { status: 'Downloading', requestId });
    await client.call('FirmwareStatusNotification', { status: 'Downloaded', requestId });
    await client.call('FirmwareStatusNotification', { status: 'Installed', requestId });

    await expect.poll(() => updates(cp)).toEqual([
      expect.objectContaining({
        requestId,
        answer: 'Accepted',
        status: 'Installed',
        reports: ['Downloading', 'Downloaded', 'Installed'].map((status) => expect.objectContaining({ status })),
      }),
    ]);
  });
});
