import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext, ORIGIN_SECRET, startHarness, type Harness } from '../../support/handler-harness.ts';
import { createCharger } from '#shared/charger/registry.ts';

let h: Harness;
let password = '';

beforeAll(async () => {
  h = await startHarness({ AUTO_REGISTER: 'true', AUTO_REGISTER_ALLOW: 'CP-NEW' });
  const created = await createCharger(h.deps, { chargerId: 'CP-AUTH' });
  if (!created.created) throw new Error('setup');
  password = created.password;
});
afterAll(async () => h?.close());

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

const authorizerEvent = (o: { id?: string; auth?: string; secret?: string; protocols?: string }) => ({
  type: 'REQUEST',
  methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/local/$connect',
  headers: {
    ...(o.auth ? { 'X-Ocpp-Authorization': o.auth } : {}),
    ...(o.secret !== undefined ? { 'X-Origin-Verify': o.secret } : { 'X-Origin-Verify': ORIGIN_SECRET }),
    ...(o.protocols ? { 'Sec-WebSocket-Protocol': o.protocols } : {}),
    'CloudFront-Forwarded-Proto': 'https',
  },
  queryStringParameters: o.id ? { chargeBoxId: o.id } : null,
  requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'c-auth' },
});

type Policy = { principalId: string; policyDocument: { Statement: { Effect: string }[] }; context?: Record<string, string> };
const authorize = (o: Parameters<typeof authorizerEvent>[0]) =>
  h.handlers.authorize(authorizerEvent(o), lambdaContext('OcppAuthorizer')) as Promise<Policy>;

describe('the $connect authorizer', () => {
  it('allows the right password and picks the highest protocol offered', async () => {
    const result = await authorize({ id: 'CP-AUTH', auth: basic('CP-AUTH', password), protocols: 'ocpp1.6, ocpp2.0.1' });
    expect(result.policyDocument.Statement[0]?.Effect).toBe('Allow');
    expect(result.context).toEqual({
      chargeBoxId: 'CP-AUTH', protocol: 'ocpp2.0.1', echoProtocol: 'true', register: 'false', enrolment: 'false', registration: 'accepted',
    });
  });
  it('answers 401 (Unauthorized) for a wrong password, a wrong username and no credentials', async () => {
    await expect(authorize({ id: 'CP-AUTH', auth: basic('CP-AUTH', 'wrong'), protocols: 'ocpp1.6' })).rejects.toThrow('Unauthorized');
    await expect(authorize({ id: 'CP-AUTH', auth: basic('CP-OTHER', password), protocols: 'ocpp1.6' })).rejects.toThrow('Unauthorized');
    await expect(authorize({ id: 'CP-AUTH', protocols: 'ocpp1.6' })).rejects.toThrow('Unauthorized');
  });
  it('denies requests that did not come through CloudFront', async () => {
    const result = await authorize({ id: 'CP-AUTH', auth: basic('CP-AUTH', password), secret: 'guess', protocols: 'ocpp1.6' });
    expect(result.policyDocument.Statement[0]?.Effect).toBe('Deny');
  });
  it('lets an unknown charger in for auto-registration, and $connect creates it pending with its password', async () => {
    const result = await authorize({ id: 'CP-NEW', auth: basic('CP-NEW', 'first-password-123'), protocols: 'ocpp1.6' });
    expect(result.context).toMatchObject({ register: 'true', protocol: 'ocpp1.6' });
    const connected = (await h.handlers.connect(
      {
        headers: { 'X-Ocpp-Authorization': basic('CP-NEW', 'first-password-123'), 'Sec-WebSocket-Protocol': 'ocpp1.6' },
        requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'c-new', connectedAt: Date.now(), authorizer: result.context },
      },
      lambdaContext('OcppConnect'),
    )) as { statusCode: number };
    expect(connected.statusCode).toBe(200);
    expect(await h.deps.stores.chargers.getWithSecret('CP-NEW')).toMatchObject({ registrationStatus: 'pending', autoRegistered: true });
    // From now on the password it first used is the one it must use.
    await expect(authorize({ id: 'CP-NEW', auth: basic('CP-NEW', 'another-password'), protocols: 'ocpp1.6' })).rejects.toThrow('Unauthorized');
  });
});

