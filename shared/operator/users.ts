/**
 * Operators: the people who sign in to the user pool, each with one role (a Cognito group). The REST API's users
 * routes and the CLI's `user` commands both call these operations, against the same directory port (a Cognito
 * user pool on AWS, the local stand-in under `npm start`).
 */
import { randomInt } from 'node:crypto';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Page } from '../store/queries.ts';

export const USER_ROLES = ['admin', 'operator', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** An operator as the API shows them: never a password or a hash. */
export interface OperatorUser {
  readonly username: string;
  /** The user pool's immutable id of the user (the `sub` claim of their tokens). */
  readonly sub: string;
  /** Their group; null when they are in none of the role groups (then every route refuses them). */
  readonly role: UserRole | null;
  readonly email?: string;
  readonly enabled: boolean;
  /** Cognito's account status, e.g. CONFIRMED. */
  readonly status: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewUser {
  readonly username: string;
  readonly role: UserRole;
  readonly email?: string;
}

/** Where operators live. Implemented on Cognito by shared/store/user-directory.ts. */
export interface UserDirectory {
  /** Creates the user with a permanent password and the role; undefined when the username is taken. */
  create(user: NewUser, password: string): Promise<OperatorUser | undefined>;
  get(username: string): Promise<OperatorUser | undefined>;
  /** A page of users (of one role when given), in the directory's order. */
  list(options: { readonly limit: number; readonly cursor?: string; readonly role?: UserRole }): Promise<Page<OperatorUser>>;
  /** False when there is no such user. */
  remove(username: string): Promise<boolean>;
  /** Makes `role` the user's only role group; undefined when there is no such user. */
  setRole(username: string, role: UserRole): Promise<OperatorUser | undefined>;
}

/** Usernames: what a person types at sign-in; case-insensitive in the pool. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
// Symbols a shell leaves alone inside single quotes and that need no escaping in JSON.
const SYMBOLS = '%+-.:=@^_~';
export const GENERATED_PASSWORD_LENGTH = 24;

const pick = (chars: string) => chars[randomInt(chars.length)]!;

/**
 * A password for a new operator: 24 characters with lower- and upper-case letters, digits and symbols, so it meets
 * any policy Cognito can set (up to 99 characters aside). Shown once; the directory keeps only its own hash.
 */
export const generatePassword = (): string => {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS), ...Array.from({ length: GENERATED_PASSWORD_LENGTH - 4 }, () => pick(all))];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
};

const same = (a: string, b: string | undefined) => b !== undefined && a.toLowerCase() === b.toLowerCase();

/** Creates an operator with a generated password, returned here once. */
export const addUser = async (dir: UserDirectory, user: NewUser): Promise<Outcome<{ user: OperatorUser; password: string }>> => {
  if (!USERNAME_PATTERN.test(user.username)) return failure('invalid', 'A username is 1–128 characters of A-Z a-z 0-9 . _ @ + -, starting with a letter or digit', '/username');
  const password = generatePassword();
  const created = await dir.create(user, password);
  return created ? success({ user: created, password }) : failure('conflict', `User ${user.username} already exists`, '/username');
};

export const getUser = async (dir: UserDirectory, username: string): Promise<Outcome<OperatorUser>> => {
  const user = await dir.get(username);
  return user ? success(user) : failure('not-found', `No user ${username}`);
};

/** Removes an operator; nobody removes themselves (an admin cannot lock the last admin out by accident). */
export const removeUser = async (dir: UserDirectory, username: string, caller?: string): Promise<Outcome<void>> => {
  if (same(username, caller)) return failure('conflict', 'You cannot remove yourself; another admin can');
  return (await dir.remove(username)) ? success(undefined) : failure('not-found', `No user ${username}`);
};

/** Gives an operator another role; nobody changes their own. Tokens issued before keep the old groups until they expire. */
export const changeRole = async (dir: UserDirectory, username: string, role: UserRole, caller?: string): Promise<Outcome<OperatorUser>> => {
  if (same(username, caller)) return failure('conflict', 'You cannot change your own role; another admin can');
  const user = await dir.setRole(username, role);
  return user ? success(user) : failure('not-found', `No user ${username}`);
};

/** A page of operators (of one role when given). */
export const listUsers = (dir: UserDirectory, options: { readonly limit: number; readonly cursor?: string; readonly role?: UserRole }): Promise<Page<OperatorUser>> =>
  dir.list(options);
