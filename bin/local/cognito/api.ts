/**
 * The part of the Cognito Identity Provider JSON API (AWS JSON 1.1) our code calls, as a table of operations keyed
 * by the `X-Amz-Target` suffix. Answers carry the service's shapes (timestamps as epoch seconds), refusals its
 * exception names, so `@aws-sdk/client-cognito-identity-provider` pointed here behaves as against a user pool.
 */
import { randomUUID } from 'node:crypto';
import { CognitoError, GROUPS, type StoredUser, type UserPool } from './pool.ts';
import { type Issuer, personTokens, TOKEN_LIFETIME_SECONDS } from './tokens.ts';

type Input = Readonly<Record<string, unknown>>;
export type Operation = (pool: UserPool, input: Input, issuer: Issuer) => Promise<unknown> | unknown;

const seconds = (ms: number) => ms / 1000;

const attributesOf = (u: StoredUser) => [{ Name: 'sub', Value: u.sub }, ...Object.entries(u.attributes).map(([Name, Value]) => ({ Name, Value }))];

const userType = (u: StoredUser) => ({
  Username: u.username,
  Attributes: attributesOf(u),
  UserCreateDate: seconds(u.createdAt),
  UserLastModifiedDate: seconds(u.updatedAt),
  Enabled: u.enabled,
  UserStatus: u.status,
});

const groupType = (pool: UserPool, name: string, i: number) => ({ GroupName: name, UserPoolId: pool.id, Precedence: i });

const invalid = (message: string) => new CognitoError('InvalidParameterException', message);

/** `Limit` of a list: 1–60 (Cognito's bound), 60 when absent. */
const limitOf = (value: unknown, name: string): number => {
  if (value === undefined) return 60;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 60) {
    throw invalid(`1 validation error detected: Value '${String(value)}' at '${name}' failed to satisfy constraint: Member must have value less than or equal to 60`);
  }
  return value === 0 ? 60 : value;
};

/** A page of users after the one a token names (the token is the last username, opaque to callers). */
const pageOfUsers = (users: StoredUser[], limit: number, token: unknown) => {
  let start = 0;
  if (token !== undefined) {
    const after = typeof token === 'string' && /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
    if (!after?.startsWith('u:')) throw invalid('Invalid pagination token.');
    start = users.findIndex((u) => u.username.toLowerCase() > after.slice(2));
    if (start < 0) start = users.length;
  }
  const items = users.slice(start, start + limit);
  const more = start + limit < users.length;
  const next = more ? Buffer.from(`u:${items.at(-1)!.username.toLowerCase()}`).toString('base64url') : undefined;
  return { items, next };
};

const attributeMap = (list: unknown): Record<string, string> => {
  if (list === undefined) return {};
  if (!Array.isArray(list)) throw invalid('UserAttributes must be a list');
  return Object.fromEntries(list.map((a: { Name?: unknown; Value?: unknown }) => [String(a.Name), String(a.Value ?? '')]));
};

const initiateAuth: Operation = async (pool, input, issuer) => {
  const client = pool.client(input.ClientId);
  if (!client) throw new CognitoError('ResourceNotFoundException', 'User pool client does not exist.');
  const params = (input.AuthParameters ?? {}) as Record<string, unknown>;
  const flow = input.AuthFlow;
  if (flow === 'USER_PASSWORD_AUTH') {
    if (!client.explicitAuthFlows.includes('ALLOW_USER_PASSWORD_AUTH')) throw invalid('USER_PASSWORD_AUTH flow not enabled for this client');
    const user = await pool.authenticate(params.USERNAME, params.PASSWORD);
    const session = { clientId: client.clientId, originJti: randomUUID(), authTime: Math.floor(Date.now() / 1000) };
    const { accessToken, idToken } = await personTokens(issuer, user, session);
    const refreshToken = pool.grantRefresh(user.sub, client.clientId, session.originJti, session.authTime);
    return { AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, RefreshToken: refreshToken, ExpiresIn: TOKEN_LIFETIME_SECONDS, TokenType: 'Bearer' }, ChallengeParameters: {} };
  }
  if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
    if (!client.explicitAuthFlows.includes('ALLOW_REFRESH_TOKEN_AUTH')) throw invalid('REFRESH_TOKEN_AUTH flow not enabled for this client');
    const grant = pool.refreshGrant(params.REFRESH_TOKEN, client.clientId);
    const user = pool.userBySub(grant.sub);
    if (!user?.enabled) throw new CognitoError('NotAuthorizedException', 'Refresh Token has been revoked');
    // Groups are read now: a role changed since sign-in shows in the refreshed token.
    const { accessToken, idToken } = await personTokens(issuer, user, { clientId: client.clientId, originJti: grant.originJti, authTime: grant.authTime });
    return { AuthenticationResult: { AccessToken: accessToken, IdToken: idToken, ExpiresIn: TOKEN_LIFETIME_SECONDS, TokenType: 'Bearer' }, ChallengeParameters: {} };
  }
  throw invalid(`The stand-in does not emulate the auth flow ${String(flow)} (USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH only)`);
};

