/**
 * Operators authenticate locally exactly as on AWS: the Cognito stand-in through the real SDK and token endpoint,
 * the REST host checking tokens as API Gateway's Cognito authorizer does (a refused call never reaches the
 * handler), the admin-only users routes with real tokens per role, and the CLI's user and client commands against
 * the started runtime.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  InvalidPasswordException,
  NotAuthorizedException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt, importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalOf } from '#functions/_routes/http-auth.ts';
import type { RouteDef } from '#functions/routes.ts';
import type { LocalRuntime } from '../../../bin/local/runtime.ts';
import { createTestTables, deleteTestTables, type TestTables } from '../../support/dynamo.ts';
import { foreignToken, machineToken, poolClient, signIn } from '../../support/operator-tokens.ts';
import { fixtureRoutes, loadRealApi, startFixtureRuntime } from './fixtures/host.ts';
import { invocations } from './fixtures/recorder.ts';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;
// This file's runtime only, so the CLI finds it alone.
const runtimesDir = mkdtempSync(join(tmpdir(), 'ov2x-auth-runtimes-'));
const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-auth-data-'));
process.env.LOCAL_RUNTIMES_DIR = runtimesDir;

/** Echo routes: what a handler receives from the authorizer. */
const echoRoutes: RouteDef[] = [
  { kind: 'http', id: 'EchoRead', method: 'GET', path: '/echo', auth: { type: 'jwt', roles: ['admin', 'operator', 'viewer'] }, entry: 'kinds/http.ts', access: {} },
  { kind: 'http', id: 'EchoWrite', method: 'POST', path: '/echo', auth: { type: 'jwt', roles: ['admin', 'operator'] }, entry: 'kinds/http.ts', access: {} },
  { kind: 'http', id: 'EchoAdmin', method: 'DELETE', path: '/echo', auth: { type: 'jwt', roles: ['admin'] }, entry: 'kinds/http.ts', access: {} },
];

let db: TestTables;
let runtime: LocalRuntime;
let sdk: CognitoIdentityProviderClient;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
  db = await createTestTables();
  runtime = await startFixtureRuntime(db, { routes: [...fixtureRoutes, ...echoRoutes], dataDir, loadModule: loadRealApi });
  sdk = poolClient(runtime.userPool);
});

