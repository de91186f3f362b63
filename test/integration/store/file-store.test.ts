/**
 * Files and one-time upload tokens on DynamoDB Local: a token is issued with its `requested` file in one write,
 * redeemed once by one conditional write, and refused (`used`, `expired`, `foreign`, `unknown`) without a change;
 * a charger's files list newest first. Each test runs on fixed clocks, so expiry is decided by our clock alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '#shared/deps.ts';
import type { FileRecord } from '#shared/file/file-record.ts';
import { hashUploadToken, issueUploadToken, MAX_UPLOAD_TOKEN_LIFETIME_SECONDS, newUploadToken, redeemUploadToken } from '#shared/file/upload-token.ts';
import { chargerFilesIndex, fileKey, uploadTokenKey } from '#shared/store/keys.ts';
import { countingRequests, currentSecond, depsAt, openStoreFixture, STORAGE_ATTRIBUTES, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
let now: Date;
let deps: Deps;
beforeAll(async () => {
  f = await openStoreFixture();
  now = currentSecond();
  deps = depsAt(f, now);
});
afterAll(async () => f?.close());

/** Dependencies whose clock reads `seconds` from the fixed now. */
const later = (seconds: number): Deps => depsAt(f, new Date(now.getTime() + seconds * 1000));
const at = (seconds: number): string => new Date(now.getTime() + seconds * 1000).toISOString();

const tokenItem = (token: string) => f.item('Csms', uploadTokenKey(hashUploadToken(token)));

describe('issueUploadToken', () => {
  it('records the requested file and the token’s hash in one write; the token itself is stored nowhere', async () => {
    const { result: issued, requests } = await countingRequests(() =>
      issueUploadToken(deps, { chargerId: 'CP-Issue', commandId: 'cmd-issue', kind: 'diagnostics' }),
    );
    expect(requests).toBe(1);
    expect(issued.expiresAt).toBe(at(3_600));

    const file: FileRecord = { fileId: issued.fileId, chargerId: 'CP-Issue', kind: 'diagnostics', status: 'requested', commandId: 'cmd-issue', createdAt: at(0) };
    expect(await deps.stores.files.get(issued.fileId, true)).toEqual(file);
    expect(await f.item('Csms', fileKey(issued.fileId))).toMatchObject({ ...chargerFilesIndex('CP-Issue', at(0), issued.fileId), type: 'File' });

    const stored = await tokenItem(issued.token);
    expect(stored).toMatchObject({ type: 'UploadToken', chargerId: 'CP-Issue', commandId: 'cmd-issue', fileId: issued.fileId, kind: 'diagnostics', validUntil: at(3_600) });
    expect(stored?.expiresAt).toBe(Math.floor(now.getTime() / 1000) + 3_600 + 86_400);
    expect(stored).not.toHaveProperty('usedAt');
    expect(JSON.stringify(stored)).not.toContain(issued.token);
  });

  it('takes the caller’s lifetime, and refuses one that is not 1 s to a week in whole seconds without writing', async () => {
    const issued = await issueUploadToken(deps, { chargerId: 'CP-Lifetime', commandId: 'cmd-lifetime', kind: 'log', lifetimeSeconds: 90 });
    expect(issued.expiresAt).toBe(at(90));
    for (const lifetimeSeconds of [0, -1, 1.5, MAX_UPLOAD_TOKEN_LIFETIME_SECONDS + 1, Number.NaN]) {
      const { result, requests } = await countingRequests(() =>
        issueUploadToken(deps, { chargerId: 'CP-Lifetime', commandId: 'cmd-lifetime', kind: 'log', lifetimeSeconds }).then(
          () => 'issued',
          (error: unknown) => (error instanceof RangeError ? 'refused' : error),
        ),
      );
      expect(result, String(lifetimeSeconds)).toBe('refused');
      expect(requests).toBe(0);
    }
    expect((await deps.stores.files.listForCharger('CP-Lifetime')).items.map((file) => file.fileId)).toEqual([issued.fileId]);
  });
});

