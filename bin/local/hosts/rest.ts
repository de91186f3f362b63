/**
 * Host of `http` routes: API Gateway's REST API (v1) on its own port, at `http://127.0.0.1:<port>/<stage>/...`, in
 * the order API Gateway runs a method: route match (else 404), the Cognito user pool authorizer for `jwt` routes (an
 * access token of the local pool, else 401, carrying one of the method's OAuth scopes, else 403), the required query
 * parameters and the body schema (400), then the Lambda proxy integration (502 when the function fails or answers
 * malformed). Its refusals are the stack's gateway responses: the same problem details, from the same table.
 * `GET /<stage>/docs` is a local extra: the OpenAPI document as a browsable page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Ajv, type ValidateFunction } from 'ajv';
import * as z from 'zod';
import {
  type GatewayRefusal,
  gatewayProblemBody,
  gatewayProblemStatus,
  PROBLEM_CONTENT_TYPE,
  requiredQueryParameters,
} from '#functions/_routes/gateway-problems.ts';
import { methodScopesOf } from '#functions/_routes/http-auth.ts';
import { openApiDocument } from '#functions/_routes/openapi.ts';
import { findPathRoute } from '#functions/_routes/http-paths.ts';
import { type HttpRoute, isHttpRoute, type RouteDef } from '#functions/routes.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, type RestApiInfo, restProxyEvent } from '../events/index.ts';
import { cognitoAuthorizer, UnauthorizedError } from '../gateway/cognito-authorizer.ts';
import type { LambdaFunction } from '../lambda.ts';
import { closeServer, functionOf, type HostOptions, listenOn, type RouteHost, type StartContext } from './host.ts';
import { referencePage } from './reference-page.ts';

/** API Gateway's payload limit for REST APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

interface Served {
  readonly route: HttpRoute;
  readonly fn: LambdaFunction;
  readonly validateBody?: ValidateFunction;
  /** The OAuth scopes the method declares (`jwt` routes): an access token needs one of them. */
  readonly scopes: readonly string[];
  readonly requiredQuery: readonly string[];
}

interface Ready {
  readonly api: RestApiInfo;
  readonly routes: readonly Served[];
  readonly verify: ReturnType<typeof cognitoAuthorizer>;
  /** The reference page, rendered on first request. */
  docs?: string;
}

/** A refusal of the gateway itself; `message` is what API Gateway puts in `$context.error.messageString`. */
class GatewayError extends Error {
  constructor(
    readonly refusal: GatewayRefusal,
    message: string,
    /** The status of the defaults, which stand for several. */
    readonly fallbackStatus = 500,
  ) {
    super(message);
  }
}

const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}) => {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
};

const fail = (res: ServerResponse, e: GatewayError) =>
  send(res, gatewayProblemStatus(e.refusal, e.fallbackStatus), gatewayProblemBody(e.refusal, e.message), { 'content-type': PROBLEM_CONTENT_TYPE });

const readBody = async (req: IncomingMessage): Promise<string | null> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new GatewayError('REQUEST_TOO_LARGE', 'Request Too Long');
    chunks.push(chunk);
  }
  return chunks.length ? Buffer.concat(chunks).toString('utf8') : null;
};

/** `authorization` → `Authorization`: API Gateway passes header names as the client sent them; Node lower-cases. */
const titleCase = (name: string) => name.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase());

const multi = (entries: Iterable<[string, string]>): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const [k, v] of entries) out[k] = [...(out[k] ?? []), v];
  return out;
};

const checkQuery = (served: Served, query: URLSearchParams): void => {
  const missing = served.requiredQuery.filter((q) => !query.has(q));
  if (missing.length > 0) throw new GatewayError('BAD_REQUEST_PARAMETERS', `Missing required request parameters: [${missing.join(', ')}]`);
};

