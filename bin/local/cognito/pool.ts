/**
 * The user pool the Cognito stand-in serves: users (passwords hashed with scrypt, never kept in clear), the groups
 * `admin`, `operator` and `viewer`, app clients (machine clients' secrets kept as SHA-256 digests) and refresh
 * grants. Kept in `<data dir>/cognito/pool.json` (owner-readable) and rewritten on each change; in memory without a
 * data directory. Refusals are `CognitoError`s carrying the exception name the service sends, so the SDK raises it.
 */
import { createHash, randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** A Cognito exception: `type` is the name the SDK raises (`UserNotFoundException`, ...). */
export class CognitoError extends Error {
  override readonly name = 'CognitoError';
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const GROUPS = ['admin', 'operator', 'viewer'] as const;
/** The pool's password policy (the stand-in enforces it as Cognito does on AdminSetUserPassword / AdminCreateUser). */
export const PASSWORD_POLICY = { minLength: 12, lowercase: true, uppercase: true, digits: true, symbols: true } as const;

export interface StoredUser {
  username: string;
  sub: string;
  passwordHash?: string;
  status: 'FORCE_CHANGE_PASSWORD' | 'CONFIRMED';
  enabled: boolean;
  attributes: Record<string, string>;
  groups: string[];
  createdAt: number;
  updatedAt: number;
}

export interface StoredClient {
  clientId: string;
  clientName: string;
  /** SHA-256 of the generated secret (base64url); absent for a public client. */
  secretDigest?: string;
  explicitAuthFlows: string[];
  allowedOAuthFlows: string[];
  allowedOAuthScopes: string[];
  createdAt: number;
}

export interface RefreshGrant {
  /** SHA-256 of the refresh token (base64url). */
  digest: string;
  sub: string;
  clientId: string;
  originJti: string;
  authTime: number;
  expiresAt: number;
}

interface PoolState {
  users: StoredUser[];
  clients: StoredClient[];
  refreshGrants: RefreshGrant[];
}

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');
const SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;

/** Why a password fails the pool's policy, as Cognito words it; undefined when it passes. */
export const policyViolation = (password: string): string | undefined => {
  if (password.length < PASSWORD_POLICY.minLength) return 'Password not long enough';
  if (!/[a-z]/.test(password)) return 'Password must have lowercase characters';
  if (!/[A-Z]/.test(password)) return 'Password must have uppercase characters';
  if (!/[0-9]/.test(password)) return 'Password must have numeric characters';
  if (!SYMBOLS.test(password)) return 'Password must have symbol characters';
  return undefined;
};

const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${(await scrypt(password, salt, 32)).toString('base64url')}`;
};

const passwordMatches = async (password: string, stored: string | undefined): Promise<boolean> => {
  const [scheme, salt, hash] = (stored ?? '').split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length);
  return timingSafeEqual(actual, expected);
};

/** Client ids look like Cognito's: 26 lower-case alphanumerics. */
const clientId = () => Array.from(randomBytes(26), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

const notFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');

export const PEOPLE_CLIENT_NAME = 'people';

export class UserPool {
  private readonly state: PoolState;

  constructor(
    readonly id: string,
    private readonly file: string | undefined,
  ) {
    this.state = file ? load(file) : { users: [], clients: [], refreshGrants: [] };
    if (!this.state.clients.some((c) => c.clientName === PEOPLE_CLIENT_NAME)) {
      // The app client people sign in with (as the CDK stack's): no secret, password and refresh flows.
      this.state.clients.push({
        clientId: clientId(),
        clientName: PEOPLE_CLIENT_NAME,
        explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        allowedOAuthFlows: [],
        allowedOAuthScopes: [],
        createdAt: Date.now(),
      });
      this.save();
    }
  }

  get peopleClientId(): string {
    return this.state.clients.find((c) => c.clientName === PEOPLE_CLIENT_NAME)!.clientId;
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.state, null, 1)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  /** Pool ids in requests must be this pool's. */
  checkPool(userPoolId: unknown): void {
    if (userPoolId !== this.id) throw new CognitoError('ResourceNotFoundException', `User pool ${String(userPoolId)} does not exist.`);
  }

  /** Usernames are case-insensitive, as in a pool created with the default username configuration. */
  findUser(username: unknown): StoredUser | undefined {
    if (typeof username !== 'string') return undefined;
    const wanted = username.toLowerCase();
    return this.state.users.find((u) => u.username.toLowerCase() === wanted);
  }

  user(username: unknown): StoredUser {
    const found = this.findUser(username);
    if (!found) throw notFound();
    return found;
  }

  userBySub(sub: string): StoredUser | undefined {
    return this.state.users.find((u) => u.sub === sub);
  }

  /** Users ordered by username (Cognito's order is unspecified; a stable one makes pages stable). */
  users(group?: string): StoredUser[] {
    const all = group === undefined ? this.state.users : this.state.users.filter((u) => u.groups.includes(group));
    return [...all].sort((a, b) => a.username.toLowerCase().localeCompare(b.username.toLowerCase()));
  }

  async createUser(username: unknown, attributes: Record<string, string>, temporaryPassword: string | undefined): Promise<StoredUser> {
    if (typeof username !== 'string' || !/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u.test(username)) {
      throw new CognitoError('InvalidParameterException', '1 validation error detected: Value at \'username\' failed to satisfy constraint');
    }
    if (this.findUser(username)) throw new CognitoError('UsernameExistsException', 'User account already exists');
    const violation = temporaryPassword === undefined ? undefined : policyViolation(temporaryPassword);
    if (violation) throw new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${violation}`);
    const now = Date.now();
    const user: StoredUser = {
      username,
      sub: randomUUID(),
      ...(temporaryPassword === undefined ? {} : { passwordHash: await hashPassword(temporaryPassword) }),
      status: 'FORCE_CHANGE_PASSWORD',
      enabled: true,
      attributes,
      groups: [],
      createdAt: now,
      updatedAt: now,
    };
    this.state.users.push(user);
    this.save();
    return user;
  }

  async setPassword(username: unknown, password: unknown, permanent: boolean): Promise<void> {
    const user = this.user(username);
    const violation = typeof password === 'string' ? policyViolation(password) : 'Password is required';
    if (violation) throw new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${violation}`);
    user.passwordHash = await hashPassword(password as string);
    user.status = permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    user.updatedAt = Date.now();
    this.save();
  }

  /** The user whose password this is, or a NotAuthorizedException that does not say which part was wrong. */
  async authenticate(username: unknown, password: unknown): Promise<StoredUser> {
    const user = this.findUser(username);
    const matches = typeof password === 'string' && (await passwordMatches(password, user?.passwordHash));
    if (!user || !matches) throw new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
    if (!user.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
    if (user.status !== 'CONFIRMED') {
      // Cognito would answer a NEW_PASSWORD_REQUIRED challenge; the stand-in does not emulate challenges.
      throw new CognitoError('NotAuthorizedException', 'The user has a temporary password: set a permanent one (AdminSetUserPassword).');
    }
    return user;
  }

  setGroup(username: unknown, group: unknown, member: boolean): void {
    const user = this.user(username);
    if (typeof group !== 'string' || !(GROUPS as readonly string[]).includes(group)) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
    user.groups = member ? [...new Set([...user.groups, group])] : user.groups.filter((g) => g !== group);
    user.updatedAt = Date.now();
    this.save();
  }

  deleteUser(username: unknown): void {
    const user = this.user(username);
    this.state.users = this.state.users.filter((u) => u !== user);
    // Its refresh tokens die with it.
    this.state.refreshGrants = this.state.refreshGrants.filter((g) => g.sub !== user.sub);
    this.save();
  }

  client(id: unknown): StoredClient | undefined {
    return this.state.clients.find((c) => c.clientId === id);
  }

  clients(): StoredClient[] {
    return [...this.state.clients];
  }

  /** A client with a generated secret (returned once, kept only as its digest). */
  createClient(spec: Omit<StoredClient, 'clientId' | 'createdAt' | 'secretDigest'>, withSecret: boolean): { client: StoredClient; secret?: string } {
    const secret = withSecret ? randomBytes(38).toString('base64url').replace(/[-_]/g, '').slice(0, 51) : undefined;
    const client: StoredClient = { ...spec, clientId: clientId(), createdAt: Date.now(), ...(secret ? { secretDigest: digest(secret) } : {}) };
    this.state.clients.push(client);
    this.save();
    return { client, ...(secret ? { secret } : {}) };
  }

  deleteClient(id: unknown): void {
    if (!this.client(id)) throw new CognitoError('ResourceNotFoundException', `User pool client ${String(id)} does not exist.`);
    this.state.clients = this.state.clients.filter((c) => c.clientId !== id);
    this.state.refreshGrants = this.state.refreshGrants.filter((g) => g.clientId !== id);
    this.save();
  }

  secretMatches(client: StoredClient, secret: string): boolean {
    if (!client.secretDigest) return false;
    return timingSafeEqual(Buffer.from(digest(secret)), Buffer.from(client.secretDigest));
  }

  /** Cognito's refresh tokens last 30 days by default. */
  grantRefresh(sub: string, clientId: string, originJti: string, authTime: number): string {
    const token = randomBytes(64).toString('base64url');
    const now = Date.now();
    this.state.refreshGrants = this.state.refreshGrants.filter((g) => g.expiresAt > now);
    this.state.refreshGrants.push({ digest: digest(token), sub, clientId, originJti, authTime, expiresAt: now + 30 * 24 * 3_600_000 });
    this.save();
    return token;
  }

  refreshGrant(token: unknown, clientId: string): RefreshGrant {
    const grant = typeof token === 'string' ? this.state.refreshGrants.find((g) => g.digest === digest(token)) : undefined;
    if (!grant || grant.clientId !== clientId || grant.expiresAt <= Date.now()) throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
    return grant;
  }
}

const load = (file: string): PoolState => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PoolState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(join(file, '..'), { recursive: true });
    return { users: [], clients: [], refreshGrants: [] };
  }
};
