/**
 * Charger passwords for HTTP Basic auth (OCPP security profiles 1 and 2). Only a scrypt hash is stored;
 * the clear password exists once, when it is generated, and is never logged.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// N=2^14, r=8, p=1: about 30-60 ms per check on one Lambda vCPU, a fair price for one check per connection.
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const PREFIX = 'scrypt';

const deriveKey = (password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    scrypt(password, salt, length, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });

/** OCPP 2.0.1 BasicAuthPassword is 16..40 characters of passwordString; 32 base64url characters fit both versions. */
export const generatePassword = (): string => randomBytes(24).toString('base64url');

export const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(16);
  const key = await deriveKey(password, salt, PARAMS, KEY_LENGTH);
  return [PREFIX, PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
};

export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const [prefix, n, r, p, saltB64, keyB64] = stored.split('$');
  if (prefix !== PREFIX || !n || !r || !p || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const actual = await deriveKey(password, Buffer.from(saltB64, 'base64'), { N: +n, r: +r, p: +p }, expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Parses an `Authorization: Basic …` value; undefined when absent or malformed. */
export const parseBasicAuth = (header: string | undefined): BasicCredentials | undefined => {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
};

/** Constant-time string comparison for shared secrets. */
export const secretsEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};
