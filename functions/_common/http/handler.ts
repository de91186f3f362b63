/**
 * The one adapter every REST handler runs in: a REST proxy event in, the route's checks in the order a client
 * expects, the core function, and a JSON (or problem+json) answer out. The core sees a parsed `ApiRequest` and
 * answers an `ApiResult`; it never touches the event. What the adapter does for every route, from the route table:
 * - who: the caller from the Cognito authorizer's claims, admitted by the route's roles or machine scopes (403);
 * - what: path, query (single values; unknown parameters are refused) and JSON body parsed with the route's zod
 *   schemas (400 naming each field); list routes get `limit` (1–500, default 50), `cursor` and `fields`;
 * - preconditions: `If-Match` required where the route says so (428); `Idempotency-Key` on idempotent creates;
 * - the answer: `ETag` on a single resource (and 304 for a matching `If-None-Match`), `fields=` projection, and
 *   problem details for every error, with 500s logged and never explained to the caller.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod';
import type { ZodType } from 'zod';
import { type Outcome } from '#shared/api/outcome.ts';
import { etagOf } from '#shared/api/etag.ts';
import type { StoredResponse } from '#shared/store/idempotency-store.ts';
import { InvalidCursorError, type Page } from '#shared/store/queries.ts';
import type { HttpRoute } from '../../routes.ts';
import { admits, type Principal, principalName, principalOf } from '../../_routes/http-auth.ts';
import { CORS_ORIGINS_VAR, corsHeadersFor, corsOriginsOf } from '../../_routes/cors.ts';
import { deps, logger } from '../runtime.ts';
import { withCsms } from '../with-csms.ts';
import { ApiProblem, validationProblem } from './problem.ts';

export { ApiProblem } from './problem.ts';

type Out<S> = S extends ZodType ? z.output<S> : undefined;

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export interface ApiRequest<R extends HttpRoute = HttpRoute> {
  readonly route: R;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Out<R['query']>;
  readonly body: Out<R['body']>;
  /** The caller; present on every `jwt` route. */
  readonly principal: R['auth'] extends { type: 'jwt' } ? Principal : Principal | undefined;
  /** List routes: the page asked for. */
  readonly page: { readonly limit: number; readonly cursor?: string };
  /** Routes with `ifMatch`: the header's value (present: the adapter answers 428 without it). */
  readonly ifMatch: string | undefined;
  /** The body as sent (for routes without a JSON body schema, e.g. a CSV import). */
  readonly rawBody: string | null;
  /** A request header, by case-insensitive name. */
  header(name: string): string | undefined;
  /**
   * Idempotent routes called with an `Idempotency-Key`: this request's name under the key (route, caller, key, a
   * digest of the request, and the claim of the key it runs under). A retry of the same request gets the same one, so
   * ids derived from it find what an earlier attempt recorded; another request, or the key used again once its
   * record expired, gets another.
   */
  readonly requestKey: string | undefined;
  /** Where the API is reached, as this request reached it (`https://<domain>/<stage>`), for links. */
  readonly baseUrl: string;
}

export interface ApiResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * What the ETag digests when it is not the whole body: the part an operator changes (a charger's profile, not its
   * live presence, which changes with every frame and would make every If-Match fail). Such a tag does not answer
   * If-None-Match with 304: the body may have changed under it.
   */
  readonly etagSource?: unknown;
  /** Top-level body fields never stored for an idempotent replay (a generated password is shown once). */
  readonly replayOmits?: readonly string[];
}

export const ok = (body: unknown, headers?: Record<string, string>): ApiResult => ({ status: 200, body, ...(headers ? { headers } : {}) });
export const created = (body: unknown, location: string, options: { replayOmits?: readonly string[] } = {}): ApiResult => ({
  status: 201,
  body,
  headers: { Location: location },
  ...options,
});
/** The work goes on after the answer; `location` is where to follow it. */
export const accepted = (body: unknown, location: string): ApiResult => ({ status: 202, body, headers: { Location: location } });
export const noContent = (): ApiResult => ({ status: 204 });
/** A page of a list: `{ items, cursor }`, the cursor absent on the last page. */
export const pageOf = <T>(page: Page<T>): ApiResult => ok({ items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });

