/**
 * The `$connect` path of API Gateway: headers as API Gateway presents them, the REQUEST authorizer, then the
 * `$connect` integration, whose status decides the upgrade and whose `Sec-WebSocket-Protocol` header is the
 * subprotocol the client gets.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WsAuthorizerRoute, WsRoute } from '#functions/routes.ts';
import type { LambdaFunction } from '../lambda.ts';
import type { OriginRequest } from '../edge.ts';
import { missingIdentitySources, runAuthorizer } from './authorize.ts';
import type { AuthOutcome } from './authorize.ts';
import { authorizerEvent, connectEvent } from '../events/index.ts';
import type { ApiInfo, ConnectionInfo, UpgradeRequest } from '../events/index.ts';

export interface WsFunctions {
  readonly authorizer?: { readonly route: WsAuthorizerRoute; readonly fn: LambdaFunction };
  readonly routes: Partial<Record<WsRoute['routeKey'], { readonly route: WsRoute; readonly fn: LambdaFunction }>>;
}

export interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const traceId = () =>
  `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

/** Adds what API Gateway itself puts on the upgrade request, behind CloudFront (which speaks https on 443). */
export const apiGatewayRequest = (origin: OriginRequest, api: ApiInfo, cloudFrontIp: string): UpgradeRequest => ({
  headers: {
    Host: [api.domainName],
    Connection: ['upgrade'],
    Upgrade: ['websocket'],
    ...origin.headers,
    'X-Forwarded-For': [[...(origin.headers['X-Forwarded-For'] ?? []), cloudFrontIp].join(', ')],
    'X-Forwarded-Port': ['443'],
    'X-Forwarded-Proto': ['https'],
    'X-Amzn-Trace-Id': [traceId()],
  },
  query: origin.query,
});

/** `sec-websocket-protocol` → `Sec-WebSocket-Protocol`: Node lower-cases header names, API Gateway does not. */
const titleCase = (name: string) => name.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase()).replace(/^Sec-Websocket/, 'Sec-WebSocket');

/** An upgrade that reaches API Gateway directly (an API without CloudFront in front): path, headers, query. */
export const directRequest = (req: IncomingMessage): OriginRequest => {
  const url = new URL(req.url ?? '/', 'http://local');
  const query: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = [...(query[k] ?? []), v];
  const headers = Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [titleCase(k), v ?? []]));
  return { uri: url.pathname, headers, query };
};

const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * What makes this request no WebSocket handshake (RFC 6455 §4.2.1), with the status to refuse it with, or
 * undefined. Checked before anything runs, as API Gateway does: a handshake `ws` would refuse after `$connect`
 * had run would leave a connection recorded that never existed.
 */
export const handshakeProblem = (req: IncomingMessage): { readonly status: number; readonly reason: string } | undefined => {
  if (req.method !== 'GET') return { status: 405, reason: 'not a GET' };
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return { status: 400, reason: 'no Upgrade: websocket' };
  if (!WEBSOCKET_KEY.test(req.headers['sec-websocket-key'] ?? '')) return { status: 400, reason: 'bad Sec-WebSocket-Key' };
  if (!['8', '13'].includes(req.headers['sec-websocket-version'] ?? '')) return { status: 400, reason: 'bad Sec-WebSocket-Version' };
  return undefined;
};

/** Runs the authorizer if the API has one; without one every connection is allowed, with no authorizer context. */
export const authorize = async (
  fns: WsFunctions,
  api: ApiInfo,
  conn: ConnectionInfo,
  req: UpgradeRequest,
): Promise<AuthOutcome | undefined> => {
  if (!fns.authorizer) return undefined;
  const missing = missingIdentitySources(fns.authorizer.route, req);
  if (missing.length) return { allowed: false, status: 401, reason: `missing identity source ${missing.join(', ')}` };
  return runAuthorizer(fns.authorizer.fn, authorizerEvent(api, conn, req));
};

export interface ConnectOutcome {
  readonly status: number;
  readonly protocol?: string;
  readonly error?: unknown;
}

const header = (headers: unknown, name: string): string | undefined => {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const hit = Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return typeof hit?.[1] === 'string' ? hit[1] : undefined;
};

/** Invokes `$connect` (absent route = accepted). A throw is a 500, as an integration error is. */
export const runConnect = async (
  fns: WsFunctions,
  api: ApiInfo,
  conn: ConnectionInfo,
  req: UpgradeRequest,
): Promise<ConnectOutcome> => {
  const entry = fns.routes.$connect;
  if (!entry) return { status: 200 };
  const out = await entry.fn.invoke(connectEvent(api, conn, req));
  if (!out.ok) return { status: 500, error: out.error };
  const result = (out.result ?? {}) as { statusCode?: unknown; headers?: unknown };
  const status = typeof result.statusCode === 'number' ? result.statusCode : 200;
  const protocol = header(result.headers, 'Sec-WebSocket-Protocol');
  return protocol ? { status, protocol } : { status };
};
