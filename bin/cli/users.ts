/**
 * `user` and `client` commands: operators and machine clients of the user pool, through the same code as the REST
 * API's users routes (shared/operator/users.ts on shared/store/user-directory.ts). Locally the pool is the running
 * runtime's Cognito stand-in (or one started on the data directory for the command); with `--aws` the deployed pool.
 */
import { addUser, changeRole, getUser, listUsers, removeUser, USER_ROLES, type UserRole } from '#shared/operator/users.ts';
import { cognitoMachineClients } from '#shared/store/machine-clients.ts';
import { cognitoUserDirectory, MAX_USERS_PAGE, userPoolClient } from '#shared/store/user-directory.ts';
import { refreshTokens, signInWithPassword } from '#shared/store/user-pool-auth.ts';
import { type CommandOutput, type Options, UsageError } from './commands.ts';

/** Where the pool is and how to reach it. */
export interface PoolTarget {
  readonly userPoolId: string;
  /** AWS_REGION, credentials and, locally, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER. */
  readonly env: NodeJS.ProcessEnv;
  /** The app client people sign in with; `user login` needs it. */
  readonly peopleClientId?: string;
  /** Locally: the stand-in's tokens for a user without their password (`user token`). */
  readonly tokenFor?: (username: string) => Promise<string>;
  /** What `user login` reads the password from. */
  readonly readPassword: () => Promise<string>;
}

type PoolCommand = (target: PoolTarget, args: string[], options: Options) => Promise<CommandOutput>;

const need = (value: string | undefined, what: string): string => {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
};

const str = (o: Options, name: string): string | undefined => (typeof o[name] === 'string' ? (o[name] as string) : undefined);

const roleOption = (value: string | undefined, what: string): UserRole => {
  if (!value || !(USER_ROLES as readonly string[]).includes(value)) throw new UsageError(`${what} must be one of ${USER_ROLES.join(', ')}`);
  return value as UserRole;
};

/** A domain refusal becomes a usage error with its detail (exit code 2). */
const unwrap = <T>(outcome: { ok: true; value: T } | { ok: false; detail: string }): T => {
  if (!outcome.ok) throw new UsageError(outcome.detail);
  return outcome.value;
};

const withPool = async <T>(target: PoolTarget, work: (pool: ReturnType<typeof userPoolClient>) => Promise<T>): Promise<T> => {
  const client = userPoolClient(target.env);
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
};

const directoryCommand =
  (run: (dir: ReturnType<typeof cognitoUserDirectory>, args: string[], o: Options) => Promise<CommandOutput>): PoolCommand =>
  (target, args, o) =>
    withPool(target, (client) => run(cognitoUserDirectory(client, target.userPoolId), args, o));

const userAdd = directoryCommand(async (dir, [username], o) => {
  const email = str(o, 'email');
  const { user, password } = unwrap(
    await addUser(dir, { username: need(username, 'username'), role: roleOption(str(o, 'role'), '--role'), ...(email ? { email } : {}) }),
  );
  return { result: user, note: `User ${user.username} (${user.role}) added. Their password (shown once; give it to them over a safe channel): ${password}` };
});

/** Every page, unless --limit asks for one page of that size. */
const userList = directoryCommand(async (dir, _args, o) => {
  const role = str(o, 'role') === undefined ? undefined : roleOption(str(o, 'role'), '--role');
  const limit = str(o, 'limit') === undefined ? undefined : Number(str(o, 'limit'));
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) throw new UsageError('--limit must be a positive integer');
  const items = [];
  let cursor: string | undefined;
  do {
    const page = await listUsers(dir, { limit: limit ?? MAX_USERS_PAGE, ...(cursor ? { cursor } : {}), ...(role ? { role } : {}) });
    items.push(...page.items);
    cursor = limit === undefined ? page.cursor : undefined;
  } while (cursor);
  return { result: items };
});

