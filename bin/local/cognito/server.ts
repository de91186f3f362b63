/**
 * The local Cognito stand-in `npm start` runs on its own port (`--auth-port`): the user pool's JSON API
 * (api.ts), its JWKS and issuer (`http://127.0.0.1:<port>/<userPoolId>`, as `https://cognito-idp.<region>
 * .amazonaws.com/<userPoolId>` on AWS), the OAuth token endpoint of the pool's domain (client-credentials grant)
 * and one endpoint of its own: `POST /_local/users/<username>/token`, the tokens of a user without their password,
 * for `npm run cli -- user token` (loopback callers only; nothing like it exists on AWS).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { OPERATIONS } from './api.ts';
import { loadSigningKey } from './keys.ts';
import { CognitoError, UserPool } from './pool.ts';
import { type Issuer, machineToken, personTokens, TOKEN_LIFETIME_SECONDS } from './tokens.ts';

/** The local pool's id (it matches Cognito's pattern `<region>_<alphanumerics>`). */
export const LOCAL_USER_POOL_ID = 'local_ov2xmp';
const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const MAX_BODY_BYTES = 64 * 1024;

export interface CognitoStandIn {
  /** For AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER. */
  readonly endpoint: string;
  readonly userPoolId: string;
  /** The `iss` of every token. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The OAuth token endpoint (client-credentials grant). */
  readonly tokenUrl: string;
  /** The app client people sign in with (InitiateAuth). */
  readonly peopleClientId: string;
  stop(): Promise<void>;
}

export interface CognitoOptions {
  /** 0 = a free one. */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Keys and pool are kept in `<dataDir>/cognito/`; omitted = in memory. */
  readonly dataDir?: string;
}

class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly status = 400,
  ) {
    super(error);
  }
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new CognitoError('InvalidParameterException', 'Request too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
};

const isLoopback = (req: IncomingMessage) => ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? '');

/** `Authorization: Basic base64(client_id:client_secret)`, as the token endpoint takes a confidential client's. */
const basicCredentials = (header: string | undefined): { id: string; secret: string } | undefined => {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
};

const clientCredentials = async (pool: UserPool, issuer: Issuer, req: IncomingMessage, body: string) => {
  const form = new URLSearchParams(body);
  if (form.get('grant_type') !== 'client_credentials') throw new OAuthError('unsupported_grant_type');
  const creds = basicCredentials(req.headers.authorization) ?? { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' };
  const client = pool.client(creds.id);
  if (!client || !pool.secretMatches(client, creds.secret)) throw new OAuthError('invalid_client', 401);
  if (!client.allowedOAuthFlows.includes('client_credentials')) throw new OAuthError('unauthorized_client');
  const asked = form.get('scope')?.split(/\s+/).filter((s) => s !== '');
  const scopes = asked ?? client.allowedOAuthScopes;
  if (scopes.length === 0 || scopes.some((s) => !client.allowedOAuthScopes.includes(s))) throw new OAuthError('invalid_scope');
  return { access_token: await machineToken(issuer, client.clientId, scopes), expires_in: TOKEN_LIFETIME_SECONDS, token_type: 'Bearer' };
};

const USER_TOKEN_PATH = /^\/_local\/users\/([^/]+)\/token$/;

const route = async (pool: UserPool, issuer: Issuer, jwks: unknown, req: IncomingMessage, res: ServerResponse) => {
  const { pathname } = new URL(req.url ?? '/', 'http://local');
  const target = req.headers['x-amz-target'];
  if (req.method === 'POST' && pathname === '/' && typeof target === 'string') {
    const operation = target.startsWith(TARGET_PREFIX) ? OPERATIONS[target.slice(TARGET_PREFIX.length)] : undefined;
    if (!operation) throw new CognitoError('UnknownOperationException', `The stand-in does not emulate ${target}`);
    const raw = await readBody(req);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      throw new CognitoError('SerializationException', 'Body is not JSON');
    }
    return send(res, 200, await operation(pool, input, issuer), { 'content-type': 'application/x-amz-json-1.1' });
  }
  if (req.method === 'GET' && pathname === `/${pool.id}/.well-known/jwks.json`) return send(res, 200, jwks);
  if (req.method === 'GET' && pathname === `/${pool.id}/.well-known/openid-configuration`) {
    return send(res, 200, { issuer: issuer.issuer, jwks_uri: `${issuer.issuer}/.well-known/jwks.json`, token_endpoint: new URL('/oauth2/token', issuer.issuer).href });
  }
  if (req.method === 'POST' && pathname === '/oauth2/token') {
    try {
      return send(res, 200, await clientCredentials(pool, issuer, req, await readBody(req)));
    } catch (e) {
      if (e instanceof OAuthError) return send(res, e.status, { error: e.error });
      throw e;
    }
  }
  const user = USER_TOKEN_PATH.exec(pathname);
  if (req.method === 'POST' && user && isLoopback(req)) {
    const found = pool.user(decodeURIComponent(user[1]!));
    const session = { clientId: pool.peopleClientId, originJti: randomUUID(), authTime: Math.floor(Date.now() / 1000) };
    const { accessToken, idToken } = await personTokens(issuer, found, session);
    return send(res, 200, { AccessToken: accessToken, IdToken: idToken, ExpiresIn: TOKEN_LIFETIME_SECONDS, TokenType: 'Bearer' });
  }
  return send(res, 404, { message: 'Not Found' });
};

/** Starts the stand-in; its key and pool come from `<dataDir>/cognito/` when there is a data directory. */
export const startCognitoStandIn = async (opts: CognitoOptions): Promise<CognitoStandIn> => {
  const dir = opts.dataDir && join(opts.dataDir, 'cognito');
  const key = await loadSigningKey(dir);
  const pool = new UserPool(LOCAL_USER_POOL_ID, dir && join(dir, 'pool.json'));
  const jwks = { keys: [key.publicJwk] };
  const issuerRef: { current?: Issuer } = {};
  const server = createServer((req, res) => {
    route(pool, issuerRef.current!, jwks, req, res).catch((e: unknown) => {
      if (res.headersSent) return;
      if (e instanceof CognitoError) return send(res, e.status, { __type: e.type, message: e.message }, { 'x-amzn-errortype': e.type, 'content-type': 'application/x-amz-json-1.1' });
      return send(res, 500, { __type: 'InternalErrorException', message: String(e) }, { 'x-amzn-errortype': 'InternalErrorException' });
    });
  });
  const host = opts.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve((server.address() as AddressInfo).port));
  });
  const endpoint = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const issuer = `${endpoint}/${pool.id}`;
  issuerRef.current = { issuer, key };
  return {
    endpoint,
    userPoolId: pool.id,
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    tokenUrl: `${endpoint}/oauth2/token`,
    peopleClientId: pool.peopleClientId,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
