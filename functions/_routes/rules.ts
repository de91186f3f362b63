/**
 * The route table's rules, checked by both hosts before they build anything (`cdk synth` and `npm start` fail
 * alike): known kinds, references to registered tables, queues and buckets, and each kind's own constraints.
 * Every problem names its route.
 */
import { buckets, type BucketDef } from '#shared/store/buckets.ts';
import { queues, type QueueDef } from '#shared/store/queues.ts';
import { tables, type TableDef } from '#shared/store/tables.ts';
import { SECRET_ITEM_TYPES } from '#shared/store/keys.ts';
import { SECRET_ENV_VARS, SETTINGS_SCHEMAS } from '../_common/env.ts';
import { tableGrants, type BucketRoute, type CognitoAction, type FunctionUrlRoute, type HttpRoute, type QueueRoute, type RouteDef, type RouteKind, type ScheduleRoute, type SftpIdentityRoute, type StreamRoute, type WsAuthorizerRoute, type WsRoute } from '../routes.ts';
import { isResourcePath } from './http-paths.ts';
import { parseSchedule } from './schedule.ts';

/** The resources routes may name; the platform's by default, fixtures in tests. */
export interface Registries {
  readonly tables: readonly TableDef[];
  readonly queues: readonly QueueDef[];
  readonly buckets: readonly BucketDef[];
}

export const platformRegistries: Registries = { tables, queues, buckets };

export const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_MEMORY_MB = 256;
export const DEFAULT_QUEUE_BATCH_SIZE = 10;
export const DEFAULT_STREAM_BATCH_SIZE = 100;
export const DEFAULT_STREAM_RETRY_ATTEMPTS = 2;
/** API Gateway's integration timeout for REST APIs: past it the caller gets 504 while the function carries on. */
export const MAX_HTTP_TIMEOUT_SECONDS = 29;

