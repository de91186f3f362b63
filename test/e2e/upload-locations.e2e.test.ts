/**
 * Generated upload locations end to end under the local runtime: an operator sends GetDiagnostics (1.6) and GetLog
 * (2.0.1) through the REST API without a location; a charger speaking raw frames reads the location from the CALL it
 * receives, answers, reports with its status notifications and uploads the ways chargers do (curl: PUT, raw POST,
 * multipart, a file name appended; the simulator's uploader over HTTPS and, password = token, over SFTP). The operator
 * sees the file in GET /chargers/{id}/files move `requested` → `uploading` → `uploaded` (HTTPS records the landing
 * itself; over SFTP the bucket's event does, through RecordLandedFiles), or `failed`. A reused,
 * an expired and another charger's token are refused; the command, as the API shows it, has the token masked.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFolder } from '#shared/file/object-keys.ts';
import { hashUploadToken } from '#shared/file/upload-token.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { makeDocumentClient } from '#shared/store/dynamo.ts';
import { uploadTokenKey } from '#shared/store/keys.ts';
import { transferAfter, uploadTo } from '../../scripts/simulator/file-transfers.ts';
import { LOCAL_AWS_ENV } from '../../bin/local/handler-env.ts';
import { commandE2eFile, type Json, type RawCharger } from '../support/command-e2e.ts';
import { curl } from '../support/curl.ts';
import { runId } from '../support/e2e.ts';

const f = commandE2eFile('upload-locations-admin');
const { api, send, follow } = f;
let s3: S3Client;
let dir: string;

beforeAll(() => {
  s3 = new S3Client(awsClientConfig('s3', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_S3: f.runtime.sqsS3Endpoint }));
  dir = mkdtempSync(join(tmpdir(), 'upload-locations-e2e-'));
});
afterAll(() => {
  s3?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fileOf = (name: string, bytes: Buffer): string => {
  const path = join(dir, `${randomBytes(4).toString('hex')}-${name}`);
  writeFileSync(path, bytes);
  return path;
};

let calls = 0;
/** The charger's CALL and the CSMS's answer (read off the raw socket: nothing else is in flight to it meanwhile). */
const chargerCall = async (charger: RawCharger, action: string, payload: Json): Promise<Json> => {
  const id = `up-${++calls}`;
  charger.ws.send(JSON.stringify([2, id, action, payload]));
  const answer = await charger.next();
  expect(answer.slice(0, 2)).toEqual([3, id]);
  return answer[2] as Json;
};

/**
 * Sends `action` without a location through the REST API (202, the location masked), reads the CALL the charger gets
 * and answers it with `answer`: the command as shown, and the payload the charger received.
 */
const ask = async (charger: RawCharger, chargerId: string, action: 'GetDiagnostics' | 'GetLog', payload: Json, answer: Json, extra: Json = {}) => {
  const posted = await send(chargerId, action, payload, extra);
  expect(posted.status).toBe(202);
  const [type, messageId, called, received] = await charger.nextCall();
  expect([type, messageId, called]).toEqual([2, posted.body.commandId, action]);
  charger.ws.send(JSON.stringify([3, messageId, answer]));
  const done = await follow(posted.body.commandId as string);
  expect(done).toMatchObject({ status: 'answered' });
  return { posted: posted.body, done, received };
};

const tokenIn = (location: string): string => (location.startsWith('sftp:') ? decodeURIComponent(new URL(location).password) : location.split('/').filter(Boolean).at(-1)!);

/**
 * The token is in no operator view of the command (the location there is masked), no longer on the sent command's
 * item, and not in the message log, whose CALL has the location masked.
 */
const expectMasked = async (commandId: string, chargerId: string, token: string) => {
  const shown = await api('GET', `/commands/${commandId}`);
  const listed = await api('GET', `/chargers/${encodeURIComponent(chargerId)}/commands`);
  for (const view of [shown.body, listed.body]) expect(JSON.stringify(view)).not.toContain(token);
  expect(JSON.stringify(shown.body.payload)).toContain('***');
  expect(await f.e.deps.stores.commands.get(commandId, true)).not.toHaveProperty('sendPayload');
  const frames = (await f.e.deps.stores.messageLog.list(chargerId, { limit: 100 })).items;
  const call = frames.find((fr) => fr.direction === 'out' && fr.messageId === commandId);
  expect(call?.frame).toContain('***');
  expect(JSON.stringify(frames)).not.toContain(token);
};

