/**
 * The operators' file routes under the local runtime, with real tokens of each role: the runtime hands its files
 * bucket (fauxqs) to the routes that may reach it, a viewer lists a charger's files and downloads one with `curl -L`
 * through the 303 (curl drops the API token on the way to S3, whose presigned link needs none), and only an operator
 * deletes. Files are made as the upload path makes them: a token with its requested file, then bytes in the bucket,
 * recorded uploaded by the bucket's event (RecordLandedFiles).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { uploadObjectKey } from '#shared/file/object-keys.ts';
import { issueUploadToken } from '#shared/file/upload-token.ts';
import { commandE2eFile } from '../support/command-e2e.ts';
import { runId } from '../support/e2e.ts';
import { signIn } from '../support/operator-tokens.ts';

const run = promisify(execFile);
const f = commandE2eFile('files-admin');
const { api } = f;

let viewer = '';
let operator = '';
beforeAll(async () => {
  viewer = (await signIn(f.runtime.userPool, `files-viewer-${runId}`, ['viewer'])).accessToken;
  operator = (await signIn(f.runtime.userPool, `files-operator-${runId}`, ['operator'])).accessToken;
});

/** A diagnostics file of `chargerId` whose bytes landed in the runtime's bucket. */
const uploadedFile = async (chargerId: string, name: string, content: string) => {
  const objects = f.e.deps.files?.objects;
  if (!objects) throw new Error('the runtime gave no files bucket');
  const issued = await issueUploadToken(f.e.deps, { chargerId, commandId: `cmd-${name}`, kind: 'diagnostics' });
  const s3Key = uploadObjectKey(chargerId, issued.fileId, name);
  await objects.put(s3Key, Buffer.from(content));
  // The bucket's ObjectCreated event has RecordLandedFiles mark it uploaded, as for any upload.
  await expect.poll(async () => (await f.e.deps.stores.files.get(issued.fileId, true))?.status, { timeout: 10_000 }).toBe('uploaded');
  return { fileId: issued.fileId, s3Key, objects };
};

describe('files under the local runtime', () => {
  it('a viewer lists a charger’s files and downloads one with curl through the redirect; only an operator deletes it', async () => {
    const chargerId = `CP-FILES-${runId}`;
    await f.e.register({ chargerId });
    const file = await uploadedFile(chargerId, 'diagnostics.txt', 'all is well\n');

    const listed = await api('GET', `/chargers/${chargerId.toLowerCase()}/files`, undefined, {}, viewer);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ fileId: file.fileId, status: 'uploaded', name: 'diagnostics.txt', size: 12 })]);

    const { stdout } = await run('curl', ['-sS', '-L', '--fail', '-H', `Authorization: Bearer ${viewer}`, `${f.runtime.restUrl}/files/${file.fileId}/content?redirect=true`]);
    expect(stdout).toBe('all is well\n');

    expect((await api('DELETE', `/files/${file.fileId}`, undefined, {}, viewer)).status).toBe(403);
    expect(await file.objects.head(file.s3Key)).toBeDefined();
    expect((await api('DELETE', `/files/${file.fileId}`, undefined, {}, operator)).status).toBe(204);
    expect(await file.objects.head(file.s3Key)).toBeUndefined();
    expect((await api('GET', `/files/${file.fileId}`, undefined, {}, viewer)).status).toBe(404);
  });
});
