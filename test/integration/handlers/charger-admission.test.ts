/**
 * Who may connect and what a charger may do by its registration (issue 8 items 1, 2, 7, 9, 11, 13), through the real
 * handlers and DynamoDB Local.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionCloser } from '#functions/_common/connections.ts';
import { createEnrolmentCode } from '#shared/charger/auto-registration.ts';
import { openConnection } from '#shared/charger/connection.ts';
import { generatePassword, hashPassword, passwordOfAuthorizationKey, secretMac } from '#shared/charger/credentials.ts';
import { createCharger, rotatePassword, setRegistration } from '#shared/charger/registry.ts';
import { makeDocumentClient } from '#shared/store/dynamo.ts';
import { chargerKey, credentialsKey } from '#shared/store/keys.ts';
import { answeredCommand } from '../../support/command-replies.ts';
import { lambdaContext, ORIGIN_SECRET, PASSWORD_PEPPER, startHarness, type Harness } from '../../support/handler-harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ AUTO_REGISTER: 'true', AUTO_REGISTER_ALLOW: 'ALLOWED-*, lab-?' });
});
afterAll(async () => h?.close());

const basic = (user: string, pass: string | Buffer) => `Basic ${Buffer.concat([Buffer.from(`${user}:`), Buffer.from(pass)]).toString('base64')}`;

interface Attempt {
  id: string;
  user?: string;
  password: string;
  /** CloudFront-Forwarded-Proto; null leaves the header out. @default 'https' */
  proto?: string | null;
  /** Sec-WebSocket-Protocol. @default 'ocpp1.6' */
  protocols?: string;
  /** The password as bytes (a binary 1.6 AuthorizationKey), instead of `password`'s UTF-8. */
  passwordBytes?: Buffer;
}

type Policy = { policyDocument: { Statement: { Effect: string }[] }; context?: Record<string, string> };

const authorize = async (a: Attempt): Promise<'401' | 'Deny' | Record<string, string>> => {
  const event = {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/local/$connect',
    headers: {
      'X-Ocpp-Authorization': basic(a.user ?? a.id, a.passwordBytes ?? a.password),
      'X-Origin-Verify': ORIGIN_SECRET,
      'Sec-WebSocket-Protocol': a.protocols ?? 'ocpp1.6',
      ...(a.proto === null ? {} : { 'CloudFront-Forwarded-Proto': a.proto ?? 'https' }),
    },
    queryStringParameters: { chargeBoxId: a.id },
    requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'c-auth' },
  };
  try {
    const result = (await h.handlers.authorize(event, lambdaContext('OcppAuthorizer'))) as Policy;
    return result.policyDocument.Statement[0]?.Effect === 'Allow' ? (result.context ?? {}) : 'Deny';
  } catch (error) {
    if (error instanceof Error && error.message === 'Unauthorized') return '401';
    throw error;
  }
};

/** The authorizer, then $connect with its context, as API Gateway runs them. */
const connect = async (a: Attempt, connectionId: string): Promise<number | '401' | 'Deny'> => {
  const context = await authorize(a);
  if (typeof context === 'string') return context;
  const result = (await h.handlers.connect(
    {
      headers: { 'X-Ocpp-Authorization': basic(a.user ?? a.id, a.password), 'Sec-WebSocket-Protocol': 'ocpp1.6' },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId, connectedAt: Date.now(), authorizer: context },
    },
    lambdaContext('OcppConnect'),
  )) as { statusCode: number };
  return result.statusCode;
};

const newCharger = async (chargerId: string, extra: Omit<Parameters<typeof createCharger>[1], 'chargerId'> = {}) => {
  const created = await createCharger(h.deps, { chargerId, ...extra });
  if (!created.created) throw new Error(`setup: ${chargerId}`);
  return created.password;
};

