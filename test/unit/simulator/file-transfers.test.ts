/**
 * The simulated charger's transfers against a plain local HTTP server: each upload style sends the made-up log, the
 * status notifications of each version follow the transfer, and refusals or failures are reported as such.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { transferAfter, type UploadStyle } from '../../../scripts/simulator/file-transfers.ts';

interface Received {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}
let server: Server;
let base: string;
let received: Received[] = [];
/** GETs of the image itself (after a redirect or not). */
let imageServed = 0;
const FIRMWARE = Buffer.from('firmware image bytes');

const read = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

beforeAll(async () => {
  server = createServer((req, res) => {
    read(req).then((body) => {
      if (req.url?.startsWith('/missing')) return res.writeHead(404).end('no such upload');
      // A generated firmware location: 302 to the image (or to nothing), as the CSMS's file endpoint answers.
      if (req.url?.startsWith('/firmware/')) return res.writeHead(302, { location: req.url.endsWith('/gone.bin') ? '/missing' : '/fw.bin' }).end();
      if (req.method === 'GET' && req.url === '/fw.bin') {
        imageServed += 1;
        return res.writeHead(200).end(FIRMWARE);
      }
      received.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
      return res.writeHead(201).end();
    }, (error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
  imageServed = 0;
});

const run = async (protocol: 'ocpp1.6' | 'ocpp2.0.1', action: string, request: unknown, answer: unknown, upload: UploadStyle = 'multipart') => {
  const calls: [string, unknown][] = [];
  const transfer = transferAfter(protocol, action, request, answer, {
    chargerId: 'CP-SIM',
    upload,
    call: async (a, p) => calls.push([a, p]),
    print: () => undefined,
  });
  await transfer?.run();
  return { started: transfer !== undefined, calls };
};

describe('simulated file transfers', () => {
  it('uploads diagnostics as a multipart form and reports Uploading then Uploaded (1.6)', async () => {
    const { calls } = await run('ocpp1.6', 'GetDiagnostics', { location: `${base}/up/CP-SIM/tok` }, { fileName: 'diagnostics.zip' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/up/CP-SIM/tok' });
    expect(received[0]!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(received[0]!.body.toString()).toContain('filename="diagnostics.zip"');
    expect(calls).toEqual([
      ['DiagnosticsStatusNotification', { status: 'Uploading' }],
      ['DiagnosticsStatusNotification', { status: 'Uploaded' }],
    ]);
  });

  it.each([['put', 'PUT'], ['post', 'POST']] as const)('sends a raw %s with the file name appended (2.0.1 GetLog, requestId echoed)', async (style, method) => {
    const { calls } = await run('ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', requestId: 7, log: { remoteLocation: `${base}/up/CP-SIM/tok` } }, { status: 'Accepted', filename: 'diagnostics.log' }, style);
    expect(received[0]).toMatchObject({ method, url: '/up/CP-SIM/tok/diagnostics.log', contentType: 'application/octet-stream' });
    expect(received[0]!.body.toString()).toContain('simulated log');
    expect(calls).toEqual([
      ['LogStatusNotification', { status: 'Uploading', requestId: 7 }],
      ['LogStatusNotification', { status: 'Uploaded', requestId: 7 }],
    ]);
  });

  it('reports a failed upload with the status of its version', async () => {
    const diagnostics = await run('ocpp1.6', 'GetDiagnostics', { location: `${base}/missing` }, { fileName: 'd.zip' });
    expect(diagnostics.calls.at(-1)).toEqual(['DiagnosticsStatusNotification', { status: 'UploadFailed' }]);
    const log = await run('ocpp1.6', 'GetLog', { logType: 'SecurityLog', requestId: 3, log: { remoteLocation: 'ftp://example.invalid/' } }, { status: 'Accepted', filename: 'security.log' });
    expect(log.calls.at(-1)).toEqual(['LogStatusNotification', { status: 'UploadFailure', requestId: 3 }]);
  });

  it('starts nothing when the answer refused or named no file', async () => {
    expect((await run('ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', requestId: 1, log: { remoteLocation: base } }, { status: 'Rejected' })).started).toBe(false);
    expect((await run('ocpp1.6', 'GetDiagnostics', { location: base }, {})).started).toBe(false);
    expect((await run('ocpp1.6', 'Reset', { type: 'Soft' }, { status: 'Accepted' })).started).toBe(false);
  });

  it('downloads firmware and reports each step (1.6 plain, 2.0.1 with requestId)', async () => {
    const v16 = await run('ocpp1.6', 'UpdateFirmware', { location: `${base}/fw.bin`, retrieveDate: new Date().toISOString() }, {});
    expect(v16.calls.map(([, p]) => (p as { status: string }).status)).toEqual(['Downloading', 'Downloaded', 'Installing', 'Installed']);
    const v2 = await run('ocpp2.0.1', 'UpdateFirmware', { requestId: 9, firmware: { location: `${base}/fw.bin`, retrieveDateTime: new Date().toISOString() } }, { status: 'Accepted' });
    expect(v2.calls[0]).toEqual(['FirmwareStatusNotification', { status: 'Downloading', requestId: 9 }]);
    const failed = await run('ocpp2.0.1', 'UpdateFirmware', { requestId: 10, firmware: { location: `${base}/missing`, retrieveDateTime: new Date().toISOString() } }, { status: 'Accepted' });
    expect(failed.calls.at(-1)).toEqual(['FirmwareStatusNotification', { status: 'DownloadFailed', requestId: 10 }]);
  });

  it('follows a generated location’s redirect to the image, and reports a redirect to nothing as failed', async () => {
    const printed: string[] = [];
    const transfer = transferAfter('ocpp1.6', 'UpdateFirmware', { location: `${base}/firmware/tok/fw.bin`, retrieveDate: new Date().toISOString() }, {}, {
      chargerId: 'CP-SIM',
      upload: 'multipart',
      call: async () => undefined,
      print: (line) => void printed.push(line),
    });
    await transfer?.run();
    expect(imageServed).toBe(1);
    expect(printed.join('\n')).toContain(`downloaded firmware (${FIRMWARE.length} bytes`);
    const gone = await run('ocpp1.6', 'UpdateFirmware', { location: `${base}/firmware/tok/gone.bin`, retrieveDate: new Date().toISOString() }, {});
    expect(gone.calls.map(([, p]) => (p as { status: string }).status)).toEqual(['Downloading', 'DownloadFailed']);
  });
});