describe('redeemUploadToken', () => {
  it('grants once, to the token’s charger in any case; a second redeem is `used` and changes nothing', async () => {
    const issued = await issueUploadToken(deps, { chargerId: 'CP-Redeem', commandId: 'cmd-redeem', kind: 'log' });
    const grant = { chargerId: 'CP-Redeem', commandId: 'cmd-redeem', fileId: issued.fileId, kind: 'log' };

    const { result, requests } = await countingRequests(() => redeemUploadToken(later(60), issued.token, { chargerId: 'cp-redeem' }));
    expect(result).toEqual({ granted: true, grant });
    expect(requests).toBe(1);
    expect((await tokenItem(issued.token))?.usedAt).toBe(at(60));

    const again = await countingRequests(() => redeemUploadToken(later(120), issued.token, { chargerId: 'CP-Redeem' }));
    expect(again.result).toEqual({ granted: false, reason: 'used' });
    expect(again.requests).toBe(1);
    expect(await redeemUploadToken(later(120), issued.token)).toEqual({ granted: false, reason: 'used' });
    expect((await tokenItem(issued.token))?.usedAt).toBe(at(60));
  });

  it('grants without a charger named (the token alone binds it)', async () => {
    const issued = await issueUploadToken(deps, { chargerId: 'CP-Anonymous', commandId: 'cmd-anonymous', kind: 'diagnostics' });
    expect(await redeemUploadToken(deps, issued.token)).toEqual({
      granted: true,
      grant: { chargerId: 'CP-Anonymous', commandId: 'cmd-anonymous', fileId: issued.fileId, kind: 'diagnostics' },
    });
  });

  it('is `expired` from the expiry on by our clock, and the token stays unused', async () => {
    const issued = await issueUploadToken(deps, { chargerId: 'CP-Expired', commandId: 'cmd-expired', kind: 'log', lifetimeSeconds: 600 });
    expect(await redeemUploadToken(later(600), issued.token, { chargerId: 'CP-Expired' })).toEqual({ granted: false, reason: 'expired' });
    expect(await redeemUploadToken(later(7_200), issued.token)).toEqual({ granted: false, reason: 'expired' });
    expect(await tokenItem(issued.token)).not.toHaveProperty('usedAt');
    // A second before the expiry it was still good.
    expect((await redeemUploadToken(later(599), issued.token)).granted).toBe(true);
  });

  it('is `foreign` when another charger presents it, and the token stays unused for its own', async () => {
    const issued = await issueUploadToken(deps, { chargerId: 'CP-Owner', commandId: 'cmd-owner', kind: 'diagnostics' });
    expect(await redeemUploadToken(deps, issued.token, { chargerId: 'CP-Intruder' })).toEqual({ granted: false, reason: 'foreign' });
    expect(await tokenItem(issued.token)).not.toHaveProperty('usedAt');
    expect((await redeemUploadToken(deps, issued.token, { chargerId: 'CP-OWNER' })).granted).toBe(true);
  });

  it('is `unknown` for a token never issued, with nothing written; for malformed text without asking the store', async () => {
    const neverIssued = newUploadToken();
    const { result, requests } = await countingRequests(() => redeemUploadToken(deps, neverIssued, { chargerId: 'CP-Unknown' }));
    expect(result).toEqual({ granted: false, reason: 'unknown' });
    expect(requests).toBe(1);
    expect(await tokenItem(neverIssued)).toBeUndefined();

    for (const text of ['', 'not-a-token', `${neverIssued}x`]) {
      const malformed = await countingRequests(() => redeemUploadToken(deps, text));
      expect(malformed).toEqual({ result: { granted: false, reason: 'unknown' }, requests: 0 });
    }
  });

  it('grants exactly one of concurrent redeems; the others are `used`', async () => {
    for (let round = 0; round < 4; round++) {
      const issued = await issueUploadToken(deps, { chargerId: `CP-Race-${round}`, commandId: `cmd-race-${round}`, kind: 'log' });
      const results = await Promise.all(Array.from({ length: 8 }, () => redeemUploadToken(deps, issued.token, { chargerId: `CP-Race-${round}` })));
      expect(results.filter((r) => r.granted)).toHaveLength(1);
      expect(results.filter((r) => !r.granted)).toEqual(Array.from({ length: 7 }, () => ({ granted: false, reason: 'used' })));
    }
  });
});

