/**
 * Generated upload locations and upload statuses on DynamoDB Local, through the real SDK: a GetDiagnostics / GetLog
 * sent without a location gets an HTTPS or SFTP location whose one-time token is bound to the charger and the command,
 * readable nowhere but in the payload the dispatcher sends (kept until it is sent); an operator's location is passed through; a stage without
 * the chosen way, a location too long for the schema, or a reused request id are refused with nothing written. The
 * charger's status notifications and refusing answers move the file (one UpdateItem with a request id, a Query more
 * without), never taking back an `uploaded` one, never touching another charger's.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '#shared/command/command.ts';
import { submitCommandTo } from '#shared/command/commands.ts';
import { effectOf, type UploadVia } from '#shared/command/effects.ts';
import type { CommandRef } from '#shared/command/ports.ts';
import { idFromSeed } from '#shared/command/request-id.ts';
import type { Deps } from '#shared/deps.ts';
import type { FileEndpoints } from '#shared/file/objects.ts';
import { diagnosticsFileId, logFileId } from '#shared/file/upload-location.ts';
import { recordUploadStatus } from '#shared/file/upload-status.ts';
import { redeemUploadToken } from '#shared/file/upload-token.ts';
import type { ChargerFileKind } from '#shared/file/file-record.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { countingRequests, currentSecond, depsAt, openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
let now: Date;
const queued: CommandRef[] = [];
const queue = { enqueue: async (ref: CommandRef) => void queued.push(ref) };
const ENDPOINTS: FileEndpoints = { uploads: 'https://uploads.example.com', sftp: 'sftp://sftp.example.com:2222' };

beforeAll(async () => {
  f = await openStoreFixture();
  now = currentSecond();
});
afterAll(async () => f?.close());

const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
const deps = (seconds = 0, endpoints: FileEndpoints = ENDPOINTS): Deps => ({ ...depsAt(f, new Date(now.getTime() + seconds * 1000)), files: { endpoints } });

interface SendOptions {
  readonly uploadVia?: UploadVia;
  readonly requestKey?: string;
  readonly endpoints?: FileEndpoints;
  readonly seconds?: number;
  readonly whenOffline?: 'fail' | 'hold';
}
const send = (chargerId: string, protocol: OcppProtocol, action: string, payload: unknown, options: SendOptions = {}) =>
  submitCommandTo({ ...deps(options.seconds ?? 0, options.endpoints), queue }, { chargerId, protocol }, {
    action,
    payload,
    requestedBy: 'op',
    ...(options.uploadVia ? { uploadVia: options.uploadVia } : {}),
    ...(options.requestKey ? { requestKey: options.requestKey } : {}),
    ...(options.whenOffline ? { whenOffline: options.whenOffline } : {}),
  });
const sent = async (...args: Parameters<typeof send>): Promise<Command> => {
  const out = await send(...args);
  if (!out.ok) throw new Error(`refused: ${out.detail}`);
  return out.value;
};
/** The payload the dispatcher sends (the unmasked one while it is kept). */
const onTheWire = (command: Command) => (command.sendPayload ?? command.payload) as Record<string, any>; // payloads read field by field
const tokenOf = (location: string): string => (location.startsWith('sftp:') ? decodeURIComponent(new URL(location).password) : location.split('/').filter(Boolean).at(-1)!);
/**
 * Every item of the table as text, but the unmasked payload a queued command keeps until the dispatcher sends it (and
 * removes it in the same write that marks it sent: test/integration/store/command-store.test.ts).
 */
const tableText = async () => {
  const items = (await f.raw.send(new ScanCommand({ TableName: f.tables.names.Csms, ConsistentRead: true }))).Items ?? [];
  return JSON.stringify(items.map(({ sendPayload: _toSend, ...item }) => item));
};
const filesOf = async (chargerId: string) => (await f.deps.stores.files.listForCharger(chargerId)).items;

/** A charger message's context: its stores and the alongside work, awaited like a unit of work's commit. */
const notify = async (chargerId: string, kind: ChargerFileKind, notification: { status: string; requestId?: number }, seconds: number) => {
  const work: Promise<unknown>[] = [];
  recordUploadStatus({ stores: f.deps.stores, alongside: (p) => void work.push(p), chargerId, receivedAt: new Date(now.getTime() + seconds * 1000) }, kind, notification);
  await Promise.all(work);
};