const connect = async (connectionId: string, connectedAt: number, protocol = 'ocpp1.6', echo = 'true') =>
  (await h.handlers.connect(
    {
      headers: {},
      requestContext: {
        routeKey: '$connect',
        eventType: 'CONNECT',
        connectionId,
        connectedAt,
        identity: { sourceIp: '192.0.2.10' },
        authorizer: { chargeBoxId: 'CP-AUTH', protocol, echoProtocol: echo, register: 'false' },
      },
    },
    lambdaContext('OcppConnect'),
  )) as { statusCode: number; headers?: Record<string, string> };

const disconnect = (connectionId: string) =>
  h.handlers.disconnect(
    {
      requestContext: {
        routeKey: '$disconnect',
        eventType: 'DISCONNECT',
        connectionId,
        authorizer: { chargeBoxId: 'CP-AUTH', protocol: 'ocpp1.6', echoProtocol: 'true', register: 'false' },
      },
    },
    lambdaContext('OcppDisconnect'),
  );

describe('$connect and $disconnect', () => {
  it('echoes the negotiated subprotocol, or none when the charger offered none', async () => {
    expect((await connect('c-1', 1000)).headers).toEqual({ 'Sec-WebSocket-Protocol': 'ocpp1.6' });
    expect((await connect('c-1', 1000, 'ocpp1.6', 'false')).headers).toBeUndefined();
  });
  it('echoes the subprotocol spelled as the charger offered it, which it chose in any case', async () => {
    const created = await createCharger(h.deps, { chargerId: 'CP-CASE' });
    if (!created.created) throw new Error('setup');
    const chosen = await authorize({ id: 'CP-CASE', auth: basic('CP-CASE', created.password), protocols: 'OCPP1.6' });
    expect(chosen.context).toMatchObject({ protocol: 'ocpp1.6', echoProtocol: 'true' });
    const connected = (await h.handlers.connect(
      {
        headers: { 'Sec-WebSocket-Protocol': 'OCPP1.6' },
        requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'c-case', connectedAt: 500, authorizer: chosen.context },
      },
      lambdaContext('OcppConnect'),
    )) as { statusCode: number; headers?: Record<string, string> };
    // A client fails the handshake when the echo is not one of the tokens it offered (RFC 6455 §4.1).
    expect(connected).toMatchObject({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'OCPP1.6' } });
  });
  it('refuses a connection with no protocol it can speak', async () => {
    expect((await connect('c-0', 1000, '')).statusCode).toBe(400);
  });
  it('replaces the older connection: closes it, and its late $disconnect leaves the new one online', async () => {
    await connect('c-1', 1000);
    expect(await h.deps.stores.presence.get('CP-AUTH')).toMatchObject({ connected: true, connectionId: 'c-1', sourceIp: '192.0.2.10' });
    await connect('c-2', 2000);
    expect(h.closedConnections).toContain('c-1');
    await disconnect('c-1');
    expect(await h.deps.stores.presence.get('CP-AUTH')).toMatchObject({ connected: true, connectionId: 'c-2' });
    // One item per charger holds its connection: no connection-id items pile up.
    expect((await h.scanCsms()).filter((i) => String(i.pk).startsWith('CONNECTION#'))).toEqual([]);
  });
  it('refuses a connection older than the registered one', async () => {
    expect((await connect('c-old', 1500)).statusCode).toBe(409);
    expect(await h.deps.stores.presence.get('CP-AUTH')).toMatchObject({ connectionId: 'c-2' });
  });
  it('marks the charger offline when its current connection goes', async () => {
    await disconnect('c-2');
    const presence = await h.deps.stores.presence.get('CP-AUTH');
    expect(presence).toMatchObject({ connected: false });
    expect(presence?.connectionId).toBeUndefined();
  });
});
