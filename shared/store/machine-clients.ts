/**
 * Machine clients of the user pool: app clients with a secret that get access tokens by the client-credentials
 * grant, for the resource server's scopes (`csms/read`, `csms/write`). The CLI's `client` commands; the secret is
 * in the create answer only (Cognito keeps it, we never store it).
 */
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  ListUserPoolClientsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';

export interface MachineClient {
  readonly clientId: string;
  readonly name: string;
}

export interface MachineClients {
  create(name: string, scopes: readonly string[]): Promise<MachineClient & { readonly clientSecret: string; readonly scopes: readonly string[] }>;
  /** Every app client of the pool (the people client too), by id and name. */
  list(): Promise<MachineClient[]>;
  /** False when there is no such client. */
  remove(clientId: string): Promise<boolean>;
}

export const cognitoMachineClients = (client: CognitoIdentityProviderClient, userPoolId: string): MachineClients => ({
  create: async (name, scopes) => {
    const { UserPoolClient: c } = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: name,
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: [...scopes],
        // Tokens of a client-credentials grant live an hour, as people's do.
        AccessTokenValidity: 60,
        TokenValidityUnits: { AccessToken: 'minutes' },
      }),
    );
    return { clientId: c?.ClientId ?? '', name: c?.ClientName ?? name, clientSecret: c?.ClientSecret ?? '', scopes: c?.AllowedOAuthScopes ?? [...scopes] };
  },
  list: async () => {
    const all: MachineClient[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, ...(token ? { NextToken: token } : {}) }));
      all.push(...(out.UserPoolClients ?? []).map((c) => ({ clientId: c.ClientId ?? '', name: c.ClientName ?? '' })));
      token = out.NextToken;
    } while (token);
    return all;
  },
  remove: async (clientId) => {
    try {
      await client.send(new DeleteUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
      return true;
    } catch (e) {
      if (e instanceof ResourceNotFoundException) return false;
      throw e;
    }
  },
});
