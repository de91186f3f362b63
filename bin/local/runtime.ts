/**
 * The whole platform on one machine: DynamoDB Local, fauxqs (SQS + S3), and the CloudFront + API Gateway
 * stand-in hosting the handlers of functions/routes.ts in this process, as Lambda would host them.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startFauxqs } from 'fauxqs';
import { isWsAuthorizer, isWsRoute, routes as platformRoutes } from '#functions/routes.ts';
import type { RouteDef } from '#functions/routes.ts';
import { tables } from '#shared/store/tables.ts';
import type { TableName } from '#shared/store/tables.ts';
import { startDynamoLocal } from './dynamo-local.ts';
import { createEdge } from './edge.ts';
import { API_GATEWAY_LIMITS } from './gateway/connections.ts';
import { createGateway } from './gateway/gateway.ts';
import type { Gateway, Hosted } from './gateway/gateway.ts';
import type { Logger, WsFunctions } from './gateway/upgrade.ts';
import { applyEnv, handlerEnv, localDynamoClient } from './handler-env.ts';
import type { PlatformSettings } from './handler-env.ts';
import { importFromFunctionsDir, loadFunctions } from './lambda.ts';
import type { LoadModule } from './lambda.ts';
import { dynamoDataPath, removeRuntimeFile, writeRuntimeFile } from './runtime-file.ts';
import { freePort } from './os.ts';
import { ensureTables, physicalTableName, tableEnv } from './tables.ts';

/** Stage and charger path, as deployed (the CloudFront function is built with the same two values). */
export const LOCAL_STAGE = 'local';
export const OCPP_PATH_PREFIX = 'ocpp';

export interface LocalRuntimeOptions extends PlatformSettings {
  /** Port of the WebSocket + @connections server; 0 = a free one. @default 0 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Keep DynamoDB and fauxqs data here (and write runtime.json); omitted = everything in memory. */
  readonly dataDir?: string;
  /** Use this DynamoDB (the test run's) instead of starting DynamoDB Local. */
  readonly dynamodbEndpoint?: string;
  /** Port for a DynamoDB Local this runtime starts. @default env DDB_PORT, else a free port */
  readonly dynamodbPort?: number;
  /** Prefix of the physical table names, so runtimes sharing one DynamoDB cannot collide. @default '' */
  readonly tablePrefix?: string;
  /** @default functions/routes.ts */
  readonly routes?: readonly RouteDef[];
  /** @default import of functions/<entry> */
  readonly loadModule?: LoadModule;
  /** API Gateway's 10-minute idle timeout; 0 = off. */
  readonly idleTimeoutMs?: number;
  /** API Gateway's 2-hour maximum connection duration; 0 = off. */
  readonly maxConnectionMs?: number;
  /** @default console */
  readonly logger?: Logger;
}

export interface LocalRuntime {
  readonly port: number;
  /** `ws://127.0.0.1:<port>/ocpp`: chargers append `/<chargeBoxId>`. */
  readonly wsUrl: string;
  chargerUrl(chargeBoxId: string): string;
  /** Endpoint for ApiGatewayManagementApiClient (`http://127.0.0.1:<port>`). */
  readonly managementEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** fauxqs, serving SQS and S3. */
  readonly sqsS3Endpoint: string;
  readonly tables: Readonly<Record<TableName, string>>;
  /** What the handlers run with (also set on process.env until stop). */
  readonly env: Readonly<Record<string, string>>;
  readonly dataDir?: string;
  /** Milliseconds DynamoDB Local took to answer (undefined when an endpoint was given), and the whole start. */
  readonly startup: { readonly dynamodbMs?: number; readonly totalMs: number };
  /** Closes connections (running $disconnect), then stops fauxqs and DynamoDB Local. Safe to call twice. */
  stop(): Promise<void>;
  /** `@connections` calls the gateway has served (handlers closing or messaging connections). */
  managementCalls(): number;
}

const wsFunctions = async (routes: readonly RouteDef[], loadModule: LoadModule): Promise<WsFunctions> => {
  const hosted = routes.filter((r) => isWsRoute(r) || isWsAuthorizer(r));
  const loaded = [...(await loadFunctions(hosted, loadModule)).values()];
  const authorizers = loaded.filter((f) => isWsAuthorizer(f.route));
  if (authorizers.length > 1) throw new Error('The route table has more than one WebSocket authorizer.');
  const wsRoutes = loaded.flatMap((fn) => (isWsRoute(fn.route) ? [[fn.route.routeKey, { route: fn.route, fn }]] : []));
  const authorizer = authorizers[0];
  return {
    routes: Object.fromEntries(wsRoutes) as WsFunctions['routes'],
    ...(authorizer && isWsAuthorizer(authorizer.route) ? { authorizer: { route: authorizer.route, fn: authorizer } } : {}),
  };
};

/** What has been started so far, so a failed start and stop() undo exactly that. */
interface Started {
  gateway?: Gateway;
  runtimeFileIn?: string;
  restoreEnv?: () => void;
  sqsS3?: { stop(): Promise<void> };
  dynamo?: { stop(): Promise<void> };
}

/** Connections close first (their $disconnect still needs env and DynamoDB), the emulators last. */
const stopStarted = async (s: Started, logger: Logger): Promise<void> => {
  const steps: [string, (() => unknown) | undefined][] = [
    ['the gateway', s.gateway && (() => s.gateway?.close())],
    ['runtime.json', s.runtimeFileIn === undefined ? undefined : () => removeRuntimeFile(s.runtimeFileIn!)],
    ['the environment', s.restoreEnv],
    ['fauxqs', s.sqsS3 && (() => s.sqsS3?.stop())],
    ['DynamoDB Local', s.dynamo && (() => s.dynamo?.stop())],
  ];
  for (const [what, step] of steps) {
    try {
      await step?.();
    } catch (e) {
      logger.error(`[local] stopping ${what} failed`, e);
    }
  }
  Object.keys(s).forEach((k) => delete s[k as keyof Started]);
};

