/**
 * Chargers upload over SFTP to the local Transfer Family stand-in, which runs the platform's own identity provider
 * (functions/sftp/identity-provider.ts): user name the charger id, password a one-time upload token issued here on
 * the runtime's table. Real clients drive it (curl's SFTP, OpenSSH's sftp with the password from SSH_ASKPASS); what
 * lands in the local bucket is read back through the SDK, and its file is recorded `uploaded` by the platform's
 * RecordLandedFiles on the bucket's event. A refused login (curl exit 67) writes nothing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDeps } from '#functions/_common/deps.ts';
import { isBucketRoute, isSftpIdentityRoute, routes as platformRoutes } from '#functions/routes.ts';
import type { Deps } from '#shared/deps.ts';
import { uploadFolder } from '#shared/file/object-keys.ts';
import { issueUploadToken, newUploadToken } from '#shared/file/upload-token.ts';
import { silentLog } from '#shared/log/logger.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { LOCAL_AWS_ENV } from '../../../bin/local/handler-env.ts';
import { generateHostKey } from '../../../bin/local/hosts/sftp.ts';
import { importFromFunctionsDir } from '../../../bin/local/lambda.ts';
import { type LocalRuntime, startLocalRuntime } from '../../../bin/local/runtime.ts';
import { createTestTables, deleteTestTables, type TestTables } from '../../support/dynamo.ts';
import { loadFixture } from './fixtures/host.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** curl's exit code for a login the server refused. */
const LOGIN_DENIED = 67;

let db: TestTables;
let runtime: LocalRuntime;
let deps: Deps;
let s3: S3Client;
let work: string;
let port: number;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
  db = await createTestTables();
  runtime = await startLocalRuntime({
    dynamodbEndpoint: db.endpoint,
    tablePrefix: db.prefix,
    // The real identity provider and recorder of landed files, and a fixture that makes upload locations (it is told
    // where the stand-in is).
    routes: [
      ...platformRoutes.filter((r) => isSftpIdentityRoute(r) || isBucketRoute(r)),
      { kind: 'schedule', id: 'LocateUploads', schedule: 'rate(1 day)', entry: 'kinds/schedule.ts', access: { fileEndpoints: true } },
    ],
    loadModule: (entry) => (entry.startsWith('sftp/') || entry.startsWith('bucket/') ? importFromFunctionsDir(entry) : loadFixture(entry)),
    logger: quiet,
  });
  deps = makeDeps(runtime.env, silentLog);
  s3 = new S3Client(awsClientConfig('s3', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_S3: runtime.sqsS3Endpoint }));
  port = Number(new URL(runtime.endpoints.sftp ?? '').port);
  work = mkdtempSync(join(tmpdir(), 'ov2x-sftp-'));
});

afterAll(async () => {
  s3?.destroy();
  await runtime?.stop();
  if (db) await deleteTestTables(db);
  if (work) rmSync(work, { recursive: true, force: true });
});

const bucket = () => runtime.buckets.Files as string;

/** Every key of the local bucket under `prefix`, sorted. */
const keysUnder = async (prefix: string): Promise<string[]> => {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
};
const contentOf = async (key: string): Promise<string> =>
  (await (await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }))).Body?.transformToString()) ?? '';

let files = 0;
/** A local file with this text. */
const localFile = (text: string): string => {
  const path = join(work, `upload-${++files}.txt`);
  writeFileSync(path, text);
  return path;
};