afterAll(async () => {
  sdk?.destroy();
  await runtime?.stop();
  if (db) await deleteTestTables(db);
  rmSync(runtimesDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

const call = async (method: string, path: string, o: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
  const res = await fetch(`${runtime.restUrl}${path}`, {
    method,
    headers: { ...(o.token ? { Authorization: o.token } : {}), 'content-type': 'application/json', ...o.headers },
    ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as any) : undefined };
};

/** A token with the stand-in's own key and kid (kept in the data directory), for claims it would never issue. */
const signedByPool = async (claims: Record<string, unknown>): Promise<string> => {
  const jwk = JSON.parse(readFileSync(join(dataDir, 'cognito', 'signing-key.json'), 'utf8')) as JWK;
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid! }).sign(await importJWK(jwk, 'RS256'));
};

describe('the Cognito stand-in, through the real SDK', () => {
  const pool = () => runtime.userPool;

  it('creates users, refuses a taken name and a weak password with the exceptions Cognito raises', async () => {
    await sdk.send(new AdminCreateUserCommand({ UserPoolId: pool().id, Username: 'sdk-user', MessageAction: 'SUPPRESS' }));
    await expect(sdk.send(new AdminCreateUserCommand({ UserPoolId: pool().id, Username: 'SDK-User', MessageAction: 'SUPPRESS' }))).rejects.toBeInstanceOf(
      UsernameExistsException,
    );
    await expect(sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: pool().id, Username: 'sdk-user', Password: 'short', Permanent: true }))).rejects.toBeInstanceOf(
      InvalidPasswordException,
    );
    const stored = readFileSync(join(dataDir, 'cognito', 'pool.json'), 'utf8');
    expect(stored).toContain('sdk-user');
  });

  it('signs in with the password, refuses a wrong one, and refreshes keeping the sign-in', async () => {
    const me = await signIn(pool(), 'sdk-signin', ['operator']);
    expect(JSON.stringify(readFileSync(join(dataDir, 'cognito', 'pool.json'), 'utf8'))).not.toContain(me.password);
    await expect(
      sdk.send(new InitiateAuthCommand({ ClientId: pool().peopleClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'sdk-signin', PASSWORD: `${me.password}x` } })),
    ).rejects.toBeInstanceOf(NotAuthorizedException);
    const refreshed = await sdk.send(
      new InitiateAuthCommand({ ClientId: pool().peopleClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: me.refreshToken } }),
    );
    const before = decodeJwt(me.accessToken);
    const after = decodeJwt(refreshed.AuthenticationResult!.AccessToken!);
    expect(refreshed.AuthenticationResult).toMatchObject({ ExpiresIn: 3600, TokenType: 'Bearer' });
    expect(after).toMatchObject({ sub: before.sub, origin_jti: before.origin_jti, auth_time: before.auth_time, 'cognito:groups': ['operator'], token_use: 'access' });
    expect(after.jti).not.toBe(before.jti);
    expect(after.exp! - after.iat!).toBe(3600);
    await expect(
      sdk.send(new InitiateAuthCommand({ ClientId: pool().peopleClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: 'forged' } })),
    ).rejects.toBeInstanceOf(NotAuthorizedException);
  });

  it('issues ID tokens and machine tokens with Cognito’s claims', async () => {
    const me = await signIn(pool(), 'sdk-claims', ['viewer']);
    expect(decodeJwt(me.idToken)).toMatchObject({ token_use: 'id', aud: pool().peopleClientId, 'cognito:username': 'sdk-claims', 'cognito:groups': ['viewer'], iss: pool().issuer });
    const machine = decodeJwt(await machineToken(pool(), ['csms/read', 'csms/write'], ['csms/read']));
    expect(machine).toMatchObject({ token_use: 'access', scope: 'csms/read', iss: pool().issuer });
    expect(machine.sub).toBe(machine.client_id);
    expect(machine).not.toHaveProperty('username');
  });
});

describe('the REST host, as the Cognito authorizer', () => {
  const echoed = () => invocations.filter((i) => i.route === 'http').length;

  it('hands a person’s claims to the handler as strings, as a REST API does', async () => {
    const { accessToken } = await signIn(runtime.userPool, 'echo-viewer', ['viewer']);
    const { status, json } = await call('GET', '/echo', { token: `Bearer ${accessToken}` });
    expect(status).toBe(200);
    const claims = json.requestContext.authorizer.claims;
    expect(claims).toMatchObject({ username: 'echo-viewer', 'cognito:groups': 'viewer', token_use: 'access', scope: 'aws.cognito.signin.user.admin', iss: runtime.userPool.issuer });
    expect(claims.exp).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    expect(claims.auth_time).toMatch(/^\d+$/);
    expect(Object.values(claims).every((v) => typeof v === 'string')).toBe(true);
    expect(principalOf(claims)).toMatchObject({ kind: 'person', username: 'echo-viewer', roles: ['viewer'] });
    // The raw token, without `Bearer `, works too.
    expect((await call('GET', '/echo', { token: accessToken })).status).toBe(200);
  });

  it('admits machine tokens by scope: read routes with csms/read, write routes with csms/write', async () => {
    const read = await machineToken(runtime.userPool, ['csms/read']);
    const write = await machineToken(runtime.userPool, ['csms/write']);
    expect((await call('GET', '/echo', { token: read })).status).toBe(200);
    expect((await call('POST', '/echo', { token: write })).status).toBe(200);
  });

  it.each([
    ['no token', async (): Promise<string | undefined> => undefined],
    ['an expired token', async () => signedByPool({ sub: 's', username: 'x', token_use: 'access', scope: 'aws.cognito.signin.user.admin', iss: runtime.userPool.issuer, iat: 1, exp: 1000 })],
    [
      'a tampered token',
      async () => {
        const { accessToken } = await signIn(runtime.userPool, 'tamper', ['viewer']);
        const [head, , sig] = accessToken.split('.');
        const body = Buffer.from(JSON.stringify({ ...decodeJwt(accessToken), 'cognito:groups': ['admin'] })).toString('base64url');
        return `${head}.${body}.${sig}`;
      },
    ],
    ['a token of another issuer and key', async () => foreignToken('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other')],
    ['a token of another issuer, signed with the pool’s key', async () => signedByPool({ sub: 's', username: 'x', token_use: 'access', scope: 'aws.cognito.signin.user.admin', iss: 'http://elsewhere/pool', exp: Math.floor(Date.now() / 1000) + 600 })],
    ['an ID token', async () => (await signIn(runtime.userPool, 'id-token-user', ['admin'])).idToken],
    ['garbage', async (): Promise<string | undefined> => 'Bearer not.a.jwt'],
  ] as [string, () => Promise<string | undefined>][])('answers 401 Unauthorized for %s, and the handler never runs', async (_what, make) => {
    const token = await make();
    const before = echoed();
    const res = await call('POST', '/echo', token ? { token } : {});
    expect(res).toMatchObject({ status: 401, json: { title: 'Unauthorized', detail: 'Unauthorized' } });
    expect(echoed()).toBe(before);
  });

  it('answers 403 for a valid access token without an admitted scope (csms/read on a write route; any machine token on an admin-only one)', async () => {
    const before = echoed();
    const forbidden = { status: 403, json: { title: 'Forbidden', detail: 'User is not authorized to access this resource' } };
    expect(await call('POST', '/echo', { token: await machineToken(runtime.userPool, ['csms/read']) })).toMatchObject(forbidden);
    expect(await call('DELETE', '/echo', { token: await machineToken(runtime.userPool, ['csms/read', 'csms/write']) })).toMatchObject(forbidden);
    expect(echoed()).toBe(before);
  });
});