describe('password hashes (item 1)', () => {
  it('MACs a generated password under the pepper and scrypts a chosen one; both let the charger in', async () => {
    const generated = await newCharger('HASH-GEN');
    const chosen = await newCharger('HASH-CHOSEN', { password: 'a-password-the-operator-chose' });
    const stored = await h.deps.stores.chargers.getWithSecret('HASH-GEN');
    expect(stored?.passwordHash).toMatch(/^hmac-sha256\$/);
    expect((await h.deps.stores.chargers.getWithSecret('HASH-CHOSEN'))?.passwordHash).toMatch(/^scrypt\$/);
    expect(await authorize({ id: 'HASH-GEN', password: generated })).toMatchObject({ chargeBoxId: 'HASH-GEN' });
    expect(await authorize({ id: 'HASH-CHOSEN', password: chosen })).toMatchObject({ chargeBoxId: 'HASH-CHOSEN' });
    expect(await authorize({ id: 'HASH-GEN', password: `${generated.slice(1)}x` })).toBe('401');
  });

  it('still lets in a charger whose profile holds an scrypt hash from before (no credentials item)', async () => {
    const password = 'an-old-generated-password-123456';
    await makeDocumentClient(process.env).send(
      new PutCommand({
        TableName: h.tables.names.Csms,
        Item: {
          ...chargerKey('legacy-1'), type: 'Charger', chargerId: 'legacy-1', registrationStatus: 'accepted', securityProfile: 2,
          createdAt: '2025-01-01T00:00:00.000Z', passwordHash: await hashPassword(password, 'chosen'),
        },
      }),
    );
    expect(await authorize({ id: 'legacy-1', password })).toMatchObject({ chargeBoxId: 'legacy-1', registration: 'accepted' });
    // Rotating moves it to the new layout: the hash leaves the profile for its own item.
    const rotated = await rotatePassword(h.deps, 'legacy-1');
    expect(await authorize({ id: 'legacy-1', password })).toBe('401');
    expect(await authorize({ id: 'legacy-1', password: rotated?.password ?? '' })).toMatchObject({ chargeBoxId: 'legacy-1' });
    const profileItem = (await h.scanCsms()).find((i) => i.pk === chargerKey('legacy-1').pk && i.sk === 'CHARGER');
    expect(profileItem).not.toHaveProperty('passwordHash');
  });
});

