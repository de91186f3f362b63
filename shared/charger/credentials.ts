/**
 * Charger passwords for HTTP Basic auth (OCPP security profiles 1 and 2). Only a hash is stored; the clear
 * password exists once, when it is generated, and is never logged. The stored hash names its scheme:
 *
 * - `hmac-sha256$<pepper id>$<mac>` for passwords the CSMS generated (120 random bits, 192 in older ones): nobody
 *   can guess such a password, so a slow hash buys nothing; an HMAC under a secret pepper (kept outside the table)
 *   costs microseconds per check and is useless to whoever reads the table without the pepper.
 * - `scrypt$N$r$p$<salt>$<key>` for passwords a charger or an operator chose, which may be guessable: a slow,
 *   salted hash. Hashes stored before the HMAC scheme existed are scrypt too, and keep working.
 */
import { isUtf8 } from 'node:buffer';
import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// N=2^14, r=8, p=1: about 30-60 ms per check on one Lambda vCPU, a fair price for one check per connection.
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SCRYPT = 'scrypt';
const HMAC = 'hmac-sha256';

export type PasswordScheme = typeof SCRYPT | typeof HMAC;

/**
 * The secret pepper generated passwords are MACed with (secret `passwordPepper`, read from Secrets Manager by the
 * functions and the CLI). New hashes use the current value; a check accepts a hash made under the previous one too
 * (each hash names its pepper), so rotating the pepper locks no charger out until the rotation after.
 */
export interface PasswordKeys {
  readonly passwordPepper: string;
  /** The value before the last rotation (AWSPREVIOUS); absent until the pepper is first rotated. */
  readonly previousPasswordPepper?: string;
}

/** Who chose a password decides how it is hashed. */
export type PasswordOrigin = 'generated' | 'chosen';

const GENERATED_BYTES = 24;

/**
 * OCPP 2.0.1 BasicAuthPassword is 16..40 characters of passwordString; 32 base64url characters fit both versions.
 * Never starting with `-` (one in 64 would): a command line reads `--password -x…` as another option.
 */
export const generatePassword = (): string => {
  for (;;) {
    const password = randomBytes(GENERATED_BYTES).toString('base64url');
    if (!password.startsWith('-')) return password;
  }
};

/** Whether a password has the form `generatePassword` produces (32 base64url characters). */
export const looksGenerated = (password: string): boolean => /^[A-Za-z0-9_-]{32}$/.test(password);

/**
 * A charger password: 20 base64url characters (120 random bits). 20 is the most a 1.6 charger takes: the security
 * whitepaper's AuthorizationKey carries the password as up to 40 hexadecimal digits (`authorizationKeyOf`), and the
 * charger sends the 20 characters they stand for in its Basic header. OCPP 2.0.1 BasicAuthPassword takes 16 to 40.
 */
export const CHARGER_PASSWORD_LENGTH = 20;
export const generateChargerPassword = (): string => {
  for (;;) {
    const password = randomBytes((CHARGER_PASSWORD_LENGTH * 3) / 4).toString('base64url');
    if (!password.startsWith('-')) return password;
  }
};

const GENERATED_CHARGER_PASSWORD = new RegExp(`^[A-Za-z0-9_-]{${CHARGER_PASSWORD_LENGTH}}$`);
/** Charger passwords generated before they were 20 characters are 32 (`generatePassword`): both forms are ours. */
export const looksLikeGeneratedChargerPassword = (password: string): boolean => looksGenerated(password) || GENERATED_CHARGER_PASSWORD.test(password);

/** OCPP 1.6 security whitepaper: AuthorizationKey is the password's hexadecimal representation (16 to 20 bytes). */
export const authorizationKeyOf = (password: string): string => Buffer.from(password, 'utf8').toString('hex');

const HEX_AUTHORIZATION_KEY = /^(?:[0-9A-Fa-f]{2}){16,20}$/;

/**
 * The password some bytes are (a Basic header's, or those an AuthorizationKey's digits stand for): their UTF-8 text,
 * or, when they are not UTF-8 (the whitepaper advises random binary keys), one character per byte. Both sides read
 * bytes the same way, so a binary key is hashed and checked like any password.
 */