const STATUS_OF = { 'not-found': 404, conflict: 409, 'precondition-failed': 412, invalid: 422 } as const;

/** The value of a successful outcome; a failure becomes its problem (404, 409, 412, 422). */
export const unwrap = <T>(outcome: Outcome<T>): T => {
  if (outcome.ok) return outcome.value;
  throw new ApiProblem(STATUS_OF[outcome.reason], outcome.detail, outcome.field ? [{ detail: outcome.detail, pointer: outcome.field }] : undefined);
};

const PAGE_PARAMS = new Set(['limit', 'cursor', 'fields']);
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const shapeOf = (schema: ZodType | undefined): Record<string, unknown> | undefined =>
  schema && 'shape' in schema && typeof schema.shape === 'object' ? (schema.shape as Record<string, unknown>) : undefined;

const headerOf = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted && v !== undefined) return v;
  return undefined;
};

const parseQuery = (route: HttpRoute, raw: Record<string, string>) => {
  const own = Object.fromEntries(Object.entries(raw).filter(([k]) => !(route.list && PAGE_PARAMS.has(k)) && !(k === 'fields' && route.response)));
  const shape = shapeOf(route.query) ?? {};
  const unknown = Object.keys(own).filter((k) => !Object.hasOwn(shape, k));
  if (unknown.length) throw new ApiProblem(400, `Unknown query parameter(s): ${unknown.join(', ')}`, unknown.map((parameter) => ({ parameter, detail: 'not a parameter of this route' })));
  if (!route.query) return undefined;
  const parsed = route.query.safeParse(own);
  if (!parsed.success) throw validationProblem(parsed.error, 'query');
  return parsed.data;
};

const PageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(4096).optional(),
});

const parsePage = (route: HttpRoute, raw: Record<string, string>) => {
  if (!route.list) return { limit: DEFAULT_PAGE_SIZE };
  const parsed = PageSchema.safeParse({ limit: raw.limit, cursor: raw.cursor });
  if (!parsed.success) throw validationProblem(parsed.error, 'query');
  return parsed.data.cursor === undefined ? { limit: parsed.data.limit } : parsed.data;
};

/** `fields=a,b`: only fields of the route's representation; anything else is a 400, never passed on to the store. */
const parseFields = (route: HttpRoute, raw: Record<string, string>): string[] | undefined => {
  if (raw.fields === undefined) return undefined;
  const shape = shapeOf(route.response);
  if (!shape) throw new ApiProblem(400, 'This route does not take fields', [{ parameter: 'fields', detail: 'not supported here' }]);
  const fields = raw.fields.split(',').map((f) => f.trim()).filter((f) => f !== '');
  const unknown = fields.filter((f) => !Object.hasOwn(shape, f));
  if (fields.length === 0 || unknown.length) {
    throw new ApiProblem(400, `Unknown field(s): ${unknown.join(', ') || '(none given)'}; fields are ${Object.keys(shape).join(', ')}`, [
      { parameter: 'fields', detail: `unknown: ${unknown.join(', ') || '(none given)'}` },
    ]);
  }
  return fields;
};

const parseBody = (route: HttpRoute, event: APIGatewayProxyEvent, rawBody: string | null) => {
  if (!route.body) return undefined;
  const type = headerOf(event, 'content-type');
  if (type !== undefined && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) throw new ApiProblem(415, 'Send the body as application/json');
  let json: unknown;
  try {
    json = JSON.parse(rawBody ?? '');
  } catch {
    throw new ApiProblem(400, 'The body is not JSON', [{ pointer: '', detail: 'not JSON' }]);
  }
  const parsed = route.body.safeParse(json);
  if (!parsed.success) throw validationProblem(parsed.error, 'body');
  return parsed.data;
};

const pick = (value: unknown, fields: readonly string[]): unknown =>
  value !== null && typeof value === 'object' ? Object.fromEntries(fields.filter((f) => Object.hasOwn(value, f)).map((f) => [f, (value as Record<string, unknown>)[f]])) : value;