const clientType = (pool: UserPool, c: ReturnType<UserPool['clients']>[number], secret?: string) => ({
  UserPoolId: pool.id,
  ClientName: c.clientName,
  ClientId: c.clientId,
  ...(secret ? { ClientSecret: secret } : {}),
  CreationDate: seconds(c.createdAt),
  LastModifiedDate: seconds(c.createdAt),
  ExplicitAuthFlows: c.explicitAuthFlows,
  AllowedOAuthFlows: c.allowedOAuthFlows,
  AllowedOAuthScopes: c.allowedOAuthScopes,
  AllowedOAuthFlowsUserPoolClient: c.allowedOAuthFlows.length > 0,
});

/** The scopes the resource server defines (the CDK stack's `csms` resource server). */
export const RESOURCE_SCOPES = ['csms/read', 'csms/write'];

const createUserPoolClient: Operation = (pool, input) => {
  pool.checkPool(input.UserPoolId);
  if (typeof input.ClientName !== 'string' || !/^[\w\s+=,.@-]{1,128}$/.test(input.ClientName)) throw invalid('ClientName must be 1-128 characters of \\w\\s+=,.@-');
  const flows = (input.AllowedOAuthFlows ?? []) as string[];
  const scopes = (input.AllowedOAuthScopes ?? []) as string[];
  if (flows.some((f) => f !== 'client_credentials')) throw invalid('The stand-in emulates the client_credentials OAuth flow only');
  const unknown = scopes.filter((s) => !RESOURCE_SCOPES.includes(s));
  if (unknown.length) throw new CognitoError('ScopeDoesNotExistException', `Invalid scope requested: ${unknown.join(', ')}`);
  if (flows.includes('client_credentials') && input.GenerateSecret !== true) throw invalid('client_credentials flow can not be selected if client does not have a client secret.');
  const { client, secret } = pool.createClient(
    { clientName: input.ClientName, explicitAuthFlows: (input.ExplicitAuthFlows ?? []) as string[], allowedOAuthFlows: flows, allowedOAuthScopes: scopes },
    input.GenerateSecret === true,
  );
  return { UserPoolClient: clientType(pool, client, secret) };
};

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  AdminCreateUser: async (pool, input) => {
    pool.checkPool(input.UserPoolId);
    if (input.MessageAction !== 'SUPPRESS') throw invalid('The stand-in sends no messages: use MessageAction SUPPRESS');
    const user = await pool.createUser(input.Username, attributeMap(input.UserAttributes), input.TemporaryPassword as string | undefined);
    return { User: userType(user) };
  },
  AdminSetUserPassword: async (pool, input) => {
    pool.checkPool(input.UserPoolId);
    await pool.setPassword(input.Username, input.Password, input.Permanent === true);
    return {};
  },
  AdminAddUserToGroup: (pool, input) => {
    pool.checkPool(input.UserPoolId);
    pool.setGroup(input.Username, input.GroupName, true);
    return {};
  },
  AdminRemoveUserFromGroup: (pool, input) => {
    pool.checkPool(input.UserPoolId);
    pool.setGroup(input.Username, input.GroupName, false);
    return {};
  },
  AdminListGroupsForUser: (pool, input) => {
    pool.checkPool(input.UserPoolId);
    const user = pool.user(input.Username);
    return { Groups: GROUPS.map((g, i) => groupType(pool, g, i)).filter((g) => user.groups.includes(g.GroupName)) };
  },
  AdminGetUser: (pool, input) => {
    pool.checkPool(input.UserPoolId);
    const { Attributes, ...rest } = userType(pool.user(input.Username));
    return { ...rest, UserAttributes: Attributes };
  },
  AdminDeleteUser: (pool, input) => {
    pool.checkPool(input.UserPoolId);
    pool.deleteUser(input.Username);
    return {};
  },
  ListUsers: (pool, input) => {
    pool.checkPool(input.UserPoolId);
    if (input.Filter !== undefined) throw invalid('The stand-in does not emulate ListUsers filters');
    const { items, next } = pageOfUsers(pool.users(), limitOf(input.Limit, 'limit'), input.PaginationToken);
    return { Users: items.map(userType), ...(next ? { PaginationToken: next } : {}) };
  },
  ListUsersInGroup: (pool, input) => {
    pool.checkPool(input.UserPoolId);
    if (!(GROUPS as readonly unknown[]).includes(input.GroupName)) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
    const { items, next } = pageOfUsers(pool.users(input.GroupName as string), limitOf(input.Limit, 'limit'), input.NextToken);
    return { Users: items.map(userType), ...(next ? { NextToken: next } : {}) };
  },
  InitiateAuth: initiateAuth,
  CreateUserPoolClient: createUserPoolClient,
  DeleteUserPoolClient: (pool, input) => {
    pool.checkPool(input.UserPoolId);
    pool.deleteClient(input.ClientId);
    return {};
  },
  ListUserPoolClients: (pool, input) => {
    pool.checkPool(input.UserPoolId);
    return { UserPoolClients: pool.clients().map((c) => ({ ClientId: c.clientId, ClientName: c.clientName, UserPoolId: pool.id })) };
  },
};