describe('1.6 AuthorizationKey (security whitepaper: the password as hex digits)', () => {
  const hex = (password: string) => Buffer.from(password).toString('hex');

  it('lets in a 1.6 charger that sends the hex digits themselves (tolerated), never a 2.x one', async () => {
    const password = await newCharger('HEX-1');
    expect(await authorize({ id: 'HEX-1', password: hex(password) })).toMatchObject({ chargeBoxId: 'HEX-1' });
    expect(await authorize({ id: 'HEX-1', password: hex(password), protocols: 'ocpp2.0.1' })).toBe('401');
    expect(await authorize({ id: 'HEX-1', password: hex(`${password.slice(1)}x`) })).toBe('401');
  });

  it('promotes the next password sent as hex digits, and still refuses a rejected charger', async () => {
    await newCharger('HEX-2');
    const next = 'the-next-password-20';
    await h.deps.stores.chargers.setNextPasswordHash('HEX-2', await hashPassword(next, 'chosen'), new Date());
    expect(await authorize({ id: 'HEX-2', password: hex(next) })).toMatchObject({ chargeBoxId: 'HEX-2', promotesPassword: 'true' });
    await setRegistration(h.deps, 'HEX-2', 'rejected');
    expect(await authorize({ id: 'HEX-2', password: hex(next) })).toBe('Deny');
  });

  it('checks a binary key (not UTF-8) as the bytes it stands for, as a charger sends them', async () => {
    const key = 'c3a9ff00' + '11'.repeat(12); // 16 bytes, not UTF-8
    await newCharger('HEX-3', { password: passwordOfAuthorizationKey(key) });
    expect(await authorize({ id: 'HEX-3', password: '', passwordBytes: Buffer.from(key, 'hex') })).toMatchObject({ chargeBoxId: 'HEX-3' });
    expect(await authorize({ id: 'HEX-3', password: key })).toMatchObject({ chargeBoxId: 'HEX-3' });
  });

  it('takes enrolment codes of 20 characters and those of 32 made before', async () => {
    const { code } = await createEnrolmentCode(h.deps, 1, 'hex');
    expect(code).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await connect({ id: 'ENROL-HEX-20', password: code }, 'c-enrol-20')).toBe(200);
    const older = generatePassword();
    await h.deps.stores.enrolments.create(secretMac({ passwordPepper: PASSWORD_PEPPER }, older), { createdAt: new Date().toISOString(), expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    expect(await connect({ id: 'ENROL-HEX-32', password: older }, 'c-enrol-32')).toBe(200);
  });

  it('takes an enrolment code a 1.6 charger sends as hex digits, and keeps the code as its password', async () => {
    const { code } = await createEnrolmentCode(h.deps, 1, 'hex-sent');
    expect(await connect({ id: 'ENROL-HEX-2X', password: hex(code), protocols: 'ocpp2.0.1' }, 'c-enrol-2x')).toBe('401');
    expect(await connect({ id: 'ENROL-HEX-16', password: hex(code) }, 'c-enrol-16')).toBe(200);
    expect(await authorize({ id: 'ENROL-HEX-16', password: code })).toMatchObject({ registration: 'pending' });
    expect(await authorize({ id: 'ENROL-HEX-16', password: hex(code) })).toMatchObject({ registration: 'pending' });
  });
});

describe('credentials apart from the profile (item 13)', () => {
  it('keeps the hash only in a ChargerCredentials item, never in the profile the stream routes may read', async () => {
    await newCharger('CRED-1');
    const items = (await h.scanCsms()).filter((i) => i.pk === chargerKey('CRED-1').pk);
    const profile = items.find((i) => i.sk === chargerKey('CRED-1').sk);
    const credentials = items.find((i) => i.sk === credentialsKey('CRED-1').sk);
    expect(profile).toMatchObject({ type: 'Charger' });
    expect(profile).not.toHaveProperty('passwordHash');
    expect(credentials).toMatchObject({ type: 'ChargerCredentials', passwordHash: expect.stringMatching(/^hmac-sha256\$/) });
  });
});

describe('auto-registration (item 2)', () => {
  it('refuses a squatter: an unknown id that is not on the allow-list and presents no enrolment code', async () => {
    expect(await connect({ id: 'REAL-SERIAL-0042', password: 'the-squatters-own-password' }, 'c-squat')).toBe('401');
    expect(await h.deps.stores.chargers.get('REAL-SERIAL-0042')).toBeUndefined();
  });

  it('registers an allow-listed id as pending (any case), over wss:// only, expiring', async () => {
    expect(await connect({ id: 'ALLOWED-1', password: 'chosen-by-the-charger-1', proto: 'http' }, 'c-al-http')).toBe('Deny');
    expect(await connect({ id: 'Lab-7', password: 'chosen-by-the-charger-1' }, 'c-lab')).toBe(200);
    expect(await connect({ id: 'allowed-1', password: 'chosen-by-the-charger-1' }, 'c-al')).toBe(200);
    const profile = await h.deps.stores.chargers.get('ALLOWED-1');
    expect(profile).toMatchObject({ chargerId: 'allowed-1', registrationStatus: 'pending', autoRegistered: true, securityProfile: 2 });
    expect(profile?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 71 * 3600);
  });

  it('registers any id presenting an unused enrolment code, once', async () => {
    const { code } = await createEnrolmentCode(h.deps, 1, 'bench');
    expect(await connect({ id: 'ENROL-A', password: code }, 'c-enrol-a')).toBe(200);
    expect(await h.deps.stores.chargers.get('ENROL-A')).toMatchObject({ registrationStatus: 'pending' });
    expect((await h.deps.stores.chargers.getWithSecret('ENROL-A'))?.passwordHash).toMatch(/^hmac-sha256\$/);
    // Used up: a second charger cannot register with it; the first keeps it as its password until acceptance.
    expect(await connect({ id: 'ENROL-B', password: code }, 'c-enrol-b')).toBe('401');
    expect(await authorize({ id: 'ENROL-A', password: code })).toMatchObject({ registration: 'pending' });
  });

  it('refuses beyond the cap of pending chargers', async () => {
    const pending = await h.deps.stores.chargers.countPendingAutoRegistered(1000);
    const input = { chargerId: 'ALLOWED-CAP', connectionId: 'c-cap', protocol: 'ocpp1.6' as const, connectedAt: Date.now(), register: true, authorization: basic('ALLOWED-CAP', 'chosen-by-the-charger-2') };
    const closer = { close: async () => undefined };
    expect(await openConnection(h.deps, closer, input, { maxPending: pending, pendingHours: 1 })).toMatchObject({ opened: false, reason: expect.stringMatching(/pending already/) });
    expect(await openConnection(h.deps, closer, input, { maxPending: pending + 1, pendingHours: 1 })).toMatchObject({ opened: true });
  });

  it('forgets a pending auto-registered charger after its expiry: its id registers afresh', async () => {
    await createCharger(h.deps, { chargerId: 'ALLOWED-OLD', registrationStatus: 'pending', autoRegistered: true, password: 'squatted-long-ago-1', expiresAt: Math.floor(Date.now() / 1000) - 1 });
    expect(await authorize({ id: 'ALLOWED-OLD', password: 'squatted-long-ago-1' })).toMatchObject({ register: 'true' });
    expect(await connect({ id: 'ALLOWED-OLD', password: 'the-real-chargers-pass' }, 'c-old')).toBe(200);
    expect(await authorize({ id: 'ALLOWED-OLD', password: 'the-real-chargers-pass' })).toMatchObject({ registration: 'pending', register: 'false' });
  });

  it("replaces the charger's own password on acceptance, so a squatter's does not survive it", async () => {
    expect(await connect({ id: 'ALLOWED-SQ', password: 'squatter-chosen-pass' }, 'c-sq')).toBe(200);
    const change = await setRegistration(h.deps, 'allowed-sq', 'accepted');
    const password = typeof change === 'string' ? '' : (change.password ?? '');
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await authorize({ id: 'ALLOWED-SQ', password: 'squatter-chosen-pass' })).toBe('401');
    expect(await authorize({ id: 'ALLOWED-SQ', password })).toMatchObject({ registration: 'accepted' });
    expect((await h.deps.stores.chargers.get('ALLOWED-SQ'))?.expiresAt).toBeUndefined();
  });
});