const checkBody = (served: Served, body: string | null): void => {
  if (!served.validateBody) return;
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    throw new GatewayError('BAD_REQUEST_BODY', 'Invalid request body: not JSON');
  }
  if (!served.validateBody(json)) {
    const errors = (served.validateBody.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`);
    throw new GatewayError('BAD_REQUEST_BODY', `Invalid request body: ${errors.join('; ')}`);
  }
};

/** `requestContext.authorizer` of an admitted call: `{ claims }`, as the Cognito authorizer hands it over. */
const authorize = async (ready: Ready, served: Served, req: IncomingMessage, logger: HostOptions['logger']) => {
  if (served.route.auth.type === 'none') return undefined;
  try {
    return { claims: await ready.verify(req.headers.authorization, served.scopes) };
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
    logger.info(`[rest] ${served.route.method} ${served.route.path}: ${e.status}, ${e.message}`);
    throw e.status === 403 ? new GatewayError('ACCESS_DENIED', 'User is not authorized to access this resource') : new GatewayError('UNAUTHORIZED', 'Unauthorized');
  }
};

interface ProxyResult {
  readonly statusCode?: unknown;
  readonly headers?: Record<string, unknown>;
  readonly multiValueHeaders?: Record<string, unknown[]>;
  readonly body?: unknown;
  readonly isBase64Encoded?: unknown;
}

const respond = (res: ServerResponse, result: unknown) => {
  const r = (result ?? {}) as ProxyResult;
  if (typeof r.statusCode !== 'number' || (r.body !== undefined && r.body !== null && typeof r.body !== 'string')) {
    throw new GatewayError('DEFAULT_5XX', 'Internal server error', 502); // API Gateway: "Malformed Lambda proxy response"
  }
  // Header names are case-insensitive: a handler's `Content-Type` replaces the default rather than being sent beside it.
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  for (const [k, v] of Object.entries(r.multiValueHeaders ?? {})) headers[k.toLowerCase()] = v.map(String);
  const body = typeof r.body === 'string' ? Buffer.from(r.body, r.isBase64Encoded === true ? 'base64' : 'utf8') : Buffer.alloc(0);
  res.writeHead(r.statusCode, { ...headers, 'content-length': String(body.length) });
  res.end(body);
};

const sendDocs = (ready: Ready, res: ServerResponse) => {
  const { api } = ready;
  ready.docs ??= referencePage(openApiDocument(ready.routes.map((s) => s.route), { serverUrl: `http://${api.domainName}/${api.stage}` }));
  send(res, 200, ready.docs, { 'content-type': 'text/html; charset=utf-8' });
};

const handle = async (ready: Ready, opts: HostOptions, req: IncomingMessage, res: ServerResponse) => {
  const { stage } = opts;
  const url = new URL(req.url ?? '/', 'http://local');
  const staged = url.pathname.startsWith(`/${stage}/`) || url.pathname === `/${stage}`;
  const path = staged ? url.pathname.slice(stage.length + 1) || '/' : undefined;
  const match = path === undefined ? undefined : findPathRoute(ready.routes.map((s) => s.route), req.method ?? '', path);
  if (path === '/docs' && req.method === 'GET') return sendDocs(ready, res);
  const served = match && ready.routes.find((s) => s.route === match.route);
  if (!served || !match || path === undefined) throw new GatewayError('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');
  const authorizer = await authorize(ready, served, req, opts.logger);
  checkQuery(served, url.searchParams);
  const body = await readBody(req);
  checkBody(served, body);
  const event = restProxyEvent(ready.api, {
    method: served.route.method,
    resource: served.route.path,
    path,
    pathParameters: match.pathParameters,
    headers: Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [titleCase(k), v ?? []])),
    query: multi(url.searchParams),
    body,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    ...(authorizer ? { authorizer } : {}),
  });
  const out = await served.fn.invoke(event);
  if (!out.ok) throw new GatewayError('DEFAULT_5XX', 'Internal server error', 502);
  respond(res, out.result);
};

const ready = (routes: readonly RouteDef[], ctx: StartContext, api: RestApiInfo): Ready => {
  // Formats (email, uri) are the handler's zod to check: API Gateway's models do not enforce `format`.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  return {
    api,
    routes: routes.filter(isHttpRoute).map((route) => ({
      route,
      fn: functionOf(ctx, route),
      scopes: methodScopesOf(route),
      requiredQuery: requiredQueryParameters(route),
      ...(route.body ? { validateBody: ajv.compile(z.toJSONSchema(route.body, { target: 'draft-07', io: 'input' })) } : {}),
    })),
    verify: cognitoAuthorizer(ctx.userPool),
  };
};

export const prepareRestHost = async (routes: readonly RouteDef[], opts: HostOptions): Promise<RouteHost> => {
  let served: Ready | undefined;
  const inflight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    if (!served) return fail(res, new GatewayError('DEFAULT_5XX', 'Service Unavailable', 503));
    const work = handle(served, opts, req, res)
      .catch((e: unknown) => {
        if (e instanceof GatewayError) return fail(res, e);
        opts.logger.error('[rest] request failed', e);
        return fail(res, new GatewayError('DEFAULT_5XX', 'Internal server error'));
      })
      .finally(() => inflight.delete(work));
    inflight.add(work);
  });
  const domainName = await listenOn(server, opts.ports.rest, opts.host);
  const api: RestApiInfo = { apiId: 'local', stage: opts.stage, domainName, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT };
  return {
    endpoints: { restApi: `http://${domainName}/${opts.stage}` },
    start: async (ctx) => {
      served = ready(routes, ctx, api);
    },
    stop: async () => {
      served = undefined;
      await closeServer(server, inflight);
    },
  };
};