describe('generated locations', () => {
  it('1.6 GetDiagnostics over HTTPS: the charger’s path and a token only the CALL carries; the file requested', async () => {
    const command = await sent('CP-Diag', 'ocpp1.6', 'GetDiagnostics', { retries: 2, retryInterval: 60 });
    const location = onTheWire(command).location as string;
    const token = tokenOf(location);
    expect(location).toBe(`https://uploads.example.com/CP-Diag/${token}/`);
    expect(command.payload).toEqual({ location: 'https://uploads.example.com/CP-Diag/***/', retries: 2, retryInterval: 60 });
    expect(queued.at(-1)).toEqual({ commandId: command.commandId, chargerId: 'CP-Diag' });
    expect(await tableText()).not.toContain(token);
    const stored = await f.deps.stores.commands.get(command.commandId, true);
    expect(stored?.payload).toEqual(command.payload);

    const fileId = diagnosticsFileId(command.commandId);
    expect(await filesOf('cp-diag')).toEqual([{ fileId, chargerId: 'CP-Diag', kind: 'diagnostics', status: 'requested', commandId: command.commandId, createdAt: at(0) }]);
    // Bound to this charger and command, for an hour and the retries.
    expect(await redeemUploadToken(deps(3600 + 119), token, { chargerId: 'CP-Other' })).toEqual({ granted: false, reason: 'foreign' });
    expect(await redeemUploadToken(deps(3600 + 119), token, { chargerId: 'cp-diag' })).toEqual({
      granted: true,
      grant: { chargerId: 'CP-Diag', commandId: command.commandId, fileId, kind: 'diagnostics' },
    });
  });

  it('2.0.1 GetLog over SFTP: the charger id as user name, the token as password; a request id derived from the command', async () => {
    const command = await sent('CP Log/1', 'ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', log: {} }, { uploadVia: 'sftp' });
    const wire = onTheWire(command);
    const requestId = idFromSeed(command.commandId, 1);
    expect(wire.requestId).toBe(requestId);
    const token = tokenOf(wire.log.remoteLocation);
    expect(wire.log.remoteLocation).toBe(`sftp://CP%20Log%2F1:${token}@sftp.example.com:2222/`);
    expect(command.payload).toEqual({ logType: 'DiagnosticsLog', requestId, log: { remoteLocation: 'sftp://CP%20Log%2F1:***@sftp.example.com:2222/' } });
    expect(await tableText()).not.toContain(token);
    expect(await filesOf('CP Log/1')).toEqual([
      { fileId: logFileId('CP Log/1', requestId), chargerId: 'CP Log/1', kind: 'log', status: 'requested', commandId: command.commandId, requestId, createdAt: at(0) },
    ]);
  });

  it('passes an operator’s own location through untouched, and issues nothing', async () => {
    const own = 'ftp://user:their-secret@ftp.example.com/logs/';
    const command = await sent('CP-Own', 'ocpp2.0.1', 'GetLog', { logType: 'SecurityLog', requestId: 4, log: { remoteLocation: own } });
    expect(onTheWire(command).log.remoteLocation).toBe(own);
    expect(command.payload).toMatchObject({ log: { remoteLocation: 'ftp://user:***@ftp.example.com/logs/' } });
    const diag = await sent('CP-Own', 'ocpp1.6', 'GetDiagnostics', { location: 'https://logs.example.com/cp-own/' });
    expect(diag.payload).toEqual({ location: 'https://logs.example.com/cp-own/' });
    expect(diag).not.toHaveProperty('sendPayload');
    expect(await filesOf('CP-Own')).toEqual([]);
  });

  it('refuses, writing nothing: a way the stage lacks, a location too long, a location and uploadVia both, a reused request id', async () => {
    const before = await tableText();
    const refusals = [
      await send('CP-Refused', 'ocpp1.6', 'GetDiagnostics', {}, { uploadVia: 'sftp', endpoints: { uploads: ENDPOINTS.uploads } }),
      await send('CP-Refused', 'ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', log: {} }, { endpoints: {} }),
      await send('CP-Refused', 'ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', log: {} }, { endpoints: { uploads: `https://uploads.example.com/${'x'.repeat(440)}` } }),
      await send('CP-Refused', 'ocpp1.6', 'GetDiagnostics', { location: 'https://mine.example/' }, { uploadVia: 'https' }),
      // Payloads the schema refuses: the real fault is answered, and no file or token is left behind.
      await send('CP-Refused', 'ocpp2.0.1', 'GetLog', { logType: 'Bogus', requestId: 7, log: {} }),
      await send('CP-Refused', 'ocpp1.6', 'GetDiagnostics', { retries: '2' }),
    ];
    expect(refusals).toEqual([
      expect.objectContaining({ ok: false, reason: 'invalid', field: '/uploadVia', detail: expect.stringMatching(/no SFTP server/) }),
      expect.objectContaining({ ok: false, reason: 'invalid', field: '/uploadVia', detail: expect.stringMatching(/no HTTPS upload endpoint/) }),
      expect.objectContaining({ ok: false, reason: 'invalid', field: '/uploadVia', detail: expect.stringMatching(/more than the 512 of ocpp2.0.1 GetLog/) }),
      expect.objectContaining({ ok: false, reason: 'invalid', field: '/uploadVia', detail: expect.stringMatching(/either payload\/location or uploadVia/) }),
      expect.objectContaining({ ok: false, reason: 'invalid', field: '/payload/logType' }),
      expect.objectContaining({ ok: false, reason: 'invalid', field: '/payload/retries' }),
    ]);
    expect(await tableText()).toBe(before);
    // The corrected GetLog keeps its request id: nothing of the refused one holds it.
    expect(await send('CP-Refused', 'ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', requestId: 7, log: {} })).toMatchObject({ ok: true });
    // 1.6 GetDiagnostics' location has no limit: the same endpoint is fine there.
    expect(await send('CP-Refused', 'ocpp1.6', 'GetDiagnostics', {}, { endpoints: { uploads: `https://uploads.example.com/${'x'.repeat(440)}` } })).toMatchObject({ ok: true });

    await sent('CP-Reuse', 'ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', requestId: 9, log: {} });
    const commands = (await f.deps.stores.commands.listForCharger('CP-Reuse', {})).items.length;
    expect(await send('CP-Reuse', 'ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', requestId: 9, log: {} })).toMatchObject({
      ok: false,
      reason: 'conflict',
      field: '/payload/requestId',
    });
    expect((await f.deps.stores.commands.listForCharger('CP-Reuse', {})).items).toHaveLength(commands);
  });

  it('gives a command held for an offline charger a token that lives the week a held command may wait', async () => {
    const command = await sent('CP-Held', 'ocpp1.6', 'GetDiagnostics', {}, { whenOffline: 'hold' });
    const token = tokenOf(onTheWire(command).location as string);
    const week = 7 * 86_400;
    expect(await redeemUploadToken(deps(week + 1), token, { chargerId: 'CP-Held' })).toEqual({ granted: false, reason: 'expired' });
    expect(await redeemUploadToken(deps(week - 1), token, { chargerId: 'CP-Held' })).toMatchObject({ granted: true });
  });

  it('answers a retried submission (same Idempotency-Key) with the first command and its one file', async () => {
    const first = await sent('CP-Retry', 'ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', log: {} }, { requestKey: 'op\nCP-Retry\nk1' });
    const again = await sent('CP-Retry', 'ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', log: {} }, { requestKey: 'op\nCP-Retry\nk1', seconds: 5 });
    expect(again.commandId).toBe(first.commandId);
    expect(onTheWire(again).log.remoteLocation).toBe(onTheWire(first).log.remoteLocation);
    expect(await filesOf('CP-Retry')).toHaveLength(1);
  });
});

