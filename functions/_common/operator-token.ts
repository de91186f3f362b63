/**
 * Operator bearer tokens: compact JWTs signed with HMAC-SHA256 under OPERATOR_TOKEN_KEY, short-lived, carrying the
 * operator's roles. The `http-authorizer` route verifies them on AWS, and the local REST host runs that same
 * authorizer, so `jwt` routes are enforced alike in both places. Issue 9 brings operator sign-in; until then tokens
 * are minted with `signOperatorToken` (tests; locally the key is `<data dir>/operator-token.key`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OperatorRole } from '../routes.ts';

export const OPERATOR_TOKEN_ISSUER = 'o-v2x-mp';
/** Tokens live at most this long (`exp - iat`); a longer-lived one is refused even if correctly signed. */
export const MAX_TOKEN_LIFETIME_SECONDS = 3600;
/** @default lifetime of a minted token */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 900;
/** API Gateway refuses (401) an Authorization header not of this shape before invoking the authorizer. */
export const BEARER_TOKEN_PATTERN = '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';

const ROLES: readonly OperatorRole[] = ['admin', 'operator', 'viewer'];
// Tolerated clock difference between the signer and the verifier.
const LEEWAY_SECONDS = 30;

export interface OperatorClaims {
  readonly iss: string;
  /** The operator's id. */
  readonly sub: string;
  readonly roles: readonly OperatorRole[];
  /** Epoch seconds. */
  readonly iat: number;
  readonly exp: number;
}

export type TokenCheck = { readonly ok: true; readonly claims: OperatorClaims } | { readonly ok: false; readonly reason: string };

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

const sign = (key: string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

export interface NewToken {
  readonly sub: string;
  readonly roles: readonly OperatorRole[];
  /** @default DEFAULT_TOKEN_LIFETIME_SECONDS */
  readonly lifetimeSeconds?: number;
  /** @default now */
  readonly issuedAt?: Date;
}

export const signOperatorToken = (key: string, t: NewToken): string => {
  const iat = Math.floor((t.issuedAt ?? new Date()).getTime() / 1000);
  const claims: OperatorClaims = { iss: OPERATOR_TOKEN_ISSUER, sub: t.sub, roles: t.roles, iat, exp: iat + (t.lifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS) };
  const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${sign(key, body).toString('base64url')}`;
};

const json = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
};

const isClaims = (v: unknown): v is OperatorClaims => {
  const c = v as Partial<OperatorClaims> | undefined;
  return (
    typeof c?.sub === 'string' &&
    c.sub !== '' &&
    typeof c.iat === 'number' &&
    typeof c.exp === 'number' &&
    Array.isArray(c.roles) &&
    c.roles.every((r) => ROLES.includes(r))
  );
};

/** Checks signature, algorithm, issuer, lifetime and expiry; the reason is for logs, never for the caller. */
export const verifyOperatorToken = (key: string, token: string, now: Date = new Date()): TokenCheck => {
  const [header, payload, signature, extra] = token.split('.');
  if (!header || !payload || !signature || extra !== undefined) return { ok: false, reason: 'not a compact JWT' };
  // Only the algorithm we sign with: never `none`, never one the token chooses.
  if ((json(header) as { alg?: unknown } | undefined)?.alg !== 'HS256') return { ok: false, reason: 'algorithm is not HS256' };
  const expected = sign(key, `${header}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  const claims = json(payload);
  if (!isClaims(claims)) return { ok: false, reason: 'malformed claims' };
  if (claims.iss !== OPERATOR_TOKEN_ISSUER) return { ok: false, reason: 'unknown issuer' };
  const at = Math.floor(now.getTime() / 1000);
  if (claims.exp - claims.iat > MAX_TOKEN_LIFETIME_SECONDS) return { ok: false, reason: 'lifetime too long' };
  if (claims.iat > at + LEEWAY_SECONDS) return { ok: false, reason: 'issued in the future' };
  if (claims.exp <= at - LEEWAY_SECONDS) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
};
