/**
 * What the simulated charger does after it accepted a request for a file transfer, as a real one would: uploads a
 * log it makes up (GetDiagnostics, GetLog) to the location it was given, or downloads the firmware (UpdateFirmware,
 * SignedUpdateFirmware), and reports each step with the status notification of its version. Locations: `https://` and
 * `http://` (upload as `--upload multipart|put|post`), `sftp://user:password@host[:port]/path` (ssh2, password login).
 */
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import type { SimulatorProtocol } from './replies.ts';

export const UPLOAD_STYLES = ['multipart', 'put', 'post'] as const;
/** How an HTTP upload is sent: chargers differ (multipart form, a raw PUT, a raw POST). */
export type UploadStyle = (typeof UPLOAD_STYLES)[number];

type Call = (action: string, payload: unknown) => Promise<unknown>;

export interface TransferOptions {
  readonly chargerId: string;
  readonly upload: UploadStyle;
  readonly call: Call;
  readonly print: (line: string) => void;
}

/** A transfer to start after answering `action` with `answer`; undefined when the answer started none. */
export interface Transfer {
  readonly run: () => Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A made-up log: enough lines to look like one, different each time (its checksum proves which upload landed). */
export const simulatedLog = (chargerId: string, name: string): Buffer =>
  Buffer.from(
    [`# ${name} of ${chargerId}, made up by the O-V2X-MP simulator`, ...Array.from({ length: 20 }, (_, i) => `${new Date().toISOString()} INFO line ${i + 1} of the simulated log`), ''].join('\n'),
  );

const sftpUpload = (location: URL, name: string, body: Buffer): Promise<void> =>
  new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    const fail = (error: Error) => {
      client.end();
      reject(error);
    };
    client
      .on('ready', () => {
        client.sftp((error, sftp) => {
          if (error) return fail(error);
          const folder = location.pathname.endsWith('/') ? location.pathname : `${location.pathname}/`;
          sftp.writeFile(`${folder}${name}`, body, (writeError) => {
            if (writeError) return fail(writeError);
            client.end();
            resolve();
          });
        });
      })
      .on('error', fail)
      .connect({
        host: location.hostname,
        port: location.port === '' ? 22 : Number(location.port),
        username: decodeURIComponent(location.username),
        password: decodeURIComponent(location.password),
        // A simulator talks to a local stand-in or a test server: it does not pin the host key.
        hostVerifier: () => true,
        readyTimeout: 10_000,
      });
  });

const httpUpload = async (location: URL, name: string, body: Buffer, style: UploadStyle): Promise<void> => {
  let response: Response;
  if (style === 'multipart') {
    const form = new FormData();
    form.append('file', new Blob([body], { type: 'application/octet-stream' }), name);
    response = await fetch(location, { method: 'POST', body: form });
  } else {
    // A raw body: MicroOcpp-like chargers append the file name to the location.
    const target = new URL(location);
    target.pathname = `${target.pathname.replace(/\/$/, '')}/${encodeURIComponent(name)}`;
    response = await fetch(target, { method: style === 'put' ? 'PUT' : 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
};

/** Uploads `body` as `name` to `location`. */
export const uploadTo = async (location: string, name: string, body: Buffer, style: UploadStyle): Promise<void> => {
  const url = new URL(location);
  if (url.protocol === 'sftp:') return sftpUpload(url, name, body);
  if (url.protocol === 'https:' || url.protocol === 'http:') return httpUpload(url, name, body, style);
  throw new Error(`the simulator cannot upload to ${url.protocol} locations`);
};

const upload = (options: TransferOptions, location: string, name: string, report: (status: 'Uploading' | 'Uploaded' | 'Failed') => Promise<unknown>): Transfer => ({
  run: async () => {
    const body = simulatedLog(options.chargerId, name);
    await report('Uploading');
    try {
      await uploadTo(location, name, body, options.upload);
      options.print(`uploaded ${name} (${body.length} bytes, sha256 ${createHash('sha256').update(body).digest('hex')})`);
      await report('Uploaded');
    } catch (error) {
      options.print(`upload of ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      await report('Failed');
    }
  },
});

const download = (options: TransferOptions, location: string, report: (status: 'Downloading' | 'Downloaded' | 'DownloadFailed' | 'Installing' | 'Installed') => Promise<unknown>): Transfer => ({
  run: async () => {
    await report('Downloading');
    try {
      // A generated location answers 302 to a short-lived presigned GET of the image: followed, as chargers do.
      const response = await fetch(location, { redirect: 'follow' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const image = Buffer.from(await response.arrayBuffer());
      options.print(`downloaded firmware (${image.length} bytes, sha256 ${createHash('sha256').update(image).digest('hex')})`);
    } catch (error) {
      options.print(`firmware download failed: ${error instanceof Error ? error.message : String(error)}`);
      await report('DownloadFailed');
      return;
    }
    await report('Downloaded');
    await report('Installing');
    await report('Installed');
  },
});

/**
 * The transfer an accepted `action` starts, if any. 1.6 reports with DiagnosticsStatusNotification,
 * LogStatusNotification and (Signed)FirmwareStatusNotification, 2.0.1 with LogStatusNotification and
 * FirmwareStatusNotification; those with a requestId echo the request's.
 */
export const transferAfter = (protocol: SimulatorProtocol, action: string, request: unknown, answer: unknown, options: TransferOptions): Transfer | undefined => {
  if (!isObject(request) || !isObject(answer)) return undefined;
  const { call } = options;
  const requestId = typeof request.requestId === 'number' ? request.requestId : undefined;
  const accepted = answer.status === undefined || answer.status === 'Accepted';
  if (!accepted) return undefined;
  if (action === 'GetDiagnostics') {
    const location = text(request.location);
    const name = text(answer.fileName);
    // No fileName: the charger has nothing to upload.
    if (location === undefined || name === undefined) return undefined;
    return upload(options, location, name, (status) => call('DiagnosticsStatusNotification', { status: status === 'Failed' ? 'UploadFailed' : status }));
  }
  if (action === 'GetLog') {
    const log = isObject(request.log) ? request.log : {};
    const location = text(log.remoteLocation);
    const name = text(answer.filename) ?? 'log.txt';
    if (location === undefined) return undefined;
    return upload(options, location, name, (status) => call('LogStatusNotification', { status: status === 'Failed' ? 'UploadFailure' : status, requestId }));
  }
  if (action === 'UpdateFirmware' && protocol === 'ocpp1.6') {
    const location = text(request.location);
    if (location === undefined) return undefined;
    return download(options, location, (status) => call('FirmwareStatusNotification', { status }));
  }
  if (action === 'UpdateFirmware' || action === 'SignedUpdateFirmware') {
    const firmware = isObject(request.firmware) ? request.firmware : {};
    const location = text(firmware.location);
    if (location === undefined) return undefined;
    const notification = action === 'SignedUpdateFirmware' ? 'SignedFirmwareStatusNotification' : 'FirmwareStatusNotification';
    return download(options, location, (status) => call(notification, { status, requestId }));
  }
  return undefined;
};
