/**
 * Real tokens from a running local runtime's Cognito stand-in, through the real SDK and token endpoint: people
 * (created with a role, signed in with USER_PASSWORD_AUTH) and machine clients (client-credentials grant). Also a
 * token with every right claim signed by a key and issuer the runtime does not trust.
 */
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { OperatorRole } from '#functions/routes.ts';
import { PEOPLE_SCOPE } from '#functions/_routes/http-auth.ts';
import { LOCAL_AWS_ENV } from '../../bin/local/handler-env.ts';
import type { LocalUserPool } from '../../bin/local/runtime.ts';

export const poolClient = (pool: LocalUserPool): CognitoIdentityProviderClient =>
  new CognitoIdentityProviderClient({
    endpoint: pool.endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY },
  });

export interface SignedIn {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken: string;
  readonly password: string;
}

/** Creates `username` in the pool with `roles` (groups) and a permanent password, and signs them in. */
export const signIn = async (pool: LocalUserPool, username: string, roles: readonly OperatorRole[]): Promise<SignedIn> => {
  const client = poolClient(pool);
  try {
    const password = `Pw-${randomUUID()}`;
    await client.send(new AdminCreateUserCommand({ UserPoolId: pool.id, Username: username, MessageAction: 'SUPPRESS' }));
    await client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.id, Username: username, Password: password, Permanent: true }));
    for (const role of roles) await client.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.id, Username: username, GroupName: role }));
    const { AuthenticationResult: r } = await client.send(
      new InitiateAuthCommand({ ClientId: pool.peopleClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }),
    );
    return { accessToken: r!.AccessToken!, idToken: r!.IdToken!, refreshToken: r!.RefreshToken!, password };
  } finally {
    client.destroy();
  }
};

/** A machine client allowed `scopes`, and an access token for `asked` (default: all it is allowed). */
export const machineToken = async (pool: LocalUserPool, scopes: readonly string[], asked?: readonly string[]): Promise<string> => {
  const client = poolClient(pool);
  try {
    const { UserPoolClient: c } = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.id,
        ClientName: `machine-${randomUUID().slice(0, 8)}`,
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: [...scopes],
      }),
    );
    const res = await fetch(pool.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${c!.ClientId}:${c!.ClientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...(asked ? { scope: asked.join(' ') } : {}) }),
    });
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  } finally {
    client.destroy();
  }
};

/** A person's access token with Cognito's claims, signed by a key of its own under `issuer`. */
export const foreignToken = async (issuer: string, claims: JWTPayload = {}): Promise<string> => {
  const { privateKey } = await generateKeyPair('RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: randomUUID(), 'cognito:groups': ['admin'], token_use: 'access', scope: PEOPLE_SCOPE, username: 'mallory', client_id: 'x', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'foreign' })
    .setIssuer(issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
};