describe('registration at connect (items 2 and 7)', () => {
  it('refuses a rejected charger, even with the right password', async () => {
    const password = await newCharger('REJ-1', { registrationStatus: 'rejected' });
    expect(await authorize({ id: 'REJ-1', password })).toBe('Deny');
  });

  it('refuses a profile 2 charger whose request does not say it came over https; lets a profile 1 charger in', async () => {
    const p2 = await newCharger('PROTO-2');
    const p1 = await newCharger('PROTO-1', { securityProfile: 1 });
    expect(await authorize({ id: 'PROTO-2', password: p2, proto: null })).toBe('Deny');
    expect(await authorize({ id: 'PROTO-2', password: p2, proto: 'http' })).toBe('Deny');
    expect(await authorize({ id: 'PROTO-2', password: p2 })).toMatchObject({ chargeBoxId: 'PROTO-2' });
    expect(await authorize({ id: 'PROTO-1', password: p1, proto: null })).toMatchObject({ chargeBoxId: 'PROTO-1' });
  });
});

describe('case-insensitive ids (item 9)', () => {
  it('treats CP-Case and cp-case as one charger, keeping the registered case', async () => {
    const password = await newCharger('CP-Case');
    expect(await createCharger(h.deps, { chargerId: 'cp-CASE' })).toEqual({ created: false, reason: 'exists' });
    expect(await authorize({ id: 'cp-case', user: 'CP-CASE', password })).toMatchObject({ chargeBoxId: 'CP-Case' });
    expect((await h.deps.stores.chargers.get('CP-CASE'))?.chargerId).toBe('CP-Case');
  });

  it('refuses ids made only of dots', async () => {
    expect(await createCharger(h.deps, { chargerId: '..' })).toEqual({ created: false, reason: 'invalid-id' });
    expect(await authorize({ id: '...', password: 'whatever-password-1' })).toBe('Deny');
  });
});

