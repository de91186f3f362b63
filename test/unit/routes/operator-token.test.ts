import { describe, expect, it } from 'vitest';
import { BEARER_TOKEN_PATTERN, signOperatorToken, verifyOperatorToken } from '#functions/_common/operator-token.ts';

const KEY = 'k'.repeat(43);
const NOW = new Date('2026-06-01T12:00:00Z');
const token = (o: Partial<Parameters<typeof signOperatorToken>[1]> = {}) =>
  signOperatorToken(KEY, { sub: 'ops-1', roles: ['viewer'], issuedAt: NOW, ...o });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('operator tokens', () => {
  it('verifies what it signed, within its lifetime', () => {
    expect(verifyOperatorToken(KEY, token(), NOW)).toMatchObject({ ok: true, claims: { sub: 'ops-1', roles: ['viewer'] } });
    expect(new RegExp(BEARER_TOKEN_PATTERN).test(`Bearer ${token()}`)).toBe(true);
  });

  it('refuses another key, a changed payload, an expired or too long-lived token', () => {
    expect(verifyOperatorToken('x'.repeat(43), token(), NOW)).toEqual({ ok: false, reason: 'bad signature' });
    const [h, , s] = token().split('.');
    const forged = `${h}.${b64({ iss: 'o-v2x-mp', sub: 'ops-1', roles: ['admin'], iat: 0, exp: 9e9 })}.${s}`;
    expect(verifyOperatorToken(KEY, forged, NOW)).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyOperatorToken(KEY, token(), new Date(NOW.getTime() + 3_600_000))).toEqual({ ok: false, reason: 'expired' });
    expect(verifyOperatorToken(KEY, token({ lifetimeSeconds: 7200 }), NOW)).toEqual({ ok: false, reason: 'lifetime too long' });
  });

  it('refuses the none algorithm and unknown roles', () => {
    const [, payload] = token().split('.');
    expect(verifyOperatorToken(KEY, `${b64({ alg: 'none' })}.${payload}.`, NOW)).toMatchObject({ ok: false });
    expect(verifyOperatorToken(KEY, token({ roles: ['root' as never] }), NOW)).toEqual({ ok: false, reason: 'malformed claims' });
  });
});
