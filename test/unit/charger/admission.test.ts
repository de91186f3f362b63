import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkRoutes } from '#functions/_routes/rules.ts';
import type { RouteDef } from '#functions/routes.ts';
import { allowListMatcher } from '#shared/charger/auto-registration.ts';
import { chargerIdKey, isValidChargerId } from '#shared/charger/charger-id.ts';
import {
  authorizationKeyOf,
  checkPassword,
  decodedAuthorizationKey,
  generateChargerPassword,
  generatePassword,
  hashPassword,
  looksGenerated,
  looksLikeGeneratedChargerPassword,
  passwordOfAuthorizationKey,
  passwordOfBytes,
  schemeOf,
} from '#shared/charger/credentials.ts';
import { createEdge } from '../../../bin/local/edge.ts';
import { fixtureRegistries, kindRoutes } from '../../support/route-fixtures.ts';

const pepper = { passwordPepper: 'a-pepper-of-at-least-32-characters-long' };

describe('password schemes', () => {
  it('names its scheme in the hash and checks each by it', async () => {
    const generated = generatePassword();
    const mac = await hashPassword(generated, 'generated', pepper);
    const slow = await hashPassword('chosen-password-123', 'chosen');
    expect([schemeOf(mac), schemeOf(slow)]).toEqual(['hmac-sha256', 'scrypt']);
    expect(mac).not.toContain(generated);
    expect(await checkPassword(generated, mac, pepper)).toBe('match');
    expect(await checkPassword('chosen-password-123', slow)).toBe('match');
    expect(await checkPassword(`${generated}x`, mac, pepper)).toBe('mismatch');
  });
  it('tells a hash made under another pepper from a wrong password, and refuses to MAC without a pepper', async () => {
    const generated = generatePassword();
    const mac = await hashPassword(generated, 'generated', pepper);
    expect(await checkPassword(generated, mac, { passwordPepper: 'another-pepper-of-32-characters-or-more' })).toBe('other-pepper');
    await expect(hashPassword(generated, 'generated', {})).rejects.toThrow(/PASSWORD_PEPPER_SECRET_ID/);
  });
  it('checks a hash made under the previous pepper during a rotation, by the pepper the hash names', async () => {
    const generated = generatePassword();
    const mac = await hashPassword(generated, 'generated', pepper);
    const rotated = { passwordPepper: 'the-next-pepper-of-32-characters-or-more', previousPasswordPepper: pepper.passwordPepper };
    expect(await checkPassword(generated, mac, rotated)).toBe('match');
    expect(await checkPassword(`${generated}x`, mac, rotated)).toBe('mismatch');
    expect(await hashPassword(generated, 'generated', rotated)).not.toBe(mac); // new hashes under the current one
  });
  it('recognises the generated form', () => {
    expect(looksGenerated(generatePassword())).toBe(true);
    expect(looksGenerated('short')).toBe(false);
  });
  it('generates charger passwords of 20 characters, whose 1.6 AuthorizationKey (hex) fits its 40 digits', () => {
    const password = generateChargerPassword();
    expect(password).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{19}$/);
    expect(authorizationKeyOf(password)).toMatch(/^[0-9a-f]{40}$/);
    expect(passwordOfAuthorizationKey(authorizationKeyOf(password))).toBe(password);
    // Both forms are ours (charger passwords and enrolment codes made before were 32 characters): the decoy checks them as such.
    expect([password, generatePassword(), 'short'].map(looksLikeGeneratedChargerPassword)).toEqual([true, true, false]);
  });
  it('reads a 1.6 AuthorizationKey as the password its hex digits stand for, and any other value as it is', () => {
    expect(passwordOfAuthorizationKey('3031323334353637383961626364656667686970')).toBe('0123456789abcdefghip');
    expect(passwordOfAuthorizationKey('30313233343536373839414243444546')).toBe('0123456789ABCDEF'); // 16 bytes, upper-case digits
    expect(passwordOfAuthorizationKey('an-operator-chosen-pw-1')).toBe('an-operator-chosen-pw-1');
    // Too short or too long to be hex of 16 to 20 bytes, or an odd count: a password of its own.
    expect(passwordOfAuthorizationKey('3031323334353637383930')).toBe('3031323334353637383930');
    expect(passwordOfAuthorizationKey('a'.repeat(41))).toBe('a'.repeat(41));
    // Bytes that are not UTF-8 (a random binary key): one character per byte, as a Basic header's bytes are read.
    expect(passwordOfAuthorizationKey('00ff'.repeat(8))).toBe('\u0000\u00ff'.repeat(8));
    expect(passwordOfBytes(Buffer.from('00ff'.repeat(8), 'hex'))).toBe('\u0000\u00ff'.repeat(8));
    expect(passwordOfBytes(Buffer.from('pässword-ü', 'utf8'))).toBe('pässword-ü');
  });
  it('checks the password a header of hex digits stands for only when it is such a key', () => {
    expect(decodedAuthorizationKey(authorizationKeyOf('a-password-of-20-chr'))).toBe('a-password-of-20-chr');
    expect(decodedAuthorizationKey('a-password-of-20-chr')).toBeUndefined();
    expect(decodedAuthorizationKey('41'.repeat(15))).toBeUndefined(); // 15 bytes: too short to be a key
  });
});

describe('charger ids', () => {
  it('refuses ids made only of dots and folds case for lookups', () => {
    expect(['.', '..', '...'].map(isValidChargerId)).toEqual([false, false, false]);
    expect(isValidChargerId('CP.1')).toBe(true);
    expect(chargerIdKey('CP-Ab')).toBe(chargerIdKey('cp-aB'));
  });
  it('matches the auto-registration allow-list by pattern, in any case', () => {
    const allowed = allowListMatcher('SIM-*, test-??');
    expect(['sim-1', 'SIM-ABC', 'Test-01'].map(allowed)).toEqual([true, true, true]);
    expect(['SIMX', 'TEST-1', 'other'].map(allowed)).toEqual([false, false, false]);
    expect(allowListMatcher('')('anything')).toBe(false);
  });
});

describe('stream routes and password hashes', () => {
  it('refuses a stream route subscribing to the credentials item type', () => {
    const routes = kindRoutes.map((r) => (r.kind === 'stream' ? { ...r, types: ['Charger', 'ChargerCredentials'] } : r)) as RouteDef[];
    expect(() => checkRoutes(routes, fixtureRegistries)).toThrow(/ChargerCredentials, which holds password hashes/);
  });
});

describe('the local edge says how the charger came in', () => {
  const request = (ip: string) =>
    ({
      url: '/ocpp/CP-1',
      method: 'GET',
      headers: { host: 'localhost' },
      headersDistinct: { host: ['localhost'], authorization: ['Basic Q1AtMTp4'], upgrade: ['websocket'] },
      socket: { remoteAddress: ip, remotePort: 1234 },
    }) as unknown as IncomingMessage;
  it('https for a charger on this machine (nothing on the network to read), http for any other', async () => {
    const edge = await createEdge({ pathPrefix: 'ocpp', stageName: 'local', originSecret: 'secret-secret-secret' });
    const proto = (ip: string) => {
      const out = edge.viewerRequest(request(ip));
      return 'forwarded' in out ? out.forwarded.headers['CloudFront-Forwarded-Proto'] : out;
    };
    expect(proto('127.0.0.1')).toEqual(['https']);
    expect(proto('::ffff:192.168.1.20')).toEqual(['http']);
  });
});