const filesOf = async (chargerId: string): Promise<Json[]> => {
  const listed = await api('GET', `/chargers/${encodeURIComponent(chargerId)}/files`);
  expect(listed.status).toBe(200);
  return listed.body.items as Json[];
};
const fileOfCommand = async (chargerId: string, commandId: string): Promise<Json> => {
  const file = (await filesOf(chargerId)).find((i) => i.commandId === commandId);
  if (!file) throw new Error(`no file of command ${commandId}`);
  return file;
};
const objectBytes = async (key: string) =>
  Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: f.runtime.buckets.Files, Key: key }))).Body!.transformToByteArray());
const keysUnder = async (prefix: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: f.runtime.buckets.Files, Prefix: prefix }))).Contents ?? []).map((o) => o.Key);

describe('1.6 GetDiagnostics with a generated HTTPS location', () => {
  it('the charger PUTs with its file name appended; the operator sees uploading, then the uploaded file', async () => {
    const cp = `CP-GD16-${runId}`;
    const charger = await f.connectRaw(cp, 'ocpp1.6');
    const { posted, received } = await ask(charger, cp, 'GetDiagnostics', { retries: 1, retryInterval: 30 }, { fileName: 'diagnostics.log' });
    const location = received.location as string;
    const token = tokenIn(location);
    expect(location).toBe(`${f.runtime.env.FILE_UPLOAD_URL}/${encodeURIComponent(cp)}/${token}/`);
    expect(posted.payload).toEqual({ location: `${f.runtime.env.FILE_UPLOAD_URL}/${encodeURIComponent(cp)}/***/`, retries: 1, retryInterval: 30 });
    await expectMasked(posted.commandId, cp, token);
    expect(await fileOfCommand(cp, posted.commandId)).toMatchObject({ kind: 'diagnostics', status: 'requested' });

    await chargerCall(charger, 'DiagnosticsStatusNotification', { status: 'Uploading' });
    expect(await fileOfCommand(cp, posted.commandId)).toMatchObject({ status: 'uploading' });
    const bytes = randomBytes(20_000);
    // The location ends in `/`: curl appends the local file's name, as chargers that add their file name do.
    const put = await curl('-T', fileOf('diagnostics.log', bytes), location);
    expect(put.status).toBe(201);
    await chargerCall(charger, 'DiagnosticsStatusNotification', { status: 'Uploaded' });
    await chargerCall(charger, 'DiagnosticsStatusNotification', { status: 'Idle' });
    const file = await fileOfCommand(cp, posted.commandId);
    expect(file).toMatchObject({ status: 'uploaded', size: bytes.length, sha256: sha(bytes), name: expect.stringMatching(/diagnostics\.log$/) });
    expect((await objectBytes(`${uploadFolder(cp, file.fileId as string)}${put.body.name as string}`)).equals(bytes)).toBe(true);

    // Reused: refused, the file stays as it landed.
    expect((await curl('-T', fileOf('again.log', Buffer.from('again')), location)).status).toBe(401);
    expect(await fileOfCommand(cp, posted.commandId)).toMatchObject({ status: 'uploaded', sha256: sha(bytes) });
  });

  it('a failed upload and an answer without a file name leave the file failed', async () => {
    const cp = `CP-GDFAIL-${runId}`;
    const charger = await f.connectRaw(cp, 'ocpp1.6');
    const nothing = await ask(charger, cp, 'GetDiagnostics', {}, {});
    expect(await fileOfCommand(cp, nothing.posted.commandId)).toMatchObject({ status: 'failed', failure: 'NoFile' });
    const failing = await ask(charger, cp, 'GetDiagnostics', {}, { fileName: 'diag.zip' });
    await chargerCall(charger, 'DiagnosticsStatusNotification', { status: 'Uploading' });
    await chargerCall(charger, 'DiagnosticsStatusNotification', { status: 'UploadFailed' });
    expect(await fileOfCommand(cp, failing.posted.commandId)).toMatchObject({ status: 'failed', failure: 'UploadFailed' });
  });

  it('the simulator uploads to the generated location (multipart) and reports Uploading, Uploaded', async () => {
    const cp = `CP-GDSIM-${runId}`;
    const charger = await f.connectRaw(cp, 'ocpp1.6');
    const answer = { fileName: 'simulated.log' };
    const { posted, received } = await ask(charger, cp, 'GetDiagnostics', {}, answer);
    const reported: string[] = [];
    const transfer = transferAfter('ocpp1.6', 'GetDiagnostics', received, answer, {
      chargerId: cp,
      upload: 'multipart',
      call: async (action, payload) => {
        reported.push(`${action}:${(payload as Json).status as string}`);
        return chargerCall(charger, action, payload as Json);
      },
      print: () => undefined,
    });
    await transfer!.run();
    expect(reported).toEqual(['DiagnosticsStatusNotification:Uploading', 'DiagnosticsStatusNotification:Uploaded']);
    expect(await fileOfCommand(cp, posted.commandId)).toMatchObject({ status: 'uploaded', name: 'simulated.log' });
  });
});

