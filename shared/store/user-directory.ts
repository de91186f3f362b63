/**
 * The operators' directory on a Cognito user pool (the pool id in USER_POOL_ID; locally the stand-in named by
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER): a user is a pool user, their role the one role group they are in.
 * The calls made are exactly the `userPool` actions the users routes declare (functions/api/users/routes.ts).
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InvalidParameterException,
  ListUsersCommand,
  ListUsersInGroupCommand,
  UsernameExistsException,
  UserNotFoundException,
  type AttributeType,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { USER_ROLES, type NewUser, type OperatorUser, type UserDirectory, type UserRole } from '../operator/users.ts';
import { awsClientConfig } from './client-config.ts';
import { traced } from './tracing.ts';
import { InvalidCursorError } from './queries.ts';

/** Set by `userPool` access (USER_POOL_ID_VAR in functions/_common/env.ts; shared/ does not import functions/). */
export const USER_POOL_ID_VAR = 'USER_POOL_ID';
/** Cognito's page bound for ListUsers and ListUsersInGroup: a longer page asked for is cut to this. */
export const MAX_USERS_PAGE = 60;

const attribute = (attrs: AttributeType[] | undefined, name: string) => attrs?.find((a) => a.Name === name)?.Value;
const iso = (d: Date | undefined) => (d ?? new Date(0)).toISOString();

const roleOf = (groups: readonly string[]): UserRole | null =>
  USER_ROLES.find((r) => groups.includes(r)) ?? null;

interface Described {
  readonly Username?: string;
  readonly Attributes?: AttributeType[];
  readonly UserCreateDate?: Date;
  readonly UserLastModifiedDate?: Date;
  readonly Enabled?: boolean;
  readonly UserStatus?: string;
}

const toUser = (u: Described, groups: readonly string[]): OperatorUser => {
  const email = attribute(u.Attributes, 'email');
  return {
    username: u.Username ?? '',
    sub: attribute(u.Attributes, 'sub') ?? '',
    role: roleOf(groups),
    ...(email ? { email } : {}),
    enabled: u.Enabled ?? true,
    status: u.UserStatus ?? 'UNKNOWN',
    createdAt: iso(u.UserCreateDate),
    updatedAt: iso(u.UserLastModifiedDate),
  };
};

/** List cursors wrap Cognito's token with the role filter it belongs to, so one list's cursor is refused by another. */
const encodeCursor = (role: UserRole | undefined, token: string | undefined) =>
  token && Buffer.from(JSON.stringify({ r: role ?? '', t: token })).toString('base64url');

const decodeCursor = (cursor: string | undefined, role: UserRole | undefined): string | undefined => {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { r?: unknown; t?: unknown };
    if (parsed.r === (role ?? '') && typeof parsed.t === 'string' && parsed.t !== '') return parsed.t;
  } catch {
    // not ours: refused below
  }
  throw new InvalidCursorError('The cursor is not one this list handed out');
};

export const cognitoUserDirectory = (client: CognitoIdentityProviderClient, userPoolId: string): UserDirectory => {
  const pool = { UserPoolId: userPoolId };
  const groupsOf = async (username: string): Promise<string[]> => {
    const out = await client.send(new AdminListGroupsForUserCommand({ ...pool, Username: username }));
    return (out.Groups ?? []).map((g) => g.GroupName ?? '');
  };
  const get = async (username: string): Promise<OperatorUser | undefined> => {
    try {
      const [user, groups] = await Promise.all([client.send(new AdminGetUserCommand({ ...pool, Username: username })), groupsOf(username)]);
      return toUser({ ...user, Attributes: user.UserAttributes ?? [] }, groups);
    } catch (e) {
      if (e instanceof UserNotFoundException) return undefined;
      throw e;
    }
  };
  const withGroups = (users: UserType[], role: UserRole | undefined) =>
    Promise.all(users.map(async (u) => toUser(u, role ? [role] : await groupsOf(u.Username ?? ''))));

  return {
    create: async (user: NewUser, password: string) => {
      const attributes = user.email ? [{ Name: 'email', Value: user.email }, { Name: 'email_verified', Value: 'true' }] : [];
      try {
        await client.send(new AdminCreateUserCommand({ ...pool, Username: user.username, MessageAction: 'SUPPRESS', UserAttributes: attributes }));
      } catch (e) {
        if (e instanceof UsernameExistsException) return undefined;
        throw e;
      }
      try {
        await client.send(new AdminSetUserPasswordCommand({ ...pool, Username: user.username, Password: password, Permanent: true }));
        await client.send(new AdminAddUserToGroupCommand({ ...pool, Username: user.username, GroupName: user.role }));
      } catch (e) {
        // Nothing half-made stays behind: a user without a password or role is removed again.
        await client.send(new AdminDeleteUserCommand({ ...pool, Username: user.username })).catch(() => undefined);
        throw e;
      }
      return get(user.username);
    },
    get,
    list: async ({ limit, cursor, role }) => {
      const token = decodeCursor(cursor, role);
      const Limit = Math.min(limit, MAX_USERS_PAGE);
      try {
        if (role) {
          const out = await client.send(new ListUsersInGroupCommand({ ...pool, GroupName: role, Limit, ...(token ? { NextToken: token } : {}) }));
          const next = encodeCursor(role, out.NextToken);
          return { items: await withGroups(out.Users ?? [], role), ...(next ? { cursor: next } : {}) };
        }
        const out = await client.send(new ListUsersCommand({ ...pool, Limit, ...(token ? { PaginationToken: token } : {}) }));
        const next = encodeCursor(undefined, out.PaginationToken);
        return { items: await withGroups(out.Users ?? [], undefined), ...(next ? { cursor: next } : {}) };
      } catch (e) {
        if (token && e instanceof InvalidParameterException) throw new InvalidCursorError('The cursor is no longer valid', { cause: e });
        throw e;
      }
    },
    remove: async (username) => {
      try {
        await client.send(new AdminDeleteUserCommand({ ...pool, Username: username }));
        return true;
      } catch (e) {
        if (e instanceof UserNotFoundException) return false;
        throw e;
      }
    },
    setRole: async (username, role) => {
      let groups: string[];
      try {
        groups = await groupsOf(username);
      } catch (e) {
        if (e instanceof UserNotFoundException) return undefined;
        throw e;
      }
      // Out of the old role first: for a moment the user has none (refused everywhere), never two.
      for (const old of groups.filter((g) => g !== role && (USER_ROLES as readonly string[]).includes(g))) {
        await client.send(new AdminRemoveUserFromGroupCommand({ ...pool, Username: username, GroupName: old }));
      }
      if (!groups.includes(role)) await client.send(new AdminAddUserToGroupCommand({ ...pool, Username: username, GroupName: role }));
      return get(username);
    },
  };
};

/** A Cognito client for `env` (its AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, when set, is the stand-in). */
export const userPoolClient = (env: NodeJS.ProcessEnv = process.env): CognitoIdentityProviderClient =>
  traced(new CognitoIdentityProviderClient(awsClientConfig('cognito-idp', env)));

/** The directory of the pool USER_POOL_ID names; a missing id fails here, naming the variable. */
export const userDirectoryFromEnv = (env: NodeJS.ProcessEnv = process.env): UserDirectory => {
  const userPoolId = env[USER_POOL_ID_VAR];
  if (!userPoolId) throw new Error(`${USER_POOL_ID_VAR} is not set: this function's route has no userPool access`);
  return cognitoUserDirectory(userPoolClient(env), userPoolId);
};
