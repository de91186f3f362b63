/**
 * The pure parts of upload tokens: what a token looks like, how it is stored (its SHA-256, never itself), and which
 * reason a refused redeem gives for the token item its failed condition found.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashUploadToken, isUploadTokenFormat, newUploadToken, refusalOf, type UploadToken } from '#shared/file/upload-token.ts';

describe('upload token format', () => {
  it('is 32 random bytes in base64url: 43 characters, no padding, different every time', () => {
    const tokens = Array.from({ length: 50 }, newUploadToken);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(isUploadTokenFormat(token)).toBe(true);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('refuses text that no issued token could be: shorter, longer, padded, or outside base64url', () => {
    const token = newUploadToken();
    for (const text of ['', token.slice(1), `${token}A`, `${token.slice(0, 42)}=`, `${token.slice(0, 42)}+`, `${token.slice(0, 42)}/`, ` ${token.slice(1)}`]) {
      expect(isUploadTokenFormat(text), JSON.stringify(text)).toBe(false);
    }
  });
});

describe('upload token hash', () => {
  it('is the SHA-256 of the token text, in lower-case hex', () => {
    // FIPS 180-2's example: SHA-256("abc").
    expect(hashUploadToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const token = newUploadToken();
    expect(hashUploadToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashUploadToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashUploadToken(token)).not.toContain(token);
  });
});

describe('refusalOf', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  const live: UploadToken = {
    chargerId: 'CP-Upload',
    commandId: 'cmd-1',
    fileId: 'file-1',
    kind: 'diagnostics',
    expiresAt: '2026-03-01T13:00:00.000Z',
  };

  it('is unknown when there is no token', () => {
    expect(refusalOf(undefined, now)).toBe('unknown');
    expect(refusalOf(undefined, now, 'CP-Upload')).toBe('unknown');
  });

  it('is used for a used token, whoever asks and however late', () => {
    const used = { ...live, usedAt: '2026-03-01T12:00:00.000Z' };
    expect(refusalOf(used, now)).toBe('used');
    expect(refusalOf(used, now, 'CP-Other')).toBe('used');
    expect(refusalOf({ ...used, expiresAt: '2026-03-01T11:00:00.000Z' }, now)).toBe('used');
  });

  it('is expired from the expiry on, by the clock given (ours), whoever asks', () => {
    expect(refusalOf({ ...live, expiresAt: now.toISOString() }, now)).toBe('expired');
    expect(refusalOf({ ...live, expiresAt: '2026-03-01T11:59:59.999Z' }, now, 'CP-Other')).toBe('expired');
  });

  it('is foreign for a live token another charger presents, not for its own charger in another case', () => {
    expect(refusalOf(live, now, 'CP-Other')).toBe('foreign');
    expect(refusalOf(live, now, 'cp-upload')).not.toBe('foreign');
    expect(refusalOf(live, now, 'CP-UPLOAD')).not.toBe('foreign');
  });
});