export class RouteTableError extends Error {
  override readonly name = 'RouteTableError';
  constructor(readonly problems: readonly string[]) {
    super(`The route table has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

// The table is data and may come from tests or JavaScript: the type alone does not keep an action list honest.
const COGNITO_ACTIONS = new Set<string>([
  'AdminCreateUser',
  'AdminSetUserPassword',
  'AdminAddUserToGroup',
  'AdminRemoveUserFromGroup',
  'AdminListGroupsForUser',
  'AdminGetUser',
  'AdminDeleteUser',
  'ListUsers',
  'ListUsersInGroup',
] satisfies CognitoAction[]);
const WRITING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const IDENTITY_SOURCE = /^route\.request\.(header|querystring)\.[A-Za-z0-9_-]+$/;

type Check<R extends RouteDef> = (route: R, ctx: Context) => string[];

interface Context {
  readonly routes: readonly RouteDef[];
  readonly registries: Registries;
}

const between = (what: string, v: number | undefined, min: number, max: number): string[] =>
  v === undefined || (Number.isInteger(v) && v >= min && v <= max) ? [] : [`${what} must be a whole number in ${min}–${max}, got ${v}`];

const queueOf = (name: string, ctx: Context) => ctx.registries.queues.find((q) => q.name === name);

/**
 * The key prefixes of a route's prefix grants: each becomes `<bucket>/<prefix>*` in its policy (and a cdk-nag
 * acknowledgement of that wildcard), so an empty one or one with a wildcard of its own would grant the whole bucket.
 */
const bucketPrefixProblems = (a: RouteDef['access']): string[] =>
  Object.entries(a.buckets ?? {}).flatMap(([name, grant]) => {
    if (typeof grant === 'string') return [];
    const prefixes = (Array.isArray(grant) ? grant : [grant]).flatMap((g: { readonly prefix: string | readonly string[] }) => (typeof g.prefix === 'string' ? [g.prefix] : [...g.prefix]));
    return [
      ...(prefixes.length === 0 ? [`access to bucket "${name}" names no key prefix`] : []),
      ...prefixes
        .filter((p) => p === '' || /[*?]/.test(p) || !p.endsWith('/'))
        .map((p) => `access to bucket "${name}": prefix "${p}" must be a literal folder, non-empty, without wildcards, ending in "/"`),
    ];
  });

const checkAccess = (route: RouteDef, ctx: Context): string[] => {
  const a = route.access;
  const known = <T extends { name: string }>(defs: readonly T[], names: readonly string[], what: string) =>
    names.filter((n) => !defs.some((d) => d.name === n)).map((n) => `access names ${what} "${n}", which is not registered`);
  const apis = new Set(ctx.routes.flatMap((r) => (r.kind === 'ws' ? [r.api] : [])));
  return [
    ...known(ctx.registries.tables, Object.keys(a.tables ?? {}), 'table'),
    ...known(ctx.registries.queues, Object.keys(a.queues ?? {}), 'queue'),
    ...known(ctx.registries.buckets, Object.keys(a.buckets ?? {}), 'bucket'),
    ...bucketPrefixProblems(a),
    ...(a.settings ?? []).filter((s) => !(s in SETTINGS_SCHEMAS)).map((s) => `access names unknown settings "${s}"`),
    ...(a.secrets ?? []).filter((s) => !(s in SECRET_ENV_VARS)).map((s) => `access names unknown secret "${s}"`),
    ...(a.manageConnections && !apis.has(a.manageConnections.api)
      ? [`manageConnections names WebSocket API "${a.manageConnections.api}", which has no ws routes`]
      : []),
    ...(a.manageConnections?.calls.length === 0 ? ['manageConnections names no call'] : []),
    ...(a.userPool?.length === 0 ? ['userPool names no action'] : []),
    ...(a.userPool ?? []).filter((x) => !COGNITO_ACTIONS.has(x)).map((x) => `userPool names unknown action "${x}"`),
    ...Object.entries(a.tables ?? {})
      .filter(([, t]) => tableGrants(t).length === 0 || tableGrants(t).some((g) => g.actions.length === 0))
      .map(([name]) => `access to table ${name} names no action`),
  ];
};

const checkWsAuthorizer: Check<WsAuthorizerRoute> = (route, ctx) => [
  ...(ctx.routes.filter((r) => r.kind === 'ws-authorizer' && r.api === route.api).length > 1
    ? [`more than one ws-authorizer for the ${route.api} API`]
    : []),
  ...(ctx.routes.some((r) => r.kind === 'ws' && r.api === route.api && r.routeKey === '$connect')
    ? []
    : [`guards $connect of the ${route.api} API, which has no ws route with routeKey $connect`]),
  ...route.identitySource.filter((s) => !IDENTITY_SOURCE.test(s)).map((s) => `unsupported identity source ${s}`),
];

const checkWs: Check<WsRoute> = (route, ctx) =>
  ctx.routes.filter((r) => r.kind === 'ws' && r.api === route.api && r.routeKey === route.routeKey).length > 1
    ? [`routeKey ${route.routeKey} of the ${route.api} API is served by more than one route`]
    : [];

const checkHttp: Check<HttpRoute> = (route, ctx) => {
  const { auth } = route;
  return [
    ...(isResourcePath(route.path) ? [] : [`path "${route.path}" must start with / and hold only literal or {name} segments`]),
    ...(ctx.routes.filter((r) => r.kind === 'http' && r.method === route.method && r.path === route.path).length > 1
      ? [`${route.method} ${route.path} is served by more than one route`]
      : []),
    ...(auth.type === 'jwt' && auth.roles.length === 0 ? ['jwt auth names no role'] : []),
    ...((route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) > MAX_HTTP_TIMEOUT_SECONDS
      ? [`timeoutSeconds ${route.timeoutSeconds} is above API Gateway's ${MAX_HTTP_TIMEOUT_SECONDS} s integration timeout: the caller would get 504 while the function carries on`]
      : []),
    // Security rule: nothing that writes is anonymous unless the route says why.
    ...(auth.type === 'none' && WRITING_METHODS.has(route.method) && !auth.reason?.trim()
      ? [`auth none on ${route.method} needs a reason`]
      : []),
  ];
};

const checkQueue: Check<QueueRoute> = (route, ctx) => {
  const queue = queueOf(route.queue, ctx);
  if (!queue) return [`consumes queue "${route.queue}", which is not registered`];
  const timeout = route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  return [
    ...between('batchSize', route.batchSize, 1, 10),
    // Lambda refuses the event source mapping otherwise: a batch could reappear while still being processed.
    ...(queue.visibilityTimeoutSeconds < timeout
      ? [`queue ${queue.name}'s visibility timeout (${queue.visibilityTimeoutSeconds} s) is below the function timeout (${timeout} s)`]
      : []),
  ];
};

const checkStream: Check<StreamRoute> = (route, ctx) => {
  const table = ctx.registries.tables.find((t) => t.name === route.table);
  const failure = queueOf(route.onFailure, ctx);
  return [
    ...(!table ? [`reads the stream of table "${route.table}", which is not registered`] : []),
    ...(table && !table.stream ? [`table ${table.name} has no stream (stream: true in its definition)`] : []),
    ...(route.types.length === 0 ? ['types lists no item type'] : []),
    ...(route.withAttributes ?? []).filter((a) => !/^[A-Za-z][A-Za-z0-9]*$/.test(a)).map((a) => `withAttributes names "${a}", which is no attribute name`),
    // Password hashes live in items of their own so that no stream consumer ever receives one.
    ...route.types.filter((t) => SECRET_ITEM_TYPES.includes(t)).map((t) => `types lists ${t}, which holds password hashes: no stream route may read it`),
    ...between('batchSize', route.batchSize, 1, 1000),
    ...between('retryAttempts', route.retryAttempts, 0, 10),
    ...(!failure ? [`onFailure names queue "${route.onFailure}", which is not registered`] : []),
    // Lambda's on-failure destination for streams is a standard queue.
    ...(failure?.fifo ? [`onFailure queue ${failure.name} must be a standard queue, not FIFO`] : []),
  ];
};

