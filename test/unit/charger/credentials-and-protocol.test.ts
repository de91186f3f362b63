import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, parseBasicAuth, verifyPassword } from '#shared/charger/credentials.ts';
import { chooseProtocol } from '#shared/charger/connection.ts';
import { isValidChargerId } from '#shared/charger/charger-id.ts';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('charger passwords', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const password = generatePassword();
    const stored = await hashPassword(password, 'chosen');
    expect(stored).not.toContain(password);
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword(`${password}x`, stored)).toBe(false);
    expect(await verifyPassword(password, 'garbage')).toBe(false);
  });
  it('generates passwords OCPP 2.0.1 accepts as BasicAuthPassword (16-40 of passwordString)', () => {
    expect(generatePassword()).toMatch(/^[A-Za-z0-9*\-_=:+|@.]{16,40}$/);
  });
  it('never generates a password a command line would take for an option (a leading `-`)', () => {
    // One in 64 random base64url strings starts with `-`: 2,000 of them all miss it by chance about once in 10^14.
    const first = new Set(Array.from({ length: 2_000 }, () => generatePassword()[0]));
    expect(first.has('-')).toBe(false);
    expect(first.size).toBeGreaterThan(50);
  });
  it('parses Basic credentials, keeping colons in the password', () => {
    expect(parseBasicAuth(basic('CP-1', 'a:b'))).toEqual({ username: 'CP-1', password: 'a:b' });
    expect(parseBasicAuth('Bearer x')).toBeUndefined();
    expect(parseBasicAuth(undefined)).toBeUndefined();
    expect(parseBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined();
  });
});

describe('chooseProtocol', () => {
  it('picks the highest version both sides speak', () => {
    expect(chooseProtocol('ocpp1.6, ocpp2.0.1')).toEqual({ protocol: 'ocpp2.0.1', echo: true });
    expect(chooseProtocol('ocpp2.1,ocpp2.0.1,ocpp1.6')).toEqual({ protocol: 'ocpp2.1', echo: true });
    expect(chooseProtocol('ocpp1.6')).toEqual({ protocol: 'ocpp1.6', echo: true });
  });
  it('refuses when nothing offered is ours', () => {
    expect(chooseProtocol('ocpp1.5, mqtt')).toBeUndefined();
    expect(chooseProtocol(undefined)).toBeUndefined();
  });
  it("uses the charger's default silently when it offers no subprotocol", () => {
    expect(chooseProtocol(undefined, 'ocpp1.6')).toEqual({ protocol: 'ocpp1.6', echo: false });
    expect(chooseProtocol('', 'ocpp1.6')).toEqual({ protocol: 'ocpp1.6', echo: false });
  });
});

describe('charger ids', () => {
  it('allows OCPP identifierString characters up to 48 long', () => {
    expect(isValidChargerId('CP-1.a_b:c+d|e@f*g=h')).toBe(true);
    expect(isValidChargerId('x'.repeat(48))).toBe(true);
    expect(isValidChargerId('x'.repeat(49))).toBe(false);
    expect(isValidChargerId('')).toBe(false);
    expect(isValidChargerId('CP 1')).toBe(false);
    expect(isValidChargerId('CP/1')).toBe(false);
  });
});
