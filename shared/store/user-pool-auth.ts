/**
 * Signing in to the user pool as a person (InitiateAuth through the people app client): a password for tokens,
 * and a refresh token for new ones. Unsigned calls: no AWS credentials are needed.
 */
import { CognitoIdentityProviderClient, InitiateAuthCommand, NotAuthorizedException } from '@aws-sdk/client-cognito-identity-provider';

export interface PoolTokens {
  readonly accessToken: string;
  readonly idToken: string;
  /** Only from a password sign-in: a refresh answers without a new one. */
  readonly refreshToken?: string;
  readonly expiresIn: number;
}

/** Wrong username or password, or a refresh token no longer valid. */
export class SignInRefusedError extends Error {
  override name = 'SignInRefusedError';
}

const initiate = async (client: CognitoIdentityProviderClient, input: ConstructorParameters<typeof InitiateAuthCommand>[0]): Promise<PoolTokens> => {
  try {
    const { AuthenticationResult: r, ChallengeName } = await client.send(new InitiateAuthCommand(input));
    if (!r?.AccessToken || !r.IdToken) throw new SignInRefusedError(`the pool asks for a ${ChallengeName ?? 'challenge'} first (set a permanent password)`);
    return { accessToken: r.AccessToken, idToken: r.IdToken, ...(r.RefreshToken ? { refreshToken: r.RefreshToken } : {}), expiresIn: r.ExpiresIn ?? 3600 };
  } catch (e) {
    if (e instanceof NotAuthorizedException) throw new SignInRefusedError(e.message, { cause: e });
    throw e;
  }
};

export const signInWithPassword = (client: CognitoIdentityProviderClient, clientId: string, username: string, password: string): Promise<PoolTokens> =>
  initiate(client, { ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } });

export const refreshTokens = (client: CognitoIdentityProviderClient, clientId: string, refreshToken: string): Promise<PoolTokens> =>
  initiate(client, { ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } });
