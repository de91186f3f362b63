/**
 * What API Gateway's Cognito user pool authorizer does for a REST API method that declares OAuth scopes: it reads the
 * `Authorization` header (the raw token; a `Bearer ` prefix is tolerated), verifies the JWT's signature against the
 * pool's JWKS, its issuer and expiry, requires an access token (`token_use: access`) that carries one of the method's
 * scopes, and hands the integration the token's claims as strings (`requestContext.authorizer.claims`). A missing,
 * bad, expired, foreign or ID token is 401; a valid access token with none of the method's scopes is 403 (API Gateway
 * answers a scope mismatch with 403 Forbidden; the CDK stack maps it to problem+json). The function never runs.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

/** Why a request was refused (for the runtime's log; the caller sees only the status and API Gateway's message). */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
  /** 401 for no or a bad token; 403 for a valid access token that carries none of the method's scopes. */
  readonly status: 401 | 403 = 401;
}

export class ScopeRefusedError extends UnauthorizedError {
  override readonly status = 403;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** `exp` and `iat` as the REST API's Cognito authorizer passes them: `Fri Jul 29 18:52:53 UTC 2016`. */
const dateClaim = (seconds: number): string => {
  const d = new Date(seconds * 1000);
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
};

/**
 * The claims as a REST API integration receives them: every value a string; lists comma-separated (`cognito:groups`
 * is `admin,operator`); `exp` and `iat` as dates, other numbers in decimal.
 */
export const restClaims = (payload: JWTPayload): Record<string, string> =>
  Object.fromEntries(
    Object.entries(payload).map(([name, value]) => {
      if ((name === 'exp' || name === 'iat') && typeof value === 'number') return [name, dateClaim(value)];
      if (Array.isArray(value)) return [name, value.map(String).join(',')];
      return [name, typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)];
    }),
  );

export interface UserPoolRef {
  readonly issuer: string;
  readonly jwksUrl: string;
}

/** The token in an `Authorization` header: the whole value, or what follows `Bearer `. */
const tokenIn = (header: string | undefined): string => {
  const token = header?.replace(/^Bearer\s+/i, '').trim();
  if (!token) throw new UnauthorizedError('no Authorization header');
  return token;
};

/** A verifier for one user pool; its JWKS is fetched on first use and cached, as API Gateway caches it. */
export const cognitoAuthorizer = (pool: UserPoolRef) => {
  const jwks = createRemoteJWKSet(new URL(pool.jwksUrl));
  /** The claims of an access token that admits a method declaring `scopes`; throws UnauthorizedError otherwise. */
  return async (authorization: string | undefined, scopes: readonly string[]): Promise<Record<string, string>> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(tokenIn(authorization), jwks, { issuer: pool.issuer, algorithms: ['RS256'] }));
    } catch (e) {
      if (e instanceof UnauthorizedError) throw e;
      if (e instanceof errors.JOSEError) throw new UnauthorizedError(`token rejected: ${e.code}`, { cause: e });
      throw e; // the JWKS could not be fetched: a fault of the runtime, not of the caller
    }
    if (payload.token_use !== 'access') throw new UnauthorizedError(`token_use is ${String(payload.token_use)}, not access`);
    const granted = typeof payload.scope === 'string' ? payload.scope.split(/\s+/) : [];
    if (!granted.some((s) => scopes.includes(s))) throw new ScopeRefusedError(`the token's scopes (${granted.join(' ')}) include none of ${scopes.join(', ')}`);
    return restClaims(payload);
  };
};