describe('upload statuses', () => {
  it('2.x: one UpdateItem per status on the file the request id names; a failure then a retry; never back from uploaded', async () => {
    const command = await sent('CP-Stat2', 'ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', requestId: 31, log: {} });
    const fileId = logFileId('CP-Stat2', 31);
    expect((await countingRequests(() => notify('CP-Stat2', 'log', { status: 'Uploading', requestId: 31 }, 2))).requests).toBe(1);
    expect(await f.deps.stores.files.get(fileId, true)).toMatchObject({ status: 'uploading', reportedAt: at(2), commandId: command.commandId });
    await notify('CP-Stat2', 'log', { status: 'UploadFailure', requestId: 31 }, 3);
    expect(await f.deps.stores.files.get(fileId, true)).toMatchObject({ status: 'failed', failure: 'UploadFailure', reportedAt: at(3) });
    await notify('CP-Stat2', 'log', { status: 'Uploading', requestId: 31 }, 4);
    expect(await f.deps.stores.files.get(fileId, true)).not.toHaveProperty('failure');
    await f.deps.stores.files.markUploaded(fileId, { name: 'log.txt', size: 3, sha256: 'ab'.repeat(32), s3Key: `chargers/cp-stat2/${fileId}/log.txt`, at: at(5) });
    for (const status of ['Uploading', 'UploadFailure', 'Uploaded', 'Idle']) await notify('CP-Stat2', 'log', { status, requestId: 31 }, 6);
    expect(await f.deps.stores.files.get(fileId, true)).toMatchObject({ status: 'uploaded', uploadedAt: at(5), reportedAt: at(4) });
    // Nothing to do, nothing asked: Idle and Uploaded send no request.
    expect((await countingRequests(() => notify('CP-Stat2', 'log', { status: 'Idle' }, 7))).requests).toBe(0);
  });

  it('reaches only the notifying charger’s own file: another charger’s same request id and a forged file id change nothing', async () => {
    await sent('CP-Mine', 'ocpp2.0.1', 'GetLog', { logType: 'DiagnosticsLog', requestId: 44, log: {} });
    await notify('CP-Hostile', 'log', { status: 'PermissionDenied', requestId: 44 }, 1);
    const fileId = logFileId('CP-Mine', 44);
    expect(await f.deps.stores.files.reportUploadStatus(fileId, 'CP-Hostile', 'log', { status: 'failed', at: at(1), failure: 'BadMessage' })).toBe(false);
    expect(await f.deps.stores.files.reportUploadStatus(fileId, 'CP-Mine', 'diagnostics', { status: 'uploading', at: at(1) })).toBe(false);
    expect(await f.deps.stores.files.get(fileId, true)).toMatchObject({ status: 'requested' });
    expect(await filesOf('CP-Hostile')).toEqual([]);
  });

  it('1.6 DiagnosticsStatusNotification: the charger’s newest diagnostics file (a Query of gsi2 and an UpdateItem)', async () => {
    const older = await sent('CP-Stat16', 'ocpp1.6', 'GetDiagnostics', {});
    await sent('CP-Stat16', 'ocpp1.6', 'GetLog', { logType: 'DiagnosticsLog', requestId: 2, log: {} }, { seconds: 2 });
    const newer = await sent('CP-Stat16', 'ocpp1.6', 'GetDiagnostics', {}, { seconds: 1 });
    expect((await countingRequests(() => notify('CP-Stat16', 'diagnostics', { status: 'UploadFailed' }, 3))).requests).toBe(2);
    expect(await f.deps.stores.files.get(diagnosticsFileId(newer.commandId), true)).toMatchObject({ status: 'failed', failure: 'UploadFailed' });
    expect(await f.deps.stores.files.get(diagnosticsFileId(older.commandId), true)).toMatchObject({ status: 'requested' });
    expect(await f.deps.stores.files.get(logFileId('CP-Stat16', 2), true)).toMatchObject({ status: 'requested' });
    await notify('CP-NoFiles', 'diagnostics', { status: 'Uploading' }, 3);
    expect(await filesOf('CP-NoFiles')).toEqual([]);
  });

  it('fails the file on a refusing answer: 2.x GetLog Rejected, 1.6 GetDiagnostics without a file name', async () => {
    const log = await sent('CP-Answer', 'ocpp2.0.1', 'GetLog', { logType: 'SecurityLog', requestId: 5, log: {} });
    const diag = await sent('CP-Answer', 'ocpp1.6', 'GetDiagnostics', {});
    const named = await sent('CP-Answer', 'ocpp1.6', 'GetDiagnostics', {});
    await effectOf('GetLog')!.answered!(deps(2), { command: log, result: { status: 'Rejected' } });
    await effectOf('GetDiagnostics')!.answered!(deps(2), { command: diag, result: {} });
    await effectOf('GetDiagnostics')!.answered!(deps(2), { command: named, result: { fileName: 'diag.zip' } });
    expect(await f.deps.stores.files.get(logFileId('CP-Answer', 5), true)).toMatchObject({ status: 'failed', failure: 'Rejected', reportedAt: at(2) });
    expect(await f.deps.stores.files.get(diagnosticsFileId(diag.commandId), true)).toMatchObject({ status: 'failed', failure: 'NoFile' });
    expect(await f.deps.stores.files.get(diagnosticsFileId(named.commandId), true)).toMatchObject({ status: 'requested' });
  });
});