describe('2.0.1 GetLog with a generated HTTPS location', () => {
  it.each([
    ['a PUT', (file: string, at: string) => ['-T', file, at], undefined],
    ['a raw POST', (file: string, at: string) => ['--data-binary', `@${file}`, '-H', 'Content-Type: text/plain', at], undefined],
    ['a multipart form', (file: string, at: string) => ['-F', `logfile=@${file};filename=station.log`, at], 'station.log'],
    ['a PUT with its name appended', (file: string, at: string) => ['-T', file, `${at}security.log`], 'security.log'],
  ])('takes %s; the status follows LogStatusNotification by request id', async (_what, args, name) => {
    const cp = `CP-GL2-${randomBytes(3).toString('hex')}-${runId}`;
    const charger = await f.connectRaw(cp, 'ocpp2.0.1');
    const { posted, received } = await ask(charger, cp, 'GetLog', { logType: 'SecurityLog', log: {} }, { status: 'Accepted', filename: 'security.log' });
    const requestId = received.requestId as number;
    expect(posted.payload).toMatchObject({ requestId, log: { remoteLocation: expect.stringMatching(/\/\*\*\*\/$/) } });
    const location = received.log.remoteLocation as string;
    await expectMasked(posted.commandId, cp, tokenIn(location));
    expect(await fileOfCommand(cp, posted.commandId)).toMatchObject({ kind: 'log', status: 'requested', requestId });

    await chargerCall(charger, 'LogStatusNotification', { status: 'Uploading', requestId });
    expect(await fileOfCommand(cp, posted.commandId)).toMatchObject({ status: 'uploading' });
    const bytes = Buffer.from(`log of ${cp}\n`.repeat(200));
    const answer = await curl(...args(fileOf('local.log', bytes), location));
    expect(answer).toMatchObject({ status: 201, body: { size: bytes.length, sha256: sha(bytes), ...(name ? { name } : {}) } });
    await chargerCall(charger, 'LogStatusNotification', { status: 'Uploaded', requestId });
    expect(await fileOfCommand(cp, posted.commandId)).toMatchObject({ status: 'uploaded', size: bytes.length, sha256: sha(bytes) });
  });

  it('refuses another charger’s token (403) and an expired one (401), writing nothing; a Rejected answer fails the file', async () => {
    const cp = `CP-GLREF-${runId}`;
    const charger = await f.connectRaw(cp, 'ocpp2.0.1');
    const { received } = await ask(charger, cp, 'GetLog', { logType: 'DiagnosticsLog', log: {} }, { status: 'Accepted' });
    const location = received.log.remoteLocation as string;
    const token = tokenIn(location);
    const foreign = location.replace(`/${encodeURIComponent(cp)}/`, `/CP-OTHER-${runId}/`);
    expect((await curl('-T', fileOf('x.log', Buffer.from('stolen')), foreign)).status).toBe(403);

    // Time passes: the token's validity ends (the table is where the CSMS's clock is compared).
    const db = makeDocumentClient(f.runtime.env);
    await db.send(
      new UpdateCommand({
        TableName: f.runtime.tables.Csms,
        Key: uploadTokenKey(hashUploadToken(token)),
        UpdateExpression: 'SET validUntil = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    db.destroy();
    const late = await curl('-T', fileOf('late.log', Buffer.from('late')), location);
    expect(late).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/expired/) } });
    expect(await keysUnder(`chargers/${cp.toLowerCase()}/`)).toEqual([]);
    expect(await keysUnder(`chargers/cp-other-${runId}/`)).toEqual([]);

    const rejected = await ask(charger, cp, 'GetLog', { logType: 'DiagnosticsLog', log: {} }, { status: 'Rejected' });
    expect(await fileOfCommand(cp, rejected.posted.commandId)).toMatchObject({ status: 'failed', failure: 'Rejected' });
  });
});