export const passwordOfBytes = (bytes: Buffer): string => (isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1'));

/**
 * The password a 1.6 AuthorizationKey value makes the charger send in its Basic header: the bytes its 32 to 40 hex
 * digits stand for; any other value as it is (firmware that predates the whitepaper takes the value itself).
 */
export const passwordOfAuthorizationKey = (value: string): string =>
  HEX_AUTHORIZATION_KEY.test(value) ? passwordOfBytes(Buffer.from(value, 'hex')) : value;

/**
 * A Basic password that may be an AuthorizationKey sent as it was configured (hex digits) by a 1.6 charger that does
 * not decode it, as the whitepaper wants: the password it stands for, to be checked too. Undefined otherwise.
 */
export const decodedAuthorizationKey = (presented: string): string | undefined => {
  const decoded = passwordOfAuthorizationKey(presented);
  return decoded !== presented ? decoded : undefined;
};

const deriveKey = (password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    scrypt(password, salt, length, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });

/** A short public name of the pepper, so a hash made under another pepper is told apart from a wrong password. */
const pepperId = (pepper: string): string => createHash('sha256').update(`pepper-id:${pepper}`).digest('base64url').slice(0, 8);

const mac = (pepper: string, password: string): Buffer => createHmac('sha256', pepper).update(password, 'utf8').digest();

/** The MAC of a generated secret under the pepper: also the lookup key of an enrolment code. */
export const secretMac = (keys: PasswordKeys, secret: string): string => mac(keys.passwordPepper, secret).toString('base64url');

const requirePepper = (keys: Partial<PasswordKeys> | undefined): string => {
  if (!keys?.passwordPepper) throw new Error('No password pepper: the secret passwordPepper (PASSWORD_PEPPER_SECRET_ID) is needed for generated passwords');
  return keys.passwordPepper;
};

const hashChosen = async (password: string): Promise<string> => {
  const salt = randomBytes(16);
  const key = await deriveKey(password, salt, PARAMS, KEY_LENGTH);
  return [SCRYPT, PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
};

const hashGenerated = (pepper: string, password: string): string => [HMAC, pepperId(pepper), secretMac({ passwordPepper: pepper }, password)].join('$');

/** Hashes a password by who chose it: HMAC under the pepper for generated ones, scrypt for chosen ones. */
export const hashPassword = async (password: string, origin: PasswordOrigin, keys?: Partial<PasswordKeys>): Promise<string> =>
  origin === 'generated' ? hashGenerated(requirePepper(keys), password) : hashChosen(password);

export const schemeOf = (stored: string): PasswordScheme | undefined => {
  const prefix = stored.slice(0, stored.indexOf('$'));
  return prefix === SCRYPT || prefix === HMAC ? prefix : undefined;
};

export type PasswordCheck = 'match' | 'mismatch' | 'other-pepper';

const equalBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

const checkScrypt = async (password: string, stored: string): Promise<boolean> => {
  const [, n, r, p, saltB64, keyB64] = stored.split('$');
  if (!n || !r || !p || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const actual = await deriveKey(password, Buffer.from(saltB64, 'base64'), { N: +n, r: +r, p: +p }, expected.length);
  return equalBytes(actual, expected);
};

/**
 * Checks a password against its stored hash, by the scheme the hash names. An HMAC hash is always computed, whatever
 * the password looks like, so every check of that scheme costs the same.
 */
export const checkPassword = async (password: string, stored: string, keys?: Partial<PasswordKeys>): Promise<PasswordCheck> => {
  switch (schemeOf(stored)) {
    case SCRYPT:
      return (await checkScrypt(password, stored)) ? 'match' : 'mismatch';
    case HMAC: {
      const current = requirePepper(keys);
      const previous = keys?.previousPasswordPepper;
      const [, id, macB64] = stored.split('$');
      // The hash names its pepper: one HMAC, under the current or the previous value, whichever made it.
      const pepper = id === pepperId(current) ? current : previous !== undefined && id === pepperId(previous) ? previous : undefined;
      const actual = mac(pepper ?? current, password);
      if (pepper === undefined) return 'other-pepper';
      return equalBytes(actual, Buffer.from(macB64 ?? '', 'base64url')) ? 'match' : 'mismatch';
    }
    default:
      return 'mismatch';
  }
};

export const verifyPassword = async (password: string, stored: string, keys?: Partial<PasswordKeys>): Promise<boolean> =>
  (await checkPassword(password, stored, keys)) === 'match';

let scryptDecoy: Promise<string> | undefined;

/**
 * The check an unknown id gets, so response times do not tell which ids exist: the check a real id would get for
 * this password. A password of the generated form would be checked against an HMAC hash (every credential the CSMS
 * issues is one): one HMAC. Any other password can only match a chosen one, which exists where chargers may choose
 * (auto-registration): there a scrypt check; elsewhere every real id has an HMAC hash, and so does the decoy.
 */
export const decoyCheck = async (password: string, keys: Partial<PasswordKeys>, chosenPasswordsExist: boolean): Promise<void> => {
  if (looksLikeGeneratedChargerPassword(password) || !chosenPasswordsExist) {
    mac(requirePepper(keys), password);
    return;
  }
  await checkScrypt(password, await (scryptDecoy ??= hashChosen(generatePassword())));
};

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Parses an `Authorization: Basic …` value; undefined when absent or malformed. */
export const parseBasicAuth = (header: string | undefined): BasicCredentials | undefined => {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  // Split as bytes: the password may be binary (a 1.6 AuthorizationKey), the user id is text without `:` (RFC 7617).
  const decoded = Buffer.from(match[1], 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon < 0) return undefined;
  return { username: decoded.subarray(0, colon).toString('utf8'), password: passwordOfBytes(decoded.subarray(colon + 1)) };
};

/** Constant-time string comparison for shared secrets. */
export const secretsEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};
