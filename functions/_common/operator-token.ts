/**
 * Verifies an operator's access token where no API Gateway Cognito authorizer does it (the operators' WebSocket
 * `$connect` authorizer): the same checks the REST API's authorizer makes (RS256 signature against the pool's
 * JWKS, issuer, expiry, `token_use: access`), and the same principal (http-auth.ts): a person in one of the operator
 * groups, or a machine client with `csms/read` or `csms/write`. Watching is reading, so every role may.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { admits, OPERATOR_ROLES, principalOf, type Principal } from '../_routes/http-auth.ts';

export type TokenCheck = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly reason: string };

const WATCHERS = { auth: { type: 'jwt', roles: OPERATOR_ROLES } } as const;

/** A checker for tokens of `issuer`; its JWKS is fetched on first use and cached per container. */
export const operatorTokenVerifier = (issuer: string) => {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
  return async (token: string | undefined): Promise<TokenCheck> => {
    if (!token) return { ok: false, reason: 'no token' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer, algorithms: ['RS256'] }));
    } catch (e) {
      // A JWKS fetch that times out or fails on the network is our fault, not the caller's: the invocation fails (500).
      if (e instanceof errors.JOSEError && !(e instanceof errors.JWKSTimeout)) return { ok: false, reason: `token rejected: ${e.code}` };
      throw e;
    }
    if (payload.token_use !== 'access') return { ok: false, reason: `token_use is ${String(payload.token_use)}, not access` };
    const principal = principalOf(payload);
    if (!admits(WATCHERS, principal)) return { ok: false, reason: 'no operator role or csms scope' };
    return { ok: true, principal: principal as Principal };
  };
};
