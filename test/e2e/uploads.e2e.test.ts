/**
 * HTTPS uploads end to end against a started local runtime: tokens issued on the runtime's table as a command would,
 * files sent with `curl` the ways chargers send them (PUT, raw POST, multipart under any field name, a file name
 * appended to the URL) to the endpoint SendCommand's environment names, each then read back from the local bucket
 * and found recorded `uploaded`. Expired, reused and foreign tokens, and bodies over our limit and over Lambda's
 * payload limit, are refused and leave nothing behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '#shared/deps.ts';
import { chargerUploadsPrefix, uploadObjectKey } from '#shared/file/object-keys.ts';
import { issueUploadToken } from '#shared/file/upload-token.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { LOCAL_AWS_ENV } from '../../bin/local/handler-env.ts';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local/runtime.ts';
import { curl } from '../support/curl.ts';
import { testDynamoEndpoint, uniquePrefix } from '../support/dynamo.ts';
import { depsFor, runId } from '../support/e2e.ts';

let runtime: LocalRuntime;
let deps: Deps;
let s3: S3Client;
let dir: string;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
  runtime = await startLocalRuntime({
    dynamodbEndpoint: testDynamoEndpoint(),
    tablePrefix: uniquePrefix('uploads'),
    logger: { info: () => undefined, warn: () => undefined, error: console.error },
  });
  deps = depsFor(runtime);
  s3 = new S3Client(awsClientConfig('s3', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_S3: runtime.sqsS3Endpoint }));
  dir = mkdtempSync(join(tmpdir(), 'uploads-e2e-'));
});

afterAll(async () => {
  s3?.destroy();
  await runtime?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Where a charger with this token uploads: the base the command senders are told, as the location generator uses it. */
const locationOf = (chargerId: string, token: string) => `${runtime.env.FILE_UPLOAD_URL}/${chargerId}/${token}`;

const fileOf = (name: string, bytes: Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};


const issue = (chargerId: string, options: { lifetimeSeconds?: number; issuedSecondsAgo?: number } = {}) =>
  issueUploadToken(
    { ...deps, now: () => new Date(Date.now() - (options.issuedSecondsAgo ?? 0) * 1000) },
    { chargerId, commandId: `cmd-${chargerId}`, kind: 'log', ...(options.lifetimeSeconds ? { lifetimeSeconds: options.lifetimeSeconds } : {}) },
  );

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const objectBytes = async (key: string) =>
  Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: runtime.buckets.Files, Key: key }))).Body!.transformToByteArray());
const keysOf = async (chargerId: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: runtime.buckets.Files, Prefix: chargerUploadsPrefix(chargerId) }))).Contents ?? []).map((o) => o.Key);

/** The upload landed as `name` with these bytes, and its file is recorded uploaded with its size and checksum. */
const expectLanded = async (chargerId: string, fileId: string, name: string, bytes: Buffer) => {
  const key = uploadObjectKey(chargerId, fileId, name);
  expect((await objectBytes(key)).equals(bytes)).toBe(true);
  expect(await deps.stores.files.get(fileId, true)).toMatchObject({ status: 'uploaded', name, size: bytes.length, sha256: sha(bytes), s3Key: key });
};

describe('uploads the ways chargers send them', () => {
  it('takes a PUT of the file (curl -T), named by default, and answers its receipt', async () => {
    const cp = `CP-PUT-${runId}`;
    const issued = await issue(cp);
    const bytes = randomBytes(70_000);
    const answer = await curl('-T', fileOf('put.bin', bytes), locationOf(cp, issued.token));
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ fileId: issued.fileId, size: bytes.length, sha256: sha(bytes), name: expect.stringMatching(/^log-\d{8}T\d{6}Z$/) });
    await expectLanded(cp, issued.fileId, answer.body.name, bytes);
  });

  it.each([
    // A URL ending in `/` makes curl append the local file's name.
    ['a PUT with the file name appended to the location, as MicroOcpp does', 'APPEND', 'diagnostics-2026.log', (file: string, at: string) => ['-T', file, `${at}/`], 'diagnostics-2026.log'],
    [
      'a raw POST, named from Content-Disposition',
      'POST',
      'local.bin',
      (file: string, at: string) => ['--data-binary', `@${file}`, '-H', 'Content-Type: application/gzip', '-H', 'Content-Disposition: attachment; filename="core.tar.gz"', at],
      'core.tar.gz',
    ],
    ['a multipart form whatever the file field is called', 'FORM', 'local.bin', (file: string, at: string) => ['-F', 'note=hello', '-F', `charger_log=@${file};filename=station.log`, at], 'station.log'],
  ])('takes %s', async (_what, label, localName, args, name) => {
    const cp = `CP-${label}-${runId}`;
    const issued = await issue(cp);
    const bytes = randomBytes(30_000);
    const answer = await curl(...args(fileOf(localName, bytes), locationOf(cp, issued.token)));
    expect(answer).toMatchObject({ status: 201, body: { fileId: issued.fileId, name, size: bytes.length, sha256: sha(bytes) } });
    await expectLanded(cp, issued.fileId, name, bytes);
  });
});