describe('what a pending charger may send (item 2)', () => {
  it('answers BootNotification and Heartbeat, and SecurityError to MeterValues and the rest, storing nothing', async () => {
    await newCharger('PEND-1', { registrationStatus: 'pending' });
    const call = (action: string, payload: unknown, protocol: 'ocpp1.6' | 'ocpp2.0.1' = 'ocpp1.6') => h.call('PEND-1', protocol, action, payload, 'pending');
    expect((await call('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1' }))[2]).toMatchObject({ status: 'Pending' });
    expect((await call('Heartbeat', {}))[0]).toBe(3);
    const sample = [{ timestamp: '2026-01-01T00:00:00Z', sampledValue: [{ value: '10' }] }];
    expect((await call('MeterValues', { connectorId: 1, meterValue: sample })).slice(2, 3)).toEqual(['SecurityError']);
    expect((await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' })).slice(2, 3)).toEqual(['SecurityError']);
    const v2Sample = [{ timestamp: '2026-01-01T00:00:00Z', sampledValue: [{ value: 10 }] }];
    expect((await call('MeterValues', { evseId: 1, meterValue: v2Sample }, 'ocpp2.0.1')).slice(2, 3)).toEqual(['SecurityError']);
    expect(await h.deps.stores.meterValues.listOfCharger('PEND-1', '2000', '3000')).toHaveLength(0);
    expect(await h.deps.stores.connectors.list('PEND-1')).toHaveLength(0);
  });

  it('answers a pending 2.x charger SecurityError to an untriggered Heartbeat (2.0.1 B02.FR.09, B03.FR.07)', async () => {
    await newCharger('PEND-3', { registrationStatus: 'pending' });
    const call = (protocol: 'ocpp2.0.1' | 'ocpp2.1', action: string, payload: unknown) => h.call('PEND-3', protocol, action, payload, 'pending');
    const boot = { reason: 'PowerUp', chargingStation: { model: 'X2', vendorName: 'ACME' } };
    expect((await call('ocpp2.0.1', 'BootNotification', boot))[2]).toMatchObject({ status: 'Pending' });
    // Unlike 1.6, which states no CSMS rule, 2.x excepts only BootNotification and what the CSMS triggered.
    expect((await call('ocpp2.0.1', 'Heartbeat', {})).slice(0, 3)).toEqual([4, expect.any(String), 'SecurityError']);
    expect((await call('ocpp2.1', 'Heartbeat', {})).slice(0, 3)).toEqual([4, expect.any(String), 'SecurityError']);
  });

  it('takes from a pending charger what TriggerMessage or GetBaseReport asked for, and nothing else (2.0.1 B02.FR.09)', async () => {
    await newCharger('PEND-4', { registrationStatus: 'pending' });
    const command = (action: string, payload: unknown, result: unknown) =>
      answeredCommand(h, { chargerId: 'PEND-4', protocol: 'ocpp2.0.1', action, payload }, result);
    const call = (action: string, payload: unknown) => h.call('PEND-4', 'ocpp2.0.1', action, payload, 'pending');
    const status = { timestamp: '2026-01-01T00:00:00Z', connectorStatus: 'Available', evseId: 1, connectorId: 1 };
    const report = (requestId: number) => ({ requestId, generatedAt: '2026-01-01T00:00:00Z', seqNo: 0 });
    expect((await call('StatusNotification', status))[2]).toBe('SecurityError');

    await command('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } }, { status: 'Accepted' });
    expect((await call('StatusNotification', status))[0]).toBe(3);
    await command('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' }, { status: 'Accepted' });
    expect((await call('SignCertificate', { csr: 'CSR-PEND-4' }))[0]).toBe(3);
    // A refused trigger asks for nothing; neither does a report of another request.
    await command('TriggerMessage', { requestedMessage: 'MeterValues' }, { status: 'Rejected' });
    expect((await call('MeterValues', { evseId: 1, meterValue: [{ timestamp: '2026-01-01T00:00:00Z', sampledValue: [{ value: 1 }] }] }))[2]).toBe('SecurityError');
    await command('GetBaseReport', { requestId: 41, reportBase: 'FullInventory' }, { status: 'Accepted' });
    expect((await call('NotifyReport', report(41)))[0]).toBe(3);
    expect((await call('NotifyReport', report(42)))[2]).toBe('SecurityError');
    expect((await call('Heartbeat', {}))[2]).toBe('SecurityError');
  });

  it('answers a pending charger SecurityError for actions it could not send accepted either (2.0.1 B02.FR.09)', async () => {
    await newCharger('PEND-5', { registrationStatus: 'pending' });
    const call = (action: string, payload: unknown) => h.call('PEND-5', 'ocpp2.0.1', action, payload, 'pending');
    // Any CALL but BootNotification: one we do not support, one 2.0.1 does not know.
    expect((await call('Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: 'AA==' }))[2]).toBe('SecurityError');
    expect((await call('NoSuchAction', {}))[2]).toBe('SecurityError');
  });

  it('decides from the authorizer context without reading the profile, and reads it for a context without one', async () => {
    await newCharger('PEND-2', { registrationStatus: 'pending' });
    // The context says accepted: no read, the message goes through (the context is never stale: a change closes it).
    expect((await h.call('PEND-2', 'ocpp1.6', 'MeterValues', { connectorId: 1, meterValue: [] }, 'accepted'))[0]).toBe(3);
    // A connection from before the context carried the registration: the profile is read.
    expect((await h.call('PEND-2', 'ocpp1.6', 'MeterValues', { connectorId: 1, meterValue: [] }))[2]).toBe('SecurityError');
  });
});

describe('a changed registration or password closes the live connection (item 11)', () => {
  const closer = () => connectionCloser(process.env.WS_MANAGEMENT_ENDPOINT ?? '');

  it('closes it on reject, on accept and on a new password', async () => {
    const password = await newCharger('LIVE-1');
    expect(await connect({ id: 'LIVE-1', password }, 'c-live-1')).toBe(200);
    await setRegistration(h.deps, 'live-1', 'rejected', { closer: closer() });
    expect(h.closedConnections).toContain('c-live-1');

    await setRegistration(h.deps, 'LIVE-1', 'accepted');
    const accepted = await newCharger('LIVE-2');
    expect(await connect({ id: 'LIVE-2', password: accepted }, 'c-live-2')).toBe(200);
    const rotated = await rotatePassword(h.deps, 'LIVE-2', closer());
    expect(rotated?.closedConnectionId).toBe('c-live-2');
    expect(h.closedConnections).toContain('c-live-2');
  });
});
