/**
 * SFTP logins on DynamoDB Local: the domain's `authenticateUpload` (a charger's id and upload token in, its file's
 * folder out, or why not; the password never logged) and the real identity provider handler answering Transfer
 * Family's event (the session's role, home and policy, or `{}`).
 */
import type { Context, TransferFamilyAuthorizerEvent, TransferFamilyAuthorizerResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Deps } from '#shared/deps.ts';
import type { Log } from '#shared/log/logger.ts';
import { uploadFolder } from '#shared/file/object-keys.ts';
import { authenticateUpload } from '#shared/file/sftp-identity.ts';
import { hashUploadToken, issueUploadToken, newUploadToken } from '#shared/file/upload-token.ts';
import { uploadTokenKey } from '#shared/store/keys.ts';
import { sessionPolicy } from '#functions/sftp/transfer-answer.ts';
import { transferLoginEvent } from '../../../bin/local/events/index.ts';
import { currentSecond, depsAt, openStoreFixture, type StoreFixture } from '../store/fixture.ts';

const ROLE = 'arn:aws:iam::111111111111:role/sftp-session';
const BUCKET = 'ov2xmp-prod-files';

let f: StoreFixture;
let now: Date;
let deps: Deps;
beforeAll(async () => {
  f = await openStoreFixture();
  now = currentSecond();
  deps = depsAt(f, now);
});
afterAll(async () => f?.close());

/** A log that keeps every line, to show what a login writes (and that no password is among it). */
const recordingLog = () => {
  const lines: { level: string; message: string; extra: object[] }[] = [];
  const at = (level: string) => (message: string, ...extra: object[]) => void lines.push({ level, message, extra });
  const log: Log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
};

const issue = (chargerId: string, at: Deps = deps) => issueUploadToken(at, { chargerId, commandId: `cmd-${chargerId}`, kind: 'log' });
const usedAt = async (token: string) => (await f.item('Csms', uploadTokenKey(hashUploadToken(token))))?.usedAt;

describe('authenticateUpload', () => {
  it('grants the token’s charger, in any case, its file’s folder once, logging the grant', async () => {
    const issued = await issue('CP-Login');
    const { log, lines } = recordingLog();
    const out = await authenticateUpload({ ...deps, log }, { userName: 'cp-LOGIN', password: issued.token });
    expect(out).toEqual({
      granted: true,
      home: uploadFolder('CP-Login', issued.fileId),
      grant: { chargerId: 'CP-Login', commandId: 'cmd-CP-Login', fileId: issued.fileId, kind: 'log' },
    });
    expect(lines).toEqual([{ level: 'info', message: 'upload login granted', extra: [expect.objectContaining({ chargerId: 'CP-Login', fileId: issued.fileId })] }]);
    expect(await usedAt(issued.token)).toBe(now.toISOString());
    expect(await authenticateUpload(deps, { userName: 'CP-Login', password: issued.token })).toEqual({ granted: false, reason: 'used' });
  });

  it('refuses unknown, expired and foreign tokens with the reason, logs it without the password, and spends nothing', async () => {
    const expired = await issue('CP-Late', depsAt(f, new Date(now.getTime() - 2 * 3_600_000)));
    const owned = await issue('CP-Owner');
    const unknown = newUploadToken();
    const { log, lines } = recordingLog();
    const at = { ...deps, log };
    expect(await authenticateUpload(at, { userName: 'CP-Late', password: expired.token })).toEqual({ granted: false, reason: 'expired' });
    expect(await authenticateUpload(at, { userName: 'CP-Owner', password: unknown })).toEqual({ granted: false, reason: 'unknown' });
    expect(await authenticateUpload(at, { userName: 'CP-Other', password: owned.token })).toEqual({ granted: false, reason: 'foreign' });
    expect(await authenticateUpload(at, { userName: 'x'.repeat(500), password: owned.token })).toEqual({ granted: false, reason: 'foreign' });
    expect(lines.map((l) => [l.level, l.message, l.extra[0]])).toEqual([
      ['info', 'upload login refused', { userName: 'CP-Late', reason: 'expired' }],
      ['info', 'upload login refused', { userName: 'CP-Owner', reason: 'unknown' }],
      ['info', 'upload login refused', { userName: 'CP-Other', reason: 'foreign' }],
      ['info', 'upload login refused', { userName: 'x'.repeat(64), reason: 'foreign' }],
    ]);
    for (const secret of [expired.token, owned.token, unknown]) expect(JSON.stringify(lines)).not.toContain(secret);
    expect(await usedAt(owned.token)).toBeUndefined();
    expect(await authenticateUpload(deps, { userName: 'CP-Owner', password: owned.token })).toMatchObject({ granted: true });
  });
});

describe('the identity provider handler', () => {
  type Handler = (event: TransferFamilyAuthorizerEvent) => Promise<TransferFamilyAuthorizerResult>;
  const context = { functionName: 'SftpIdentityProvider', awsRequestId: 'req-sftp', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
  /** The handler as a cold start with `role` as its session role loads it. */
  const loadHandler = async (role: string): Promise<Handler> => {
    vi.resetModules();
    Object.assign(process.env, f.env, { TRANSFER_HOME_BUCKET: BUCKET, TRANSFER_SESSION_ROLE_ARN: role, POWERTOOLS_LOG_LEVEL: 'CRITICAL' });
    const { handler } = await import('../../../functions/sftp/identity-provider.ts');
    return (event) => handler(event, context);
  };
  const login = (username: string, password: string) => transferLoginEvent({ username, password, sourceIp: '203.0.113.7' });

  it('answers a good login with the role, the file’s folder as `/` and the session policy', async () => {
    const handler = await loadHandler(ROLE);
    const issued = await issue('CP-Handler');
    const home = uploadFolder('CP-Handler', issued.fileId);
    expect(await handler(login('CP-Handler', issued.token))).toEqual({
      Role: ROLE,
      HomeDirectoryType: 'LOGICAL',
      HomeDirectoryDetails: JSON.stringify([{ Entry: '/', Target: `/${BUCKET}/${home.slice(0, -1)}` }]),
      Policy: JSON.stringify(sessionPolicy({ bucket: BUCKET, home, role: ROLE })),
    });
    expect(await handler(login('CP-Handler', issued.token))).toEqual({});
  });

  it('denies with an empty answer: a bad token, a key login (no password), another protocol', async () => {
    const handler = await loadHandler(ROLE);
    const issued = await issue('CP-Deny');
    expect(await handler(login('CP-Deny', newUploadToken()))).toEqual({});
    const { password: _none, ...keyLogin } = login('CP-Deny', issued.token);
    expect(await handler(keyLogin)).toEqual({});
    expect(await handler({ ...login('CP-Deny', issued.token), protocol: 'FTPS' })).toEqual({});
    expect(await handler({ ...login('CP-Deny', issued.token), protocol: 'FTP' })).toEqual({});
    expect(await usedAt(issued.token)).toBeUndefined();
  });

  it('denies every login, spending no token, on a stage without an SFTP server (no session role)', async () => {
    const handler = await loadHandler('');
    const issued = await issue('CP-NoServer');
    expect(await handler(login('CP-NoServer', issued.token))).toEqual({});
    expect(await usedAt(issued.token)).toBeUndefined();
  });
});