interface Run {
  readonly code: number;
  readonly stderr: string;
}
const run = (command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Run> =>
  new Promise((resolve) => {
    const child = execFile(command, args, { timeout: 30_000, env: { ...process.env, ...options.env } }, (error, _stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
    );
    child.stdin?.end(options.input ?? '');
  });

/** `curl -T file sftp://127.0.0.1:<port><path>` as `user:password`, the host key unchecked (a fresh local key). */
const curlPut = (user: string, password: string, file: string, path: string, extra: string[] = []) =>
  run('curl', ['-sS', '-k', '--connect-timeout', '10', ...extra, '-u', `${user}:${password}`, '-T', file, `sftp://127.0.0.1:${port}${path}`]);

/** The file once the bucket's event has recorded it `uploaded` (a bounded poll). */
const recorded = async (fileId: string) => {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const file = await deps.stores.files.get(fileId, true);
    if (file?.status === 'uploaded') return file;
  }
  throw new Error(`file ${fileId} was not recorded uploaded within 10 s`);
};

const tokenFor = async (chargerId: string, at: Deps = deps) => issueUploadToken(at, { chargerId, commandId: `cmd-${chargerId}`, kind: 'diagnostics' });

describe('the stand-in’s address', () => {
  it('is what routes that make upload locations are told (FILE_SFTP_URL)', () => {
    expect(runtime.endpoints.sftp).toBe(`sftp://127.0.0.1:${port}`);
    expect(runtime.env.FILE_SFTP_URL).toBe(runtime.endpoints.sftp);
    // No HTTPS upload endpoint is hosted here: empty, which the domain reads as none.
    expect(runtime.env.FILE_UPLOAD_URL).toBe('');
  });
});

describe('curl over SFTP, password = upload token', () => {
  it('stores the upload under the file’s folder, and refuses the same token a second time', async () => {
    const issued = await tokenFor('CP-SFTP-1');
    const folder = uploadFolder('CP-SFTP-1', issued.fileId);
    expect(await curlPut('CP-SFTP-1', issued.token, localFile('first diagnostics'), '/diag.zip')).toMatchObject({ code: 0 });
    expect(await keysUnder(folder)).toEqual([`${folder}diag.zip`]);
    expect(await contentOf(`${folder}diag.zip`)).toBe('first diagnostics');
    // Recorded through the bucket's ObjectCreated event, with the checksum read through (Transfer stores none).
    expect(await recorded(issued.fileId)).toMatchObject({
      name: 'diag.zip',
      size: 17,
      sha256: createHash('sha256').update('first diagnostics').digest('hex'),
      s3Key: `${folder}diag.zip`,
      chargerId: 'CP-SFTP-1',
    });

    expect((await curlPut('CP-SFTP-1', issued.token, localFile('again'), '/again.zip')).code).toBe(LOGIN_DENIED);
    expect(await keysUnder(folder)).toEqual([`${folder}diag.zip`]);
  });

  it('takes the charger id in any case as the user name, and a path relative to the home (`~/`)', async () => {
    const issued = await tokenFor('CP-SFTP-Case');
    const folder = uploadFolder('CP-SFTP-Case', issued.fileId);
    expect(folder).toContain('/cp-sftp-case/');
    expect((await curlPut('cp-sftp-CASE', issued.token, localFile('any case'), '/~/log.txt')).code).toBe(0);
    expect(await keysUnder(folder)).toEqual([`${folder}log.txt`]);
  });

  it('refuses an expired, an unknown and a malformed token, writing nothing', async () => {
    const twoHoursAgo: Deps = { ...deps, now: () => new Date(Date.now() - 2 * 3_600_000) };
    const expired = await tokenFor('CP-SFTP-Old', twoHoursAgo);
    expect((await curlPut('CP-SFTP-Old', expired.token, localFile('late'), '/diag.zip')).code).toBe(LOGIN_DENIED);
    expect((await curlPut('CP-SFTP-Old', newUploadToken(), localFile('unknown'), '/diag.zip')).code).toBe(LOGIN_DENIED);
    expect((await curlPut('CP-SFTP-Old', 'not-a-token', localFile('malformed'), '/diag.zip')).code).toBe(LOGIN_DENIED);
    expect(await keysUnder('chargers/cp-sftp-old/')).toEqual([]);
  });

  it('refuses another charger’s token without spending it: its own charger still uploads with it', async () => {
    const issued = await tokenFor('CP-SFTP-Owner');
    expect((await curlPut('CP-SFTP-Thief', issued.token, localFile('stolen'), '/diag.zip')).code).toBe(LOGIN_DENIED);
    expect(await keysUnder('chargers/cp-sftp-thief/')).toEqual([]);
    expect(await keysUnder('chargers/cp-sftp-owner/')).toEqual([]);
    expect((await curlPut('CP-SFTP-Owner', issued.token, localFile('mine'), '/diag.zip')).code).toBe(0);
    expect(await keysUnder('chargers/cp-sftp-owner/')).toEqual([`${uploadFolder('CP-SFTP-Owner', issued.fileId)}diag.zip`]);
  });

  it('keeps a path that climbs out (`../`) inside the folder', async () => {
    const issued = await tokenFor('CP-SFTP-Climb');
    const folder = uploadFolder('CP-SFTP-Climb', issued.fileId);
    // --path-as-is: curl would otherwise remove the dot segments itself.
    expect((await curlPut('CP-SFTP-Climb', issued.token, localFile('climber'), '/../../x.txt', ['--path-as-is'])).code).toBe(0);
    expect(await keysUnder('chargers/')).toContain(`${folder}x.txt`);
    expect((await keysUnder('chargers/')).filter((k) => k.endsWith('x.txt'))).toEqual([`${folder}x.txt`]);
  });

  it('reads nothing back: a download is refused after a good login', async () => {
    const issued = await tokenFor('CP-SFTP-Read');
    const out = await run('curl', ['-sS', '-k', '-u', `CP-SFTP-Read:${issued.token}`, '-o', join(work, 'down.txt'), `sftp://127.0.0.1:${port}/diag.zip`]);
    expect(out.code).not.toBe(0);
    expect(out.code).not.toBe(LOGIN_DENIED);
  });
});

describe('OpenSSH sftp, password = upload token', () => {
  it('makes a subfolder and puts into it and at the top, then says bye', async () => {
    const issued = await tokenFor('CP-SFTP-Ssh');
    const folder = uploadFolder('CP-SFTP-Ssh', issued.fileId);
    // OpenSSH reads a password only from a terminal or SSH_ASKPASS: a script that prints the token.
    const askpass = join(work, 'askpass.sh');
    writeFileSync(askpass, '#!/bin/sh\nprintf "%s\\n" "$UPLOAD_TOKEN"\n');
    chmodSync(askpass, 0o700);
    const file = localFile('from openssh');
    const commands = `mkdir logs\nput ${file} logs/diag.txt\nput ${file} /top.txt\nls\nbye\n`;
    const out = await run(
      'sftp',
      [
        // Before -b, which turns BatchMode on (no password prompts); ssh keeps the first value it is given.
        '-o', 'BatchMode=no',
        '-b', '-',
        '-P', String(port),
        '-o', 'StrictHostKeyChecking=no',
        '-o', 'UserKnownHostsFile=/dev/null',
        '-o', 'PubkeyAuthentication=no',
        '-o', 'PreferredAuthentications=password',
        '-o', 'NumberOfPasswordPrompts=1',
        'CP-SFTP-Ssh@127.0.0.1',
      ],
      { env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0', UPLOAD_TOKEN: issued.token }, input: commands },
    );
    expect(out, out.stderr).toMatchObject({ code: 0 });
    expect(await keysUnder(folder)).toEqual([`${folder}logs/`, `${folder}logs/diag.txt`, `${folder}top.txt`]);
    expect(await contentOf(`${folder}logs/diag.txt`)).toBe('from openssh');
    // The first file that landed is the file; the folder marker and the second file are not.
    expect((await recorded(issued.fileId)).s3Key).toBe(`${folder}logs/diag.txt`);
  });
});

describe('login methods', () => {
  it('refuses public keys: only an upload token logs in', async () => {
    // A key ssh2 can parse (its generator makes a malformed one now and then).
    const key = generateHostKey();
    const outcome = await new Promise<string>((resolve) => {
      const client = new ssh2.Client();
      client
        .on('ready', () => {
          client.end();
          resolve('logged in');
        })
        .on('error', (e) => resolve(e.message))
        .connect({ host: '127.0.0.1', port, username: 'CP-SFTP-Key', privateKey: key, hostVerifier: () => true, readyTimeout: 10_000 });
    });
    expect(outcome).toMatch(/authentication methods failed/);
  });
});