describe('files', () => {
  it('lists a charger’s files newest first, only its own, under any case of its id, page by page', async () => {
    const issue = (chargerId: string, commandId: string, seconds: number) =>
      issueUploadToken(later(seconds), { chargerId, commandId, kind: 'diagnostics' }).then((issued) => issued.fileId);
    // Issued out of order: the list's order is the files' creation times, not the writes'.
    const a2 = await issue('CP-Files-A', 'cmd-a2', -20);
    const b1 = await issue('CP-Files-B', 'cmd-b1', -25);
    const a3 = await issue('CP-Files-A', 'cmd-a3', -10);
    const a1 = await issue('CP-Files-A', 'cmd-a1', -30);
    const ids = (page: { items: FileRecord[] }) => page.items.map((file) => file.fileId);

    for (const asked of ['CP-Files-A', 'cp-files-a', 'CP-FILES-A']) expect(ids(await deps.stores.files.listForCharger(asked))).toEqual([a3, a2, a1]);
    expect(ids(await deps.stores.files.listForCharger('CP-Files-B'))).toEqual([b1]);
    expect((await deps.stores.files.listForCharger('CP-Files-Nobody')).items).toEqual([]);

    const first = await deps.stores.files.listForCharger('cp-files-a', { limit: 2 });
    expect(ids(first)).toEqual([a3, a2]);
    const second = await deps.stores.files.listForCharger('cp-files-a', { limit: 2, cursor: first.cursor });
    expect(ids(second)).toEqual([a1]);
    expect(second.cursor).toBeUndefined();
    expect(first.items[0]).toEqual({ fileId: a3, chargerId: 'CP-Files-A', kind: 'diagnostics', status: 'requested', commandId: 'cmd-a3', createdAt: at(-10) });
    for (const item of first.items) for (const attribute of STORAGE_ATTRIBUTES) expect(item).not.toHaveProperty(attribute);
  });

  it('records what landed for an existing file, again idempotently; an unknown file is not created', async () => {
    const issued = await issueUploadToken(deps, { chargerId: 'CP-Landed', commandId: 'cmd-landed', kind: 'log' });
    const object = { name: 'log.tar.gz', size: 12_345, sha256: 'ab'.repeat(32), s3Key: `CP-Landed/${issued.fileId}/log.tar.gz`, at: at(30) };
    const uploaded: FileRecord = {
      fileId: issued.fileId,
      chargerId: 'CP-Landed',
      kind: 'log',
      status: 'uploaded',
      commandId: 'cmd-landed',
      createdAt: at(0),
      name: 'log.tar.gz',
      size: 12_345,
      sha256: 'ab'.repeat(32),
      s3Key: `CP-Landed/${issued.fileId}/log.tar.gz`,
      uploadedAt: at(30),
    };

    expect(await deps.stores.files.markUploaded(issued.fileId, object)).toEqual(uploaded);
    expect(await deps.stores.files.markUploaded(issued.fileId, object)).toEqual(uploaded);
    expect(await deps.stores.files.get(issued.fileId, true)).toEqual(uploaded);

    expect(await deps.stores.files.markUploaded('file-unknown', object)).toBeUndefined();
    expect(await f.item('Csms', fileKey('file-unknown'))).toBeUndefined();
  });
});

describe('files by time and deleted', () => {
  it('lists only the files created within from–to (inclusive), newest first', async () => {
    const issue = (seconds: number) =>
      issueUploadToken(later(seconds), { chargerId: 'CP-Range', commandId: `cmd-range${seconds}`, kind: 'log' }).then((issued) => issued.fileId);
    const [early, middle, late] = [await issue(-300), await issue(-200), await issue(-100)];
    const ids = async (range: { from?: string; to?: string }) => (await deps.stores.files.listForCharger('cp-range', range)).items.map((file) => file.fileId);

    expect(await ids({ from: at(-200), to: at(-100) })).toEqual([late, middle]);
    expect(await ids({ from: at(-250) })).toEqual([late, middle]);
    expect(await ids({ to: at(-200) })).toEqual([middle, early]);
    expect(await ids({ from: at(-199), to: at(-101) })).toEqual([]);
  });

  it('deletes a file with its token in one write: the token no longer redeems, and the hash was never shown', async () => {
    const issued = await issueUploadToken(deps, { chargerId: 'CP-Delete', commandId: 'cmd-delete', kind: 'diagnostics' });
    expect(await f.item('Csms', fileKey(issued.fileId))).toMatchObject({ uploadTokenHash: hashUploadToken(issued.token) });
    expect(await deps.stores.files.get(issued.fileId, true)).not.toHaveProperty('uploadTokenHash');
    expect((await deps.stores.files.listForCharger('CP-Delete')).items[0]).not.toHaveProperty('uploadTokenHash');

    // One read of the token's hash, one transaction.
    const { result, requests } = await countingRequests(() => deps.stores.files.delete(issued.fileId));
    expect(result).toBe('deleted');
    expect(requests).toBe(2);
    expect(await f.item('Csms', fileKey(issued.fileId))).toBeUndefined();
    expect(await tokenItem(issued.token)).toBeUndefined();
    expect(await redeemUploadToken(deps, issued.token, { chargerId: 'CP-Delete' })).toEqual({ granted: false, reason: 'unknown' });
    expect((await deps.stores.files.listForCharger('CP-Delete')).items).toEqual([]);
  });

  it('deletes a file whose token was used, and answers not-found for a file that is not there, writing nothing', async () => {
    const issued = await issueUploadToken(deps, { chargerId: 'CP-Deleted-Used', commandId: 'cmd-deleted-used', kind: 'log' });
    expect((await redeemUploadToken(deps, issued.token)).granted).toBe(true);
    expect(await deps.stores.files.delete(issued.fileId)).toBe('deleted');
    expect(await tokenItem(issued.token)).toBeUndefined();

    const again = await countingRequests(() => deps.stores.files.delete(issued.fileId));
    expect(again).toEqual({ result: 'not-found', requests: 1 });
  });
});