const project = (route: HttpRoute, body: unknown, fields: readonly string[] | undefined): unknown => {
  if (!fields) return body;
  if (route.list && body !== null && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items)) {
    const page = body as { items: unknown[] };
    return { ...page, items: page.items.map((i) => pick(i, fields)) };
  }
  return pick(body, fields);
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): APIGatewayProxyResult => ({
  statusCode: status,
  headers: { 'Content-Type': contentType, ...headers },
  body: body === undefined ? '' : JSON.stringify(body),
});

const problem = (error: ApiProblem, event: APIGatewayProxyEvent): APIGatewayProxyResult =>
  json(error.status, error.body(event.path), {}, 'application/problem+json');

const toStored = (result: ApiResult): StoredResponse => {
  const omit = new Set(result.replayOmits ?? []);
  const body =
    omit.size && result.body !== null && typeof result.body === 'object'
      ? Object.fromEntries(Object.entries(result.body as Record<string, unknown>).filter(([k]) => !omit.has(k)))
      : result.body;
  return { status: result.status, ...(body !== undefined ? { body } : {}), ...(result.headers ? { headers: { ...result.headers } } : {}) };
};

/** Local hosts answer plain HTTP on 127.0.0.1; API Gateway only HTTPS. */
const baseUrlOf = (event: APIGatewayProxyEvent): string => {
  const domain = event.requestContext.domainName ?? headerOf(event, 'host') ?? 'localhost';
  const scheme = /^(127\.0\.0\.1|localhost)(:|$)/.test(domain) ? 'http' : 'https';
  return `${scheme}://${domain}/${event.requestContext.stage}`;
};

type Core<R extends HttpRoute> = (req: ApiRequest<R>) => Promise<ApiResult>;

/**
 * Past the claiming invocation's end (Lambda stops it at its timeout), plus a margin for the clocks of two Lambdas:
 * then a retry may take a claim over that was never completed or given back.
 */
const LEASE_MARGIN_SECONDS = 5;

const requestHashOf = (req: ApiRequest): string => {
  // The query is part of the request (local-list:sync?full=true is not a retry of a differential sync); left out when
  // empty, so the digest of a request without one is what it always was.
  const parsedQuery: unknown = req.query;
  const query = typeof parsedQuery === 'object' && parsedQuery !== null && Object.keys(parsedQuery).length > 0 ? [parsedQuery] : [];
  return createHash('sha256').update(JSON.stringify([req.params, req.rawBody, ...query])).digest('base64url');
};

/**
 * Runs the core once per idempotency key and caller; a retry gets the stored answer with `Idempotent-Replayed: true`.
 * The claim's lease: the time this invocation may still run (`context`), plus the margin.
 */
const withIdempotency = async <R extends HttpRoute>(route: R, req: ApiRequest<R>, context: Context, core: Core<R>): Promise<ApiResult> => {
  const key = req.header('idempotency-key');
  if (!route.idempotent || key === undefined) return core(req);
  if (!IDEMPOTENCY_KEY.test(key)) throw new ApiProblem(400, 'Idempotency-Key must be 1–255 visible ASCII characters', [{ header: 'Idempotency-Key', detail: 'malformed' }]);
  const caller = req.principal ? principalName(req.principal) : 'anonymous';
  const scope = { routeId: route.id, caller, key, requestHash: requestHashOf(req) };
  const claim = await deps.stores.idempotency.claim(scope, Math.ceil(context.getRemainingTimeInMillis() / 1000) + LEASE_MARGIN_SECONDS);
  if (claim.state === 'mismatch') throw new ApiProblem(422, 'This Idempotency-Key was used for a different request', [{ header: 'Idempotency-Key', detail: 'reused' }]);
  if (claim.state === 'in-progress') throw new ApiProblem(409, 'A request with this Idempotency-Key is still in progress; retry later', [{ header: 'Idempotency-Key', detail: 'in progress' }]);
  if (claim.state === 'replay') {
    const r = claim.response;
    return { status: r.status, body: r.body, headers: { ...(r.headers ?? {}), 'Idempotent-Replayed': 'true' } };
  }
  const { held } = claim;
  let result: ApiResult;
  try {
    result = await core({ ...req, requestKey: [route.id, caller, key, scope.requestHash, held.claimId].join('\n') });
  } catch (error) {
    await deps.stores.idempotency.release(scope, held);
    throw error;
  }
  if (result.status >= 500) {
    await deps.stores.idempotency.release(scope, held);
    return result;
  }
  // The work is done: a record that cannot be stored must not turn it into a 500. The claim stays pending, and its
  // lease frees the key; a retry after that runs the core again under the same claim (and finds what it recorded).
  try {
    if (!(await deps.stores.idempotency.complete(scope, held, toStored(result)))) logger.warn('idempotency claim was taken over; answer not stored', { route: route.id, caller });
  } catch (error) {
    logger.error('idempotency record not completed; the key frees when its lease lapses', { route: route.id, caller, error });
  }
  return result;
};

