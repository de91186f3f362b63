/**
 * The users routes: operators of the user pool, admin only. Each calls exactly the Cognito actions its
 * `userPool` access names (shared/store/user-directory.ts); a create also keeps its Idempotency-Key record.
 */
import * as z from 'zod';
import { IDEMPOTENCY_PK_PREFIX } from '#shared/store/keys.ts';
import { USER_ROLES } from '#shared/operator/users.ts';
import type { HttpRoute } from '../../routes.ts';

const ADMIN = { type: 'jwt', roles: ['admin'] } as const;
const Role = z.enum(USER_ROLES);
const Username = z.string().min(1).max(128);

export const UserSchema = z.object({
  username: z.string(),
  sub: z.string(),
  role: Role.nullable(),
  email: z.string().optional(),
  enabled: z.boolean(),
  status: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const NewUserSchema = z.strictObject({ username: Username, role: Role, email: z.email().max(254).optional() });
export const RoleChangeSchema = z.strictObject({ role: Role });

export const listUsersRoute = {
  kind: 'http',
  id: 'ListUsers',
  method: 'GET',
  path: '/users',
  auth: ADMIN,
  summary: 'Operators, a page at a time (at most 60 per page, Cognito’s bound), optionally of one role',
  query: z.strictObject({ role: Role.optional() }),
  response: UserSchema,
  list: true,
  entry: 'api/users/list-users.ts',
  // ListUsersInGroup for a role; otherwise ListUsers and each user's groups.
  access: { userPool: ['ListUsers', 'ListUsersInGroup', 'AdminListGroupsForUser'] },
} as const satisfies HttpRoute;

export const addUserRoute = {
  kind: 'http',
  id: 'AddUser',
  method: 'POST',
  path: '/users',
  auth: ADMIN,
  summary: 'Adds an operator with a role; the generated password is in this answer only',
  body: NewUserSchema,
  response: UserSchema.extend({ password: z.string() }),
  idempotent: true,
  entry: 'api/users/add-user.ts',
  access: {
    userPool: ['AdminCreateUser', 'AdminSetUserPassword', 'AdminAddUserToGroup', 'AdminDeleteUser', 'AdminGetUser', 'AdminListGroupsForUser'],
    tables: { Csms: { actions: ['PutItem', 'UpdateItem'], partitionKeyPrefixes: [IDEMPOTENCY_PK_PREFIX] } },
  },
} as const satisfies HttpRoute;

export const getUserRoute = {
  kind: 'http',
  id: 'GetUser',
  method: 'GET',
  path: '/users/{username}',
  auth: ADMIN,
  summary: 'One operator and their role',
  response: UserSchema,
  entry: 'api/users/get-user.ts',
  access: { userPool: ['AdminGetUser', 'AdminListGroupsForUser'] },
} as const satisfies HttpRoute;

export const removeUserRoute = {
  kind: 'http',
  id: 'RemoveUser',
  method: 'DELETE',
  path: '/users/{username}',
  auth: ADMIN,
  summary: 'Removes an operator (not yourself); tokens already issued to them live out their hour',
  entry: 'api/users/remove-user.ts',
  access: { userPool: ['AdminDeleteUser'] },
} as const satisfies HttpRoute;

export const setUserRoleRoute = {
  kind: 'http',
  id: 'SetUserRole',
  method: 'PUT',
  path: '/users/{username}/role',
  auth: ADMIN,
  summary: 'Gives an operator another role (not yourself); their next token carries it',
  body: RoleChangeSchema,
  response: UserSchema,
  entry: 'api/users/set-role.ts',
  access: { userPool: ['AdminListGroupsForUser', 'AdminRemoveUserFromGroup', 'AdminAddUserToGroup', 'AdminGetUser'] },
} as const satisfies HttpRoute;

export const userRoutes = [listUsersRoute, addUserRoute, getUserRoute, removeUserRoute, setUserRoleRoute] as const;
