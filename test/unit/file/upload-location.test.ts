/**
 * Generated upload locations and the upload statuses chargers report, without I/O: the URL each way builds (and the
 * stage without that way), the schema limits, the token's lifetime, the file ids a status notification finds, what a
 * reported status or a refusing answer does to the file, and the masking of the token wherever a payload is stored,
 * shown or logged.
 */
import { describe, expect, it } from 'vitest';
import { parseObjectKey, uploadObjectKey } from '#shared/file/object-keys.ts';
import {
  answerFailure,
  diagnosticsFileId,
  logFileId,
  maxUploadLocationLength,
  uploadFileIdOf,
  uploadLocation,
  uploadTokenLifetime,
} from '#shared/file/upload-location.ts';
import { uploadStatusChange } from '#shared/file/upload-status.ts';
import { DEFAULT_UPLOAD_TOKEN_LIFETIME_SECONDS, MAX_UPLOAD_TOKEN_LIFETIME_SECONDS, newUploadToken } from '#shared/file/upload-token.ts';
import { maskLocation, redactFrame, redactPayload } from '#shared/log/redact.ts';

const TOKEN = newUploadToken();
const ENDPOINTS = { uploads: 'https://up.example.com/', sftp: 'sftp://s-1.server.transfer.eu-west-1.amazonaws.com' };

describe('uploadLocation', () => {
  it('puts the charger id (percent-encoded) and the token in the path of the HTTPS endpoint', () => {
    expect(uploadLocation(ENDPOINTS, 'https', 'CP 1/ä', TOKEN)).toEqual({ ok: true, value: `https://up.example.com/CP%201%2F%C3%A4/${TOKEN}/` });
  });

  it('makes the charger id the SFTP user name and the token its password, at the server root (the session home)', () => {
    const out = uploadLocation({ sftp: 'sftp://127.0.0.1:2222' }, 'sftp', 'CP:1', TOKEN);
    expect(out).toEqual({ ok: true, value: `sftp://CP%3A1:${TOKEN}@127.0.0.1:2222/` });
    // What a charger's URL parser (and the simulator) makes of it: the user name and password the identity provider takes.
    const url = new URL(out.ok ? out.value : '');
    expect([decodeURIComponent(url.username), decodeURIComponent(url.password), url.hostname, url.port, url.pathname]).toEqual(['CP:1', TOKEN, '127.0.0.1', '2222', '/']);
  });

  it('refuses a way the stage has no endpoint for, naming the field', () => {
    expect(uploadLocation({ uploads: ENDPOINTS.uploads }, 'sftp', 'CP-1', TOKEN)).toMatchObject({ ok: false, reason: 'invalid', field: '/uploadVia', detail: expect.stringMatching(/no SFTP server/) });
    expect(uploadLocation({}, 'https', 'CP-1', TOKEN)).toMatchObject({ ok: false, reason: 'invalid', field: '/uploadVia', detail: expect.stringMatching(/no HTTPS upload endpoint/) });
  });
});

describe('limits and lifetimes', () => {
  it('follows the schemas: no limit for 1.6 GetDiagnostics, 512 for GetLog in 1.6 and 2.0.1, 2000 in 2.1', () => {
    expect(maxUploadLocationLength('ocpp1.6', 'GetDiagnostics')).toBeUndefined();
    expect(maxUploadLocationLength('ocpp1.6', 'GetLog')).toBe(512);
    expect(maxUploadLocationLength('ocpp2.0.1', 'GetLog')).toBe(512);
    expect(maxUploadLocationLength('ocpp2.1', 'GetLog')).toBe(2000);
  });

  it('keeps a token for an hour plus the retries the command allows, at most a week', () => {
    expect(uploadTokenLifetime({})).toBe(DEFAULT_UPLOAD_TOKEN_LIFETIME_SECONDS);
    expect(uploadTokenLifetime({ retries: 3, retryInterval: 600 })).toBe(DEFAULT_UPLOAD_TOKEN_LIFETIME_SECONDS + 1800);
    expect(uploadTokenLifetime({ retries: -3, retryInterval: 'soon' })).toBe(DEFAULT_UPLOAD_TOKEN_LIFETIME_SECONDS);
    expect(uploadTokenLifetime({ retries: 1000, retryInterval: 86_400 })).toBe(MAX_UPLOAD_TOKEN_LIFETIME_SECONDS);
  });
});