describe('refusals', () => {
  it('refuses a reused token with 401 and keeps the first upload', async () => {
    const cp = `CP-REUSE-${runId}`;
    const issued = await issue(cp);
    const first = Buffer.from('first');
    expect((await curl('-T', fileOf('first.txt', first), `${locationOf(cp, issued.token)}/first.txt`)).status).toBe(201);
    const again = await curl('-T', fileOf('second.txt', Buffer.from('second')), `${locationOf(cp, issued.token)}/second.txt`);
    expect(again).toMatchObject({ status: 401, body: { status: 401, detail: expect.stringMatching(/used already/) } });
    expect(await keysOf(cp)).toEqual([uploadObjectKey(cp, issued.fileId, 'first.txt')]);
    await expectLanded(cp, issued.fileId, 'first.txt', first);
  });

  it('refuses an expired token with 401, writing nothing', async () => {
    const cp = `CP-EXPIRED-${runId}`;
    const issued = await issue(cp, { lifetimeSeconds: 60, issuedSecondsAgo: 120 });
    const answer = await curl('-T', fileOf('late.log', Buffer.from('late')), locationOf(cp, issued.token));
    expect(answer).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/expired/) } });
    expect(await keysOf(cp)).toEqual([]);
    expect((await deps.stores.files.get(issued.fileId, true))?.status).toBe('requested');
  });

  it('refuses another charger’s token with 403, and it stays good for its own', async () => {
    const owner = `CP-A-${runId}`;
    const issued = await issue(owner);
    const answer = await curl('-T', fileOf('a.log', Buffer.from('from B')), locationOf(`CP-B-${runId}`, issued.token));
    expect(answer).toMatchObject({ status: 403, body: { title: 'Forbidden' } });
    expect(await keysOf(`CP-B-${runId}`)).toEqual([]);
    expect(await keysOf(owner)).toEqual([]);
    expect((await curl('-T', fileOf('a.log', Buffer.from('from A')), locationOf(owner, issued.token))).status).toBe(201);
  });

  it('refuses a body over the endpoint’s limit with 413 naming it, and one over Lambda’s payload limit with Lambda’s 413', async () => {
    const cp = `CP-BIG-${runId}`;
    const issued = await issue(cp);
    // Over 4 MiB, yet within 6 MiB once base64-encoded: our handler refuses it.
    const ours = await curl('-T', fileOf('big.bin', randomBytes(4_600_000)), locationOf(cp, issued.token));
    expect(ours).toMatchObject({ status: 413, body: { title: 'Content Too Large', detail: expect.stringContaining('limit of 4194304 bytes') } });
    // Over 6 MiB once base64-encoded: the function is not even invoked.
    const lambdas = await curl('-T', fileOf('bigger.bin', randomBytes(5_000_000)), locationOf(cp, issued.token));
    expect(lambdas).toMatchObject({ status: 413, body: { Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' } });
    expect(await keysOf(cp)).toEqual([]);
    // The token was never redeemed: the charger's smaller retry is received.
    const small = Buffer.from('trimmed log');
    expect((await curl('-T', fileOf('small.log', small), `${locationOf(cp, issued.token)}/small.log`)).status).toBe(201);
    await expectLanded(cp, issued.fileId, 'small.log', small);
  });
});