const userLogin: PoolCommand = async (target, [username], o) => {
  const clientId = str(o, 'client-id') ?? target.peopleClientId;
  if (!clientId) throw new UsageError('name the people app client with --client-id (stack output) or USER_POOL_CLIENT_ID');
  const password = await target.readPassword();
  if (!password) throw new UsageError('no password on stdin');
  const tokens = await withPool(target, (client) => signInWithPassword(client, clientId, need(username, 'username'), password));
  return { result: tokens, note: `Signed in as ${username}: the access token is valid ${tokens.expiresIn} s; renew it with: user refresh <refreshToken>` };
};

const userRefresh: PoolCommand = async (target, [refreshToken], o) => {
  const clientId = str(o, 'client-id') ?? target.peopleClientId;
  if (!clientId) throw new UsageError('name the people app client with --client-id (stack output) or USER_POOL_CLIENT_ID');
  return { result: await withPool(target, (client) => refreshTokens(client, clientId, need(refreshToken, 'refresh token'))) };
};

const userToken: PoolCommand = async (target, [username]) => {
  if (!target.tokenFor) throw new UsageError('user token works with the local stand-in only; on AWS sign in with: user login <username> --password-stdin');
  return { result: undefined, text: await target.tokenFor(need(username, 'username')) };
};

const SCOPES = ['csms/read', 'csms/write'];

const clientAdd: PoolCommand = (target, [name], o) =>
  withPool(target, async (client) => {
    const scopes = (str(o, 'scope') ?? '').split(/[\s,]+/).filter((s) => s !== '');
    if (scopes.length === 0 || scopes.some((s) => !SCOPES.includes(s))) throw new UsageError(`--scope must name ${SCOPES.join(' and/or ')}`);
    const created = await cognitoMachineClients(client, target.userPoolId).create(need(name, 'client name'), scopes);
    const { clientSecret, ...shown } = created;
    return { result: shown, note: `Machine client ${created.name} added: client id ${created.clientId}, secret (shown once): ${clientSecret}` };
  });

export const poolCommands: Record<string, Record<string, PoolCommand>> = {
  user: {
    add: userAdd,
    list: userList,
    show: directoryCommand(async (dir, [username]) => ({ result: unwrap(await getUser(dir, need(username, 'username'))) })),
    remove: directoryCommand(async (dir, [username]) => {
      unwrap(await removeUser(dir, need(username, 'username')));
      return { result: { username, removed: true }, note: `User ${username} removed; tokens issued to them stay valid until they expire (at most 1 hour).` };
    }),
    role: directoryCommand(async (dir, [username, role]) => ({
      result: unwrap(await changeRole(dir, need(username, 'username'), roleOption(role, 'the role'))),
      note: `Their next token carries the new role; tokens issued before keep the old one until they expire (at most 1 hour).`,
    })),
    token: userToken,
    login: userLogin,
    refresh: userRefresh,
  },
  client: {
    add: clientAdd,
    list: (target) => withPool(target, async (client) => ({ result: await cognitoMachineClients(client, target.userPoolId).list() })),
    remove: (target, [clientId]) =>
      withPool(target, async (client) => {
        const removed = await cognitoMachineClients(client, target.userPoolId).remove(need(clientId, 'client id'));
        if (!removed) throw new UsageError(`no client ${clientId}`);
        return { result: { clientId, removed: true } };
      }),
  },
};

export const poolUsage = `
  user add <username> --role admin|operator|viewer [--email <address>]   prints the generated password once
  user list [--role <role>] [--limit n]   user show <username>   user remove <username>
  user role <username> admin|operator|viewer
  user token <username>                   an access token for scripts (local stand-in only; no password asked)
  user login <username> [--password-stdin] [--client-id <id>]   signs in (password from stdin): access, ID
                                          and refresh tokens        user refresh <refreshToken>   new tokens
  client add <name> --scope csms/read[,csms/write]   a machine client (client-credentials grant): prints its
                                          id and secret once        client list     client remove <clientId>
  Users and clients live in the user pool: locally the runtime's Cognito stand-in (or one started on the data
  directory); with --aws the pool USER_POOL_ID or --user-pool-id names (default AWS credentials).`;