const checkSchedule: Check<ScheduleRoute> = (route) => {
  try {
    parseSchedule(route.schedule);
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
};

const checkFunctionUrl: Check<FunctionUrlRoute> = (route, ctx) => [
  // Security rule, as for anonymous REST methods: nobody is checked at the gateway, so the route says who checks.
  ...(typeof route.reason === 'string' && route.reason.trim() !== '' ? [] : ['a function URL has no gateway auth: reason must say why and who checks the caller']),
  ...(ctx.routes.filter((r) => r.kind === 'function-url' && r.name === route.name).length > 1
    ? [`the ${route.name} function URL is served by more than one route`]
    : []),
];

const checkSftpIdentity: Check<SftpIdentityRoute> = (route, ctx) => [
  // One SFTP server, one identity provider: a second would be a second server nobody asked for.
  ...(ctx.routes.filter((r) => r.kind === 'sftp-identity').length > 1 ? ['more than one sftp-identity route (the SFTP server has one identity provider)'] : []),
  ...(ctx.registries.buckets.some((b) => b.name === route.bucket) ? [] : [`sessions write to bucket "${route.bucket}", which is not registered`]),
];

/** Either prefix starts with the other: S3 refuses two notification configurations of one event type whose prefixes overlap. */
const overlap = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);

const checkBucket: Check<BucketRoute> = (route, ctx) => {
  const others = ctx.routes.filter((r): r is BucketRoute => r.kind === 'bucket' && r.bucket === route.bucket && r !== route);
  const prefixes = route.prefixes;
  return [
    ...(ctx.registries.buckets.some((b) => b.name === route.bucket) ? [] : [`listens to bucket "${route.bucket}", which is not registered`]),
    ...(prefixes.length === 0 ? ['prefixes lists no key prefix (a route for the whole bucket would see every object, name them)'] : []),
    // S3's filter is a literal prefix: no wildcards, and an empty one would be the whole bucket.
    ...prefixes.filter((p) => typeof p !== 'string' || p === '' || /[*?]/.test(p)).map((p) => `prefix "${String(p)}" must be a literal, non-empty key prefix (no wildcards)`),
    ...prefixes.flatMap((p, i) => prefixes.slice(i + 1).filter((q) => overlap(p, q)).map((q) => `prefixes "${p}" and "${q}" overlap (S3 refuses overlapping notifications)`)),
    ...prefixes.flatMap((p) =>
      others.flatMap((o) => o.prefixes.filter((q) => overlap(p, q)).map((q) => `prefix "${p}" overlaps "${q}" of route ${o.id} on bucket ${route.bucket} (S3 refuses overlapping notifications)`)),
    ),
  ];
};

/** Each kind's own rules; a kind missing here is one neither host knows. */
const KIND_CHECKS: { readonly [K in RouteKind]: Check<Extract<RouteDef, { kind: K }>> } = {
  'ws-authorizer': checkWsAuthorizer,
  ws: checkWs,
  http: checkHttp,
  queue: checkQueue,
  stream: checkStream,
  schedule: checkSchedule,
  'function-url': checkFunctionUrl,
  'sftp-identity': checkSftpIdentity,
  bucket: checkBucket,
};
export const ROUTE_KINDS = Object.keys(KIND_CHECKS) as RouteKind[];

const checkRoute = (route: RouteDef, ctx: Context): string[] => {
  const kindCheck = KIND_CHECKS[route.kind] as Check<RouteDef> | undefined;
  if (!kindCheck) return [`unknown kind "${String(route.kind)}" (known: ${ROUTE_KINDS.join(', ')})`];
  return [
    ...(/^[A-Za-z][A-Za-z0-9]*$/.test(route.id) ? [] : ['id must be letters and digits, starting with a letter']),
    ...(ctx.routes.filter((r) => r.id === route.id).length > 1 ? ['id is used by more than one route'] : []),
    ...between('timeoutSeconds', route.timeoutSeconds, 1, 900),
    ...between('memoryMb', route.memoryMb, 128, 10240),
    ...between('reservedConcurrency', route.reservedConcurrency, 1, 1000),
    ...checkAccess(route, ctx),
    ...kindCheck(route, ctx),
  ];
};

/** Throws a RouteTableError listing every problem of the table, each prefixed by its route. */
export const checkRoutes = (routes: readonly RouteDef[], registries: Registries = platformRegistries): void => {
  const ctx = { routes, registries };
  const problems = [...new Set(routes.flatMap((r) => checkRoute(r, ctx).map((p) => `${r.id} (${String(r.kind)}): ${p}`)))];
  if (problems.length > 0) throw new RouteTableError(problems);
};
