/**
 * Tokens with the claims a Cognito user pool puts in them (version 2 access tokens), signed RS256 with the
 * stand-in's key: a person's access and ID tokens after InitiateAuth, a machine client's access token after the
 * client-credentials grant. Every token lives one hour, the pool's access and ID token validity.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { PEOPLE_SCOPE } from '#functions/_routes/http-auth.ts';
import type { SigningKey } from './keys.ts';
import type { StoredUser } from './pool.ts';

/** Seconds an access or ID token is valid. */
export const TOKEN_LIFETIME_SECONDS = 3600;

export interface Issuer {
  readonly issuer: string;
  readonly key: SigningKey;
  /** Seconds since the epoch. @default now */
  readonly now?: () => number;
}

const sign = (iss: Issuer, claims: JWTPayload, iat: number): Promise<string> =>
  new SignJWT({ ...claims, iss: iss.issuer, iat, exp: iat + TOKEN_LIFETIME_SECONDS, jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', kid: iss.key.kid })
    .sign(iss.key.privateKey);

const nowOf = (iss: Issuer) => iss.now?.() ?? Math.floor(Date.now() / 1000);

/** One sign-in (or refresh) of a person: `originJti` and `authTime` stay those of the sign-in across refreshes. */
export interface Session {
  readonly clientId: string;
  readonly originJti: string;
  readonly authTime: number;
}

const groupsClaim = (user: StoredUser) => (user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {});

export const personTokens = async (iss: Issuer, user: StoredUser, session: Session): Promise<{ accessToken: string; idToken: string }> => {
  const iat = nowOf(iss);
  const eventId = randomUUID();
  const common = { sub: user.sub, ...groupsClaim(user), origin_jti: session.originJti, event_id: eventId, auth_time: session.authTime };
  const [accessToken, idToken] = await Promise.all([
    sign(iss, { ...common, version: 2, client_id: session.clientId, token_use: 'access', scope: PEOPLE_SCOPE, username: user.username }, iat),
    sign(
      iss,
      {
        ...common,
        aud: session.clientId,
        token_use: 'id',
        'cognito:username': user.username,
        ...(user.attributes.email ? { email: user.attributes.email, email_verified: user.attributes.email_verified === 'true' } : {}),
      },
      iat,
    ),
  ]);
  return { accessToken, idToken };
};

/** A machine client's access token (client-credentials grant): no user, no groups, the granted scopes. */
export const machineToken = (iss: Issuer, clientId: string, scopes: readonly string[]): Promise<string> => {
  const iat = nowOf(iss);
  return sign(iss, { sub: clientId, token_use: 'access', scope: scopes.join(' '), auth_time: iat, version: 2, client_id: clientId }, iat);
};
