/**
 * Runs the real REST handlers of functions/ against this file's tables on the shared DynamoDB Local, through the
 * real AWS SDK, with the event API Gateway's Lambda proxy integration builds (bin/local/events) and the claims its
 * Cognito authorizer hands over. For tests of one resource's handlers; the role matrix and tokens end to end go
 * through the local runtime's REST host.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '#shared/deps.ts';
import { silentLog } from '#shared/log/logger.ts';
import { makeDeps } from '#functions/_common/deps.ts';
import { filesBucket } from '#shared/store/buckets.ts';
import { makeDocumentClient, type Item } from '#shared/store/dynamo.ts';
import { idempotencyKey } from '#shared/store/keys.ts';
import { withFileObjects } from '#functions/_common/file-objects.ts';
import { PEOPLE_SCOPE } from '#functions/_routes/http-auth.ts';
import type { HttpRoute, OperatorRole } from '#functions/routes.ts';
import { restProxyEvent, type RestApiInfo } from '../../bin/local/events/index.ts';
import { createTestTables, deleteTestTables, type TestTables } from './dynamo.ts';
import { lambdaContext } from './handler-harness.ts';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers?: Record<string, string>; body?: string }>;

const API: RestApiInfo = { apiId: 'api-harness', stage: 'test', domainName: '127.0.0.1', region: 'us-east-1', accountId: '000000000000' };

/** Claims as API Gateway's Cognito authorizer passes a person's access token (strings; groups comma-separated). */
export const personClaims = (username: string, roles: readonly OperatorRole[]) => ({
  sub: `sub-${username}`,
  username,
  'cognito:groups': roles.join(','),
  scope: PEOPLE_SCOPE,
  token_use: 'access',
  client_id: 'people-client',
});

/** Claims of a machine client's access token (client-credentials grant). */
export const machineClaims = (clientId: string, scopes: readonly string[]) => ({
  sub: clientId,
  client_id: clientId,
  scope: scopes.join(' '),
  token_use: 'access',
});

export interface ApiCall {
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  /** Sent as is (e.g. CSV); `body` is sent as JSON. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  /** @default an admin person */
  readonly claims?: Record<string, string> | null;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The parsed JSON body (undefined when empty). */
  readonly body: any; // tests read fields of any response
}

export interface ApiHarness {
  readonly tables: TestTables;
  readonly deps: Deps;
  call(route: HttpRoute, call?: ApiCall): Promise<ApiResponse>;
  close(): Promise<void>;
}

const pathOf = (route: HttpRoute, params: Record<string, string>) =>
  route.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));

export const startApiHarness = async (env: Record<string, string> = {}): Promise<ApiHarness> => {
  const tables = await createTestTables();
  Object.assign(process.env, tables.env, { POWERTOOLS_LOG_LEVEL: 'CRITICAL', ...env });
  const base = makeDeps(process.env, silentLog);
  // The files bucket where the test gave one, as the handlers that touch it add it (functions/_common/files.ts).
  const deps = process.env[filesBucket.envVar] ? withFileObjects(base) : base;
  const handlers = new Map<string, Handler>();
  const load = async (route: HttpRoute): Promise<Handler> => {
    const found = handlers.get(route.entry);
    if (found) return found;
    const handler = ((await import(`../../functions/${route.entry}`)) as { handler: Handler }).handler;
    handlers.set(route.entry, handler);
    return handler;
  };
  return {
    tables,
    deps,
    async call(route, call = {}) {
      const params = call.params ?? {};
      const claims = call.claims === null ? undefined : (call.claims ?? personClaims('admin', ['admin']));
      const body = call.rawBody ?? (call.body === undefined ? null : JSON.stringify(call.body));
      const headers: Record<string, string[]> = {
        ...(call.body !== undefined ? { 'Content-Type': ['application/json'] } : {}),
        ...Object.fromEntries(Object.entries(call.headers ?? {}).map(([k, v]) => [k, [v]])),
      };
      const event = restProxyEvent(API, {
        method: route.method,
        resource: route.path,
        path: pathOf(route, params),
        pathParameters: params,
        headers,
        query: Object.fromEntries(Object.entries(call.query ?? {}).map(([k, v]) => [k, [v]])),
        body,
        sourceIp: '127.0.0.1',
        ...(claims ? { authorizer: { claims } } : {}),
      });
      const out = await (await load(route))(event, lambdaContext(route.id));
      const text = out.body ?? '';
      const isJson = /json/.test(out.headers?.['Content-Type'] ?? 'application/json');
      return { status: out.statusCode, headers: out.headers ?? {}, body: text === '' ? undefined : isJson ? (JSON.parse(text) as unknown) : text };
    },
    async close() {
      await deleteTestTables(tables);
    },
  };
};

/** The Idempotency-Key record of `key` as the default admin's calls of `route` left it (strongly consistent). */
export const idempotencyRecord = async (api: ApiHarness, route: HttpRoute, key: string): Promise<Item | undefined> =>
  (await makeDocumentClient(process.env).send(new GetCommand({ TableName: api.tables.env.CSMS_TABLE, Key: idempotencyKey(route.id, 'admin', key), ConsistentRead: true }))).Item;

/**
 * Changes that record as time or a failure would: past its day, given back, or left pending by a Lambda that stopped.
 * `update` is an update expression; `#state` and `#response` name those attributes.
 */
export const updateIdempotencyRecord = async (api: ApiHarness, route: HttpRoute, key: string, update: string, values?: Record<string, unknown>): Promise<void> => {
  const names = Object.fromEntries(['state', 'response'].filter((n) => update.includes(`#${n}`)).map((n) => [`#${n}`, n]));
  await makeDocumentClient(process.env).send(
    new UpdateCommand({
      TableName: api.tables.env.CSMS_TABLE,
      Key: idempotencyKey(route.id, 'admin', key),
      UpdateExpression: update,
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ...(values ? { ExpressionAttributeValues: values } : {}),
    }),
  );
};