/**
 * The Lambda handler of one `http` route. `route` is the route's entry of the route table (its schemas type the
 * request the core receives).
 */
export const httpHandler = <R extends HttpRoute>(route: R, core: Core<R>) => {
  let corsOrigins: string[] | undefined;
  // A Lambda proxy integration sets CORS headers on real answers itself (API Gateway answers only the preflight).
  const handle = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const answer = await answerOf(event, context);
    corsOrigins ??= corsOriginsOf(process.env[CORS_ORIGINS_VAR]);
    const cors = corsHeadersFor(headerOf(event, 'origin'), corsOrigins);
    return Object.keys(cors).length ? { ...answer, headers: { ...answer.headers, ...cors } } : answer;
  };
  const answerOf = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    try {
      const claims = (event.requestContext.authorizer as { claims?: Record<string, unknown> } | null | undefined)?.claims;
      const principal = principalOf(claims);
      if (route.auth.type === 'jwt') {
        if (!principal) throw new ApiProblem(401, 'Sign in: this route needs an access token');
        if (!admits(route, principal)) {
          logger.warn('caller not admitted', { route: route.id, caller: principalName(principal), kind: principal.kind });
          throw new ApiProblem(403, `This route needs the role ${route.auth.roles.join(' or ')}${principal.kind === 'machine' ? ' (for machine clients: a scope that grants it)' : ''}`);
        }
      }
      const raw = Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
      const fields = event.httpMethod === 'GET' ? parseFields(route, raw) : undefined;
      const page = parsePage(route, raw);
      const query = parseQuery(route, raw);
      const rawBody = event.body === null || event.body === undefined ? null : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      const body = parseBody(route, event, rawBody);
      const ifMatch = headerOf(event, 'if-match');
      if (route.ifMatch && ifMatch === undefined) {
        throw new ApiProblem(428, 'Send If-Match with the ETag of the resource as you last read it', [{ header: 'If-Match', detail: 'required' }]);
      }
      const req = {
        route,
        params: Object.fromEntries(Object.entries(event.pathParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined)),
        query,
        body,
        principal,
        page,
        ifMatch,
        rawBody,
        header: (name: string) => headerOf(event, name),
        baseUrl: baseUrlOf(event),
        requestKey: undefined,
      } as ApiRequest<R>;
      const result = await withIdempotency(route, req, context, core);
      const contentType = result.headers?.['Content-Type'];
      if (typeof result.body === 'string' && contentType && !contentType.includes('json')) {
        return { statusCode: result.status, headers: { ...result.headers }, body: result.body };
      }
      const single = !route.list && result.body !== null && typeof result.body === 'object' && (result.status === 200 || result.status === 201);
      const etag = single && route.response ? etagOf(result.etagSource ?? result.body) : undefined;
      if (etag && result.etagSource === undefined && event.httpMethod === 'GET' && headerOf(event, 'if-none-match') === etag) return { statusCode: 304, headers: { ETag: etag }, body: '' };
      return json(result.status, project(route, result.body, fields), { ...(result.headers ?? {}), ...(etag ? { ETag: etag } : {}) });
    } catch (error) {
      if (error instanceof ApiProblem) return problem(error, event);
      if (error instanceof InvalidCursorError) return problem(new ApiProblem(400, error.message, [{ parameter: 'cursor', detail: 'unknown cursor' }]), event);
      logger.error('request failed', { route: route.id, error });
      return problem(new ApiProblem(500, 'The request failed; it has been logged. Retry later.'), event);
    }
  };
  return withCsms(handle);
};
