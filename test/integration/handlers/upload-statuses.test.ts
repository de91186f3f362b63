/**
 * Upload statuses through the real $default handler on DynamoDB Local, counted with the capacity meter: a
 * LogStatusNotification that moves a file costs one UpdateItem more than one that moves nothing (Uploaded), a 1.6
 * DiagnosticsStatusNotification a Query and an UpdateItem more than Idle; and a refusing GetLog answer, taken through
 * the reply path, fails the file its command asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { diagnosticsFileId, logFileId } from '#shared/file/upload-location.ts';
import { issueUploadToken } from '#shared/file/upload-token.ts';
import { answeredCommand } from '../../support/command-replies.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';
import { measuredCall } from '../../support/message-cost.ts';

let h: Harness;
const CP2 = 'CP-ULOG2';
const CP16 = 'CP-UDIAG16';

beforeAll(async () => {
  h = await startHarness({ CSMS_CAPACITY_METER: 'on' });
  await createCharger(h.deps, { chargerId: CP2, registrationStatus: 'accepted' });
  await createCharger(h.deps, { chargerId: CP16, registrationStatus: 'accepted' });
});
afterAll(async () => h?.close());

/** A file as a generated location records it (its derived id), without going through a command. */
const logFile = async (chargerId: string, requestId: number) => {
  const fileId = logFileId(chargerId, requestId);
  await issueUploadToken(h.deps, { chargerId, commandId: `cmd-${chargerId}-${requestId}`, kind: 'log', fileId, requestId });
  return fileId;
};
const statusOf = async (fileId: string) => h.deps.stores.files.get(fileId, true);

describe('LogStatusNotification', () => {
  it('2.0.1: one UpdateItem more than a status that moves nothing, on the file of the request it names', async () => {
    const fileId = await logFile(CP2, 7);
    const uploaded = await measuredCall(h, CP2, 'ocpp2.0.1', 'LogStatusNotification', { status: 'Uploaded', requestId: 7 });
    const uploading = await measuredCall(h, CP2, 'ocpp2.0.1', 'LogStatusNotification', { status: 'Uploading', requestId: 7 });
    expect(uploading.reply).toEqual({});
    expect(uploading.requests).toBe(uploaded.requests + 1);
    expect(await statusOf(fileId)).toMatchObject({ status: 'uploading' });
    const failed = await measuredCall(h, CP2, 'ocpp2.0.1', 'LogStatusNotification', { status: 'UploadFailure', requestId: 7 });
    expect(failed.requests).toBe(uploaded.requests + 1);
    expect(await statusOf(fileId)).toMatchObject({ status: 'failed', failure: 'UploadFailure' });
  });

  it('1.6 security extension: the same, by request id', async () => {
    const fileId = await logFile(CP16, 3);
    await measuredCall(h, CP16, 'ocpp1.6', 'LogStatusNotification', { status: 'Uploading', requestId: 3 });
    expect(await statusOf(fileId)).toMatchObject({ status: 'uploading' });
  });
});

describe('DiagnosticsStatusNotification (1.6)', () => {
  it('a Query and an UpdateItem more than Idle, on the charger’s newest diagnostics file', async () => {
    const older = diagnosticsFileId('cmd-diag-old');
    const newer = diagnosticsFileId('cmd-diag-new');
    await issueUploadToken({ ...h.deps, now: () => new Date(Date.now() - 60_000) }, { chargerId: CP16, commandId: 'cmd-diag-old', kind: 'diagnostics', fileId: older });
    await issueUploadToken(h.deps, { chargerId: CP16, commandId: 'cmd-diag-new', kind: 'diagnostics', fileId: newer });
    const idle = await measuredCall(h, CP16, 'ocpp1.6', 'DiagnosticsStatusNotification', { status: 'Idle' });
    const failed = await measuredCall(h, CP16, 'ocpp1.6', 'DiagnosticsStatusNotification', { status: 'UploadFailed' });
    expect(failed.requests).toBe(idle.requests + 2);
    expect(await statusOf(newer)).toMatchObject({ status: 'failed', failure: 'UploadFailed' });
    expect(await statusOf(older)).toMatchObject({ status: 'requested' });
  });
});

describe('answers', () => {
  it('a GetLog answered Rejected fails its file; one answered Accepted leaves it requested', async () => {
    const rejected = await logFile(CP2, 21);
    const accepted = await logFile(CP2, 22);
    const getLog = (requestId: number) => ({ chargerId: CP2, protocol: 'ocpp2.0.1' as const, action: 'GetLog', payload: { logType: 'DiagnosticsLog', requestId, log: { remoteLocation: 'https://uploads.example.com/CP-ULOG2/***' } } });
    await answeredCommand(h, getLog(21), { status: 'Rejected' });
    await answeredCommand(h, getLog(22), { status: 'Accepted', filename: 'a.log' });
    expect(await statusOf(rejected)).toMatchObject({ status: 'failed', failure: 'Rejected' });
    expect(await statusOf(accepted)).toMatchObject({ status: 'requested' });
  });
});