describe('file ids', () => {
  it('derives a log file from the charger (any case) and request id, a diagnostics file from the command', () => {
    expect(logFileId('CP-1', 7)).toBe(logFileId('cp-1', 7));
    expect(logFileId('CP-1', 7)).not.toBe(logFileId('CP-2', 7));
    expect(logFileId('CP-1', 7)).not.toBe(logFileId('CP-1', 8));
    expect(diagnosticsFileId('cmd-1')).not.toBe(diagnosticsFileId('cmd-2'));
    expect(uploadFileIdOf({ commandId: 'c', chargerId: 'CP-1', payload: { requestId: 7 } }, 'GetLog')).toBe(logFileId('CP-1', 7));
    expect(uploadFileIdOf({ commandId: 'c', chargerId: 'CP-1', payload: {} }, 'GetLog')).toBeUndefined();
    expect(uploadFileIdOf({ commandId: 'c', chargerId: 'CP-1', payload: {} }, 'GetDiagnostics')).toBe(diagnosticsFileId('c'));
  });

  it('are folders the bucket layout records (UUID-shaped)', () => {
    const fileId = logFileId('CP-1', 7);
    expect(parseObjectKey(uploadObjectKey('CP-1', fileId, 'log.txt'))).toEqual({ kind: 'upload', chargerKey: 'cp-1', fileId, name: 'log.txt' });
  });
});

describe('statuses', () => {
  it('moves the file on Uploading and failures, leaves Uploaded to the landing object and Idle alone', () => {
    expect(uploadStatusChange('Uploading')).toEqual({ status: 'uploading' });
    for (const status of ['UploadFailed', 'UploadFailure', 'BadMessage', 'NotSupportedOperation', 'PermissionDenied']) {
      expect(uploadStatusChange(status), status).toEqual({ status: 'failed', failure: status });
    }
    for (const status of ['Uploaded', 'Idle', 'AcceptedCanceled', 'Whatever']) expect(uploadStatusChange(status), status).toBeUndefined();
  });

  it('fails the file on a refusing answer: GetLog Rejected, a 1.6 GetDiagnostics without a file name', () => {
    expect(answerFailure('ocpp2.0.1', 'GetLog', { status: 'Rejected' })).toBe('Rejected');
    expect(answerFailure('ocpp1.6', 'GetLog', { status: 'Rejected' })).toBe('Rejected');
    expect(answerFailure('ocpp2.0.1', 'GetLog', { status: 'Accepted', filename: 'a.log' })).toBeUndefined();
    expect(answerFailure('ocpp2.0.1', 'GetLog', { status: 'AcceptedCanceled' })).toBeUndefined();
    expect(answerFailure('ocpp1.6', 'GetDiagnostics', {})).toBe('NoFile');
    expect(answerFailure('ocpp1.6', 'GetDiagnostics', { fileName: 'diag.zip' })).toBeUndefined();
  });
});

describe('masking generated locations', () => {
  const https = `https://up.example.com/CP-1/${TOKEN}`;
  const sftp = `sftp://CP-1:${TOKEN}@s-1.server.transfer.eu-west-1.amazonaws.com/`;

  it('masks the token in the path (a file name the charger appends included) and the SFTP password, nothing else', () => {
    expect(maskLocation(https)).toBe('https://up.example.com/CP-1/***');
    expect(maskLocation(`${https}/diag.zip`)).toBe('https://up.example.com/CP-1/***/diag.zip');
    expect(maskLocation(sftp)).toBe('sftp://CP-1:***@s-1.server.transfer.eu-west-1.amazonaws.com/');
    expect(maskLocation('ftp://user:hunter2@ftp.example.com/logs/')).toBe('ftp://user:***@ftp.example.com/logs/');
    expect(maskLocation('https://logs.example.com/upload/CP-1/')).toBe('https://logs.example.com/upload/CP-1/');
    expect(maskLocation('ftp://anonymous@ftp.example.com/x')).toBe('ftp://anonymous@ftp.example.com/x');
  });

  it('masks both payload shapes, in stored payloads and logged frames', () => {
    expect(redactPayload({ location: https, retries: 1 })).toEqual({ location: 'https://up.example.com/CP-1/***', retries: 1 });
    expect(redactPayload({ logType: 'DiagnosticsLog', requestId: 1, log: { remoteLocation: sftp } })).toEqual({
      logType: 'DiagnosticsLog',
      requestId: 1,
      log: { remoteLocation: 'sftp://CP-1:***@s-1.server.transfer.eu-west-1.amazonaws.com/' },
    });
    const logged = redactFrame(JSON.stringify([2, 'm-1', 'GetLog', { logType: 'DiagnosticsLog', requestId: 1, log: { remoteLocation: sftp } }]));
    expect(logged.frame).not.toContain(TOKEN);
    expect(logged.frame).toContain('sftp://CP-1:***@');
  });
});