const startDynamo = async (opts: LocalRuntimeOptions, port: number | undefined, s: Started) => {
  if (opts.dynamodbEndpoint) return undefined;
  const ddb = await startDynamoLocal({ ...(opts.dataDir ? { dbPath: dynamoDataPath(opts.dataDir) } : {}), ...(port ? { port } : {}) });
  s.dynamo = ddb;
  return ddb.startupMs;
};

const startSqsS3 = async (dataDir: string | undefined, port: number, s: Started) => {
  const fauxDir = dataDir && join(dataDir, 'fauxqs');
  if (fauxDir) mkdirSync(fauxDir, { recursive: true });
  s.sqsS3 = await startFauxqs({ port, host: '127.0.0.1', logger: false, ...(fauxDir ? { dataDir: fauxDir } : {}) });
};

const createTables = async (endpoint: string, prefix: string | undefined) => {
  const db = localDynamoClient(endpoint);
  try {
    await ensureTables(db, tables, prefix);
  } finally {
    db.destroy();
  }
};

/** Like Promise.all, but waits for every start to settle, so nothing is left running unseen when one fails. */
// One secret per process: the handlers read it once at import (as at a Lambda cold start), so a runtime
// restarted in the same process must present the same one at its edge.
const originSecret = randomBytes(24).toString('base64url');

const settled = async <T extends readonly unknown[]>(work: { [K in keyof T]: Promise<T[K]> }): Promise<T> => {
  const results = await Promise.allSettled(work);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
};

const deferred = <T>() => {
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  promise.catch(() => undefined); // the failure is reported by startLocalRuntime itself
  return { promise, ...settle };
};

/**
 * Starts the platform and resolves once a charger can connect. Handlers are imported once per process (Node
 * caches modules, like a warm Lambda container) and read process.env at import: run one runtime at a time per
 * process, and a later one in the same process keeps the handlers' first environment (ports, table names).
 */
export const startLocalRuntime = async (opts: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  const began = Date.now();
  const logger = opts.logger ?? console;
  const dataDir = opts.dataDir && resolve(opts.dataDir);
  const prefix = opts.tablePrefix ?? '';
  const s: Started = {};
  const hosted = deferred<Hosted>();
  try {
    s.gateway = createGateway({
      hosted: hosted.promise,
      stage: LOCAL_STAGE,
      limits: {
        idleTimeoutMs: opts.idleTimeoutMs ?? API_GATEWAY_LIMITS.idleTimeoutMs,
        maxConnectionMs: opts.maxConnectionMs ?? API_GATEWAY_LIMITS.maxConnectionMs,
      },
      logger,
    });
    const port = await s.gateway.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
    // Every port is known up front, so the handlers can be imported (with their env) while the emulators start.
    const ddbPort = opts.dynamodbEndpoint ? undefined : (opts.dynamodbPort ?? (Number(process.env.DDB_PORT) || (await freePort())));
    const dynamodbEndpoint = opts.dynamodbEndpoint ?? `http://127.0.0.1:${ddbPort}`;
    const fauxPort = await freePort();
    const sqsS3Endpoint = `http://127.0.0.1:${fauxPort}`; // an IP host makes the S3 client use path-style URLs
    const base = `127.0.0.1:${port}`;
    const endpoints = { dynamodb: dynamodbEndpoint, sqsAndS3: sqsS3Endpoint, gateway: `http://${base}` };
    const env = handlerEnv(endpoints, tableEnv(tables, prefix), originSecret, opts);
    s.restoreEnv = applyEnv(env); // before the handlers load: they read it at import, as at a cold start
    const [dynamodbMs, , edge, functions] = await settled([
      startDynamo({ ...opts, ...(dataDir ? { dataDir } : {}) }, ddbPort, s).then(async (ms) => {
        await createTables(dynamodbEndpoint, prefix);
        return ms;
      }),
      startSqsS3(dataDir, fauxPort, s),
      createEdge({ pathPrefix: OCPP_PATH_PREFIX, stageName: LOCAL_STAGE, originSecret }),
      wsFunctions(opts.routes ?? platformRoutes, opts.loadModule ?? importFromFunctionsDir),
    ] as const);
    hosted.resolve({ edge, functions });

    const tableNames = Object.fromEntries(tables.map((t) => [t.name, physicalTableName(t, prefix)])) as Record<TableName, string>;
    if (dataDir) {
      const startedAt = new Date().toISOString();
      writeRuntimeFile(dataDir, { pid: process.pid, port, dynamodbEndpoint, tables: tableNames, startedAt });
      s.runtimeFileIn = dataDir;
    }
    return {
      port,
      wsUrl: `ws://${base}/${OCPP_PATH_PREFIX}`,
      chargerUrl: (id) => `ws://${base}/${OCPP_PATH_PREFIX}/${encodeURIComponent(id)}`,
      managementEndpoint: `http://${base}`,
      dynamodbEndpoint,
      sqsS3Endpoint,
      tables: tableNames,
      env,
      ...(dataDir ? { dataDir } : {}),
      startup: { ...(dynamodbMs === undefined ? {} : { dynamodbMs }), totalMs: Date.now() - began },
      stop: () => stopStarted(s, logger),
      managementCalls: () => s.gateway?.managementCalls() ?? 0,
    };
  } catch (e) {
    hosted.reject(e); // upgrades already waiting fail with 500 instead of hanging
    await stopStarted(s, logger);
    throw e;
  }
};