describe('the users routes', () => {
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    for (const role of ['admin', 'operator', 'viewer'] as const) tokens[role] = (await signIn(runtime.userPool, `route-${role}`, [role])).accessToken;
  });

  it('lets an admin add a user (password once, replay without it), read, list, change the role and remove them', async () => {
    const add = { token: tokens.admin!, body: { username: 'carol', role: 'viewer', email: 'carol@example.com' }, headers: { 'Idempotency-Key': 'add-carol-1' } };
    const created = await call('POST', '/users', add);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/users/carol');
    expect(created.json).toMatchObject({ username: 'carol', role: 'viewer', email: 'carol@example.com', status: 'CONFIRMED' });
    expect(created.json.password).toMatch(/^.{24}$/);
    const replay = await call('POST', '/users', add);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.json).not.toHaveProperty('password');
    expect((await call('POST', '/users', { ...add, headers: {} })).status).toBe(409);
    // The password works.
    const signedIn = await sdk.send(
      new InitiateAuthCommand({ ClientId: runtime.userPool.peopleClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'carol', PASSWORD: created.json.password } }),
    );
    expect(decodeJwt(signedIn.AuthenticationResult!.AccessToken!)['cognito:groups']).toEqual(['viewer']);

    const one = await call('GET', '/users/carol', { token: tokens.admin! });
    expect(one).toMatchObject({ status: 200, json: { username: 'carol', role: 'viewer' } });
    expect(one.headers.get('etag')).toBeTruthy();
    expect(await call('PUT', '/users/carol/role', { token: tokens.admin!, body: { role: 'operator' } })).toMatchObject({ status: 200, json: { role: 'operator' } });
    const operators = await call('GET', '/users?role=operator', { token: tokens.admin! });
    expect(operators.json.items.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(['carol', 'route-operator']));
    expect((await call('DELETE', '/users/carol', { token: tokens.admin! })).status).toBe(204);
    expect((await call('GET', '/users/carol', { token: tokens.admin! })).status).toBe(404);
    expect((await call('DELETE', '/users/carol', { token: tokens.admin! })).status).toBe(404);
  });

  it('pages through every user with opaque cursors and refuses a forged one', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: tokens.admin! });
      expect(page.status).toBe(200);
      expect(page.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.items.map((u: { username: string }) => u.username));
      cursor = page.json.cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['route-admin', 'route-operator', 'route-viewer']));
    expect((await call('GET', '/users?cursor=garbage', { token: tokens.admin! })).status).toBe(400);
  });

  it('refuses bad input naming the field, and an admin removing or demoting themselves', async () => {
    const bad = await call('POST', '/users', { token: tokens.admin!, body: { username: 'dave', role: 'root' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('role');
    expect((await call('DELETE', '/users/route-admin', { token: tokens.admin! })).status).toBe(409);
    expect((await call('PUT', '/users/ROUTE-ADMIN/role', { token: tokens.admin!, body: { role: 'viewer' } })).status).toBe(409);
  });

  it.each(['operator', 'viewer'])('forbids every users route to an %s (403)', async (role) => {
    const token = tokens[role]!;
    expect((await call('GET', '/users', { token })).status).toBe(403);
    expect((await call('POST', '/users', { token, body: { username: 'eve', role: 'admin' } })).status).toBe(403);
    expect((await call('GET', '/users/route-admin', { token })).status).toBe(403);
    expect((await call('PUT', '/users/route-admin/role', { token, body: { role: 'viewer' } })).status).toBe(403);
    expect((await call('DELETE', '/users/route-admin', { token })).status).toBe(403);
    expect((await call('GET', '/users/eve', { token: tokens.admin! })).status).toBe(404);
  });
});

describe('the CLI against the running runtime', () => {
  const cli = (args: string[], input?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(join(ROOT, 'node_modules/.bin/tsx'), ['bin/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, LOCAL_RUNTIMES_DIR: runtimesDir } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input ?? '');
    });

  it('adds an admin, prints a usable token, signs in with the password from stdin, changes the role and removes', { timeout: 120_000 }, async () => {
    const add = await cli(['user', 'add', 'frank', '--role', 'admin']);
    expect(add.code).toBe(0);
    const password = /shown once; give it to them over a safe channel\): (\S+)/.exec(add.stderr)?.[1] ?? '';
    expect(password).toHaveLength(24);
    expect(JSON.parse(add.stdout)).toMatchObject({ username: 'frank', role: 'admin' });

    const token = (await cli(['user', 'token', 'frank'])).stdout.trim();
    expect(decodeJwt(token)).toMatchObject({ username: 'frank', 'cognito:groups': ['admin'], token_use: 'access' });
    expect((await call('GET', '/users/frank', { token: `Bearer ${token}` })).status).toBe(200);

    const login = await cli(['user', 'login', 'frank', '--password-stdin'], `${password}\n`);
    expect(login.code).toBe(0);
    const tokens = JSON.parse(login.stdout) as { accessToken: string; refreshToken: string };
    expect((await call('GET', '/users', { token: tokens.accessToken })).status).toBe(200);
    const refreshed = await cli(['user', 'refresh', tokens.refreshToken]);
    expect(JSON.parse(refreshed.stdout).accessToken).toBeTruthy();
    expect((await cli(['user', 'login', 'frank', '--password-stdin'], 'wrong\n'))).toMatchObject({ code: 2, stderr: expect.stringContaining('Incorrect username or password') });

    expect(JSON.parse((await cli(['user', 'role', 'frank', 'viewer'])).stdout)).toMatchObject({ role: 'viewer' });
    expect(JSON.parse((await cli(['user', 'list', '--role', 'viewer'])).stdout).map((u: { username: string }) => u.username)).toContain('frank');
    expect((await cli(['user', 'remove', 'frank'])).code).toBe(0);
    expect(await cli(['user', 'token', 'frank'])).toMatchObject({ code: 2, stderr: expect.stringContaining('no user frank') });
  });

  it('adds a machine client whose secret gets a token for its scope, lists and removes it', { timeout: 60_000 }, async () => {
    const add = await cli(['client', 'add', 'billing', '--scope', 'csms/read']);
    expect(add.code).toBe(0);
    const [, clientId, secret] = /client id (\S+), secret \(shown once\): (\S+)/.exec(add.stderr) ?? [];
    const res = await fetch(runtime.userPool.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=csms%2Fread',
    });
    const { access_token } = (await res.json()) as { access_token: string };
    expect((await call('GET', '/echo', { token: access_token })).status).toBe(200);
    expect(JSON.parse((await cli(['client', 'list'])).stdout)).toContainEqual({ clientId, name: 'billing' });
    expect((await cli(['client', 'remove', clientId!])).code).toBe(0);
    const after = await fetch(runtime.userPool.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(after.status).toBe(401);
  });
});