describe('GetLog and GetDiagnostics with a generated SFTP location', () => {
  it('2.0.1: the simulator logs in with the charger id and the token, the object lands; the notifications move the file', async () => {
    const cp = `CP-SFTP2-${runId}`;
    const charger = await f.connectRaw(cp, 'ocpp2.0.1');
    const answer = { status: 'Accepted', filename: 'station.log' };
    const { posted, received } = await ask(charger, cp, 'GetLog', { logType: 'DiagnosticsLog', log: {} }, answer, { uploadVia: 'sftp' });
    const location = received.log.remoteLocation as string;
    const token = tokenIn(location);
    expect(location).toBe(`sftp://${encodeURIComponent(cp)}:${token}@${new URL(f.runtime.endpoints.sftp!).host}/`);
    expect(posted.payload.log.remoteLocation).toBe(location.replace(token, '***'));
    await expectMasked(posted.commandId, cp, token);

    const reported: string[] = [];
    await transferAfter('ocpp2.0.1', 'GetLog', received, answer, {
      chargerId: cp,
      upload: 'put',
      call: async (action, payload) => {
        reported.push((payload as Json).status as string);
        const out = await chargerCall(charger, action, payload as Json);
        if ((payload as Json).status === 'Uploading') expect(await fileOfCommand(cp, posted.commandId)).toMatchObject({ status: 'uploading' });
        return out;
      },
      print: () => undefined,
    })!.run();
    expect(reported).toEqual(['Uploading', 'Uploaded']);
    const file = await fileOfCommand(cp, posted.commandId);
    const key = `${uploadFolder(cp, file.fileId as string)}station.log`;
    expect(await keysUnder(uploadFolder(cp, file.fileId as string))).toEqual([key]);
    expect((await objectBytes(key)).toString()).toContain(`station.log of ${cp}`);
    // The bucket's event records the object (RecordLandedFiles): the file is uploaded, with the bytes' checksum.
    await expect
      .poll(() => fileOfCommand(cp, posted.commandId), { timeout: 10_000 })
      .toMatchObject({ status: 'uploaded', name: 'station.log', sha256: createHash('sha256').update(await objectBytes(key)).digest('hex') });
  });

  it('1.6: the token is good for one session only; a charger reporting UploadFailed has its file failed', async () => {
    const cp = `CP-SFTP16-${runId}`;
    const charger = await f.connectRaw(cp, 'ocpp1.6');
    const answer = { fileName: 'diag.txt' };
    const { posted, received } = await ask(charger, cp, 'GetDiagnostics', {}, answer, { uploadVia: 'sftp' });
    const reported: string[] = [];
    await transferAfter('ocpp1.6', 'GetDiagnostics', received, answer, {
      chargerId: cp,
      upload: 'put',
      call: async (action, payload) => {
        reported.push((payload as Json).status as string);
        return chargerCall(charger, action, payload as Json);
      },
      print: () => undefined,
    })!.run();
    expect(reported).toEqual(['Uploading', 'Uploaded']);
    const file = await fileOfCommand(cp, posted.commandId);
    const folder = uploadFolder(cp, file.fileId as string);
    expect(await keysUnder(folder)).toEqual([`${folder}diag.txt`]);
    // The same credentials again: the login is refused, nothing more lands.
    await expect(uploadTo(received.location as string, 'again.txt', Buffer.from('again'), 'put')).rejects.toThrow(/authentication/i);
    expect(await keysUnder(folder)).toEqual([`${folder}diag.txt`]);

    const failing = await ask(charger, cp, 'GetDiagnostics', {}, answer, { uploadVia: 'sftp' });
    await chargerCall(charger, 'DiagnosticsStatusNotification', { status: 'Uploading' });
    expect(await fileOfCommand(cp, failing.posted.commandId)).toMatchObject({ status: 'uploading' });
    await chargerCall(charger, 'DiagnosticsStatusNotification', { status: 'UploadFailed' });
    expect(await fileOfCommand(cp, failing.posted.commandId)).toMatchObject({ status: 'failed', failure: 'UploadFailed' });
  });
});
