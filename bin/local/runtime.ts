/**
 * The whole platform on one machine: DynamoDB Local, fauxqs (SQS + S3), and one host per kind of route of
 * functions/routes.ts (bin/local/hosts), all running the handlers in this process, as Lambda would host them.
 * The route rules run first, as at `cdk synth`: a table either host would refuse fails here by route.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { checkRoutes, platformRegistries, type Registries } from '#functions/_routes/rules.ts';
import { isBucketRoute, routes as platformRoutes } from '#functions/routes.ts';
import type { SecretName } from '#functions/_common/env.ts';
import type { RouteDef } from '#functions/routes.ts';
import { filesBucket as filesBucketDef } from '#shared/store/buckets.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import type { TableName } from '#shared/store/tables.ts';
import { type CognitoStandIn, startCognitoStandIn } from './cognito/server.ts';
import { startDynamoLocal } from './dynamo-local.ts';
import { superviseDynamo } from './dynamo-supervisor.ts';
import { DEFAULT_ADMISSION } from './gateway/admission.ts';
import type { AdmissionLimits } from './gateway/admission.ts';
import { API_GATEWAY_LIMITS } from './gateway/connections.ts';
import { DEFAULT_MAX_DISCONNECTS_IN_PROGRESS, DEFAULT_MAX_INVOCATIONS_PER_CONNECTION } from './gateway/gateway.ts';
import type { GatewayStats } from './gateway/gateway.ts';
import type { Logger } from './gateway/upgrade.ts';
import { LOCAL_AWS_ENV, applyEnv, handlerEnv, localDynamoClient, localSettings } from './handler-env.ts';
import type { LocalResources, PlatformSettings } from './handler-env.ts';
import { type Hosts, OCPP_PATH_PREFIX, prepareHosts } from './hosts/index.ts';
import { SPY_BUFFER_SIZE } from './hosts/bucket.ts';
import { importFromFunctionsDir, loadFunctions } from './lambda.ts';
import type { LoadModule } from './lambda.ts';
import { ensureBuckets, ensureQueues, type LocalQueue } from './queues.ts';
import { announceRuntime, dynamoDataPath, type LocalUserPool } from './runtime-file.ts';

export type { LocalUserPool };
import { type FirmwareEdge, newLocalSigningKey, startFirmwareEdge } from './firmware-edge.ts';
import { captureEmbeddedMetrics, MetricsCollector, serveMetrics } from './metrics.ts';
import { freePort } from './os.ts';
import { localSecrets, serveLocalSecrets } from './secrets.ts';
import { ensureTables, physicalTableName } from './tables.ts';

/** Stage, as deployed (the CloudFront function is built with it and OCPP_PATH_PREFIX). */
export const LOCAL_STAGE = 'local';
export { OCPP_PATH_PREFIX };

export interface LocalRuntimeOptions extends PlatformSettings {
  /** Port of the charger WebSocket API + @connections; 0 = a free one. @default 0 */
  readonly port?: number;
  /** Port of the REST API (when the table has `http` routes); 0 = a free one. @default 0 */
  readonly restPort?: number;
  /** Port of the HTTPS upload endpoint (the `uploads` function URL), when the table has it; 0 = a free one. @default 0 */
  readonly uploadsPort?: number;
  /** Port of the operators WebSocket API (when the table has routes for it); 0 = a free one. @default 0 */
  readonly operatorsPort?: number;
  /** Port of the Cognito stand-in (user pool API, JWKS, token endpoint); 0 = a free one. @default 0 */
  readonly authPort?: number;
  /** Port of the SFTP stand-in for Transfer Family (when the table has an `sftp-identity` route); 0 = a free one. @default 0 */
  readonly sftpPort?: number;
  /**
   * Port of the plain-HTTP firmware distribution (bin/local/firmware-edge.ts, CloudFront on AWS), when the table has
   * the upload endpoint; 0 = a free one. @default 0
   */
  readonly firmwareHttpPort?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Keep DynamoDB, fauxqs and stream positions here (and write runtime.json); omitted = everything in memory. */
  readonly dataDir?: string;
  /** Use this DynamoDB (the test run's) instead of starting DynamoDB Local. */
  readonly dynamodbEndpoint?: string;
  /** Port for a DynamoDB Local this runtime starts. @default env DDB_PORT, else a free port */
  readonly dynamodbPort?: number;
  /** Prefix of the physical table names, so runtimes sharing one DynamoDB cannot collide. @default '' */
  readonly tablePrefix?: string;
  /** @default functions/routes.ts */
  readonly routes?: readonly RouteDef[];
  /** Tables, queues and buckets routes may name. @default the registries of shared/store/ */
  readonly registries?: Registries;
  /** @default import of functions/<entry> */
  readonly loadModule?: LoadModule;
  /** API Gateway's 10-minute idle timeout; 0 = off. */
  readonly idleTimeoutMs?: number;
  /** API Gateway's 2-hour maximum connection duration; 0 = off. */
  readonly maxConnectionMs?: number;
  /** Admission control of upgrades (a reconnect storm); each field defaults to DEFAULT_ADMISSION's. */
  readonly admission?: Partial<AdmissionLimits>;
  /** `$default` invocations one connection may have running; frames beyond get `Too Many Requests`. @default 10 */
  readonly maxInvocationsPerConnection?: number;
  /** `$disconnect` invocations running at once; the rest wait their turn. @default 64 */
  readonly maxDisconnectsInProgress?: number;
  /** Schedules run this many times faster than real time (tests). @default 1 */
  readonly scheduleTimeScale?: number;
  /** @default console */
  readonly logger?: Logger;
  /**
   * Told when the runtime cannot go on: the DynamoDB Local it started died and could not be restarted (or held
   * its data in memory). The caller should stop() it. @default logs the error
   */
  readonly onFatal?: (error: Error) => void;
}

/** How a stop went: anything in `problems` means it was not clean (state may be left behind). */
export interface StopReport {
  readonly problems: readonly string[];
}

export interface LocalRuntime {
  /** Port of the charger WebSocket API (0 when the table has none). */
  readonly port: number;
  /** `ws://127.0.0.1:<port>/ocpp`: chargers append `/<chargeBoxId>`. */
  readonly wsUrl: string;
  chargerUrl(chargeBoxId: string): string;
  /** Endpoint for ApiGatewayManagementApiClient (`http://127.0.0.1:<port>`) of the charger API. */
  readonly managementEndpoint: string;
  /** `http://127.0.0.1:<port>/local`, when the table has `http` routes. */
  readonly restUrl?: string;
  /** `http://127.0.0.1:<port>`, the upload endpoint (the `uploads` function URL), when the table has it. */
  readonly uploadsUrl?: string;
  /** `http://127.0.0.1:<port>`, the plain-HTTP firmware distribution in front of the upload endpoint (FIRMWARE_HTTP_URL). */
  readonly firmwareHttpUrl?: string;
  /** The Cognito stand-in: the user pool operators sign in to (bin/local/cognito). */
  readonly userPool: LocalUserPool;
  readonly dynamodbEndpoint: string;
  /** fauxqs, serving SQS and S3. */
  readonly sqsS3Endpoint: string;
  /** Everything served, by name (as in the runtime file and the banner). */
  readonly endpoints: Readonly<Record<string, string>>;
  readonly tables: Readonly<Record<TableName, string>>;
  /** Queues by logical name, with their dead-letter queues. */
  readonly queues: Readonly<Record<string, LocalQueue>>;
  /** Local bucket names by logical name. */
  readonly buckets: Readonly<Record<string, string>>;
  /** What the handlers run with (also set on process.env until stop): the union of every route's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The secrets' values, as the local Secrets Manager serves them (handlers read them from there, by id). */
  readonly secrets: Readonly<Record<SecretName, string>>;
  readonly dataDir?: string;
  /** How many routes of each kind are hosted. */
  readonly routeCounts: Readonly<Record<string, number>>;
  /** Milliseconds DynamoDB Local took to answer (undefined when an endpoint was given), and the whole start. */
  readonly startup: { readonly dynamodbMs?: number; readonly totalMs: number };
  /**
   * Stops the hosts (closing connections runs $disconnect; batches in flight finish), then the stand-ins.
   * Reports what went wrong meanwhile, e.g. `$disconnect` invocations that failed because DynamoDB was down.
   */
  stop(): Promise<StopReport>;
  /** `@connections` calls the WebSocket APIs have served (handlers closing or messaging connections). */
  managementCalls(): number;
  /** What the charger gateway turned away or lost: upgrades refused or abandoned, frames throttled, ... */
  gatewayStats(): GatewayStats;
  /**
   * Whether the stream pollers have delivered every record written before `since` (performance.now()) and none is
   * delivering (bin/local/hosts/stream.ts). Queue and schedule hosts do not report: their handlers' invocations
   * in flight are the caller's to watch.
   */
  streamsCaughtUp(since: number): boolean;
}

const poolOf = (c: CognitoStandIn): LocalUserPool => ({
  id: c.userPoolId,
  endpoint: c.endpoint,
  issuer: c.issuer,
  jwksUrl: c.jwksUrl,
  tokenUrl: c.tokenUrl,
  peopleClientId: c.peopleClientId,
});

const NO_GATEWAY: GatewayStats = {
  upgradesRefusedBusy: 0,
  upgradesAbandoned: 0,
  framesThrottled: 0,
  disconnectsFailed: 0,
  upgradesInProgress: 0,
  upgradesWaiting: 0,
  disconnectsPending: 0,
};

/** What has been started so far, so a failed start and stop() undo exactly that. */
interface Started {
  hosts?: Hosts;
  forgetRuntime?: () => void;
  restoreEnv?: () => void;
  sqsS3?: FauxqsServer;
  cognito?: { stop(): Promise<void> };
  dynamo?: { stop(): Promise<void> };
  firmwareEdge?: FirmwareEdge;
  metrics?: { close(): Promise<void> };
  restoreStdout?: () => void;
}

/** Hosts stop first (a $disconnect still needs env and DynamoDB), the stand-ins last. Returns what failed. */
const stopStarted = async (s: Started, logger: Logger): Promise<string[]> => {
  const problems: string[] = [];
  const steps: [string, (() => unknown) | undefined][] = [
    ['the hosts', s.hosts && (() => Promise.all(s.hosts?.all.map((h) => h.stop()) ?? []))],
    ['the firmware edge', s.firmwareEdge && (() => s.firmwareEdge?.close())],
    ['the metrics page', s.metrics && (() => s.metrics?.close())],
    ['stdout', s.restoreStdout],
    ['the runtime files', s.forgetRuntime],
    ['the environment', s.restoreEnv],
    ['fauxqs', s.sqsS3 && (() => s.sqsS3?.stop())],
    ['the Cognito stand-in', s.cognito && (() => s.cognito?.stop())],
    ['DynamoDB Local', s.dynamo && (() => s.dynamo?.stop())],
  ];
  for (const [what, step] of steps) {
    try {
      await step?.();
    } catch (e) {
      logger.error(`[local] stopping ${what} failed`, e);
      problems.push(`stopping ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  Object.keys(s).forEach((k) => delete s[k as keyof Started]);
  return problems;
};

/** Starts DynamoDB Local under supervision (see dynamo-supervisor.ts), unless an endpoint was given. */
const startDynamo = async (
  opts: LocalRuntimeOptions,
  dataDir: string | undefined,
  port: number | undefined,
  s: Started,
  ensureTablesAgain: () => Promise<void>,
) => {
  if (opts.dynamodbEndpoint) return undefined;
  const start = () => startDynamoLocal({ ...(dataDir ? { dbPath: dynamoDataPath(dataDir) } : {}), ...(port ? { port } : {}) });
  const ddb = await start();
  const logger = opts.logger ?? console;
  s.dynamo = superviseDynamo(ddb, {
    restart: start,
    afterRestart: ensureTablesAgain,
    persistent: dataDir !== undefined,
    logger,
    onFatal: opts.onFatal ?? ((e) => logger.error(`[local] ${e.message}`)),
  });
  return ddb.startupMs;
};

const createTables = async (endpoint: string, prefix: string, registries: Registries) => {
  const db = localDynamoClient(endpoint);
  try {
    await ensureTables(db, registries.tables, prefix);
  } finally {
    db.destroy();
  }
};

/**
 * fauxqs with the registry's queues and buckets, on a port it picks: a port found free beforehand can be taken by
 * another process (an outgoing connection's ephemeral port) before fauxqs binds it.
 */
const startSqsS3 = async (dataDir: string | undefined, registries: Registries, s: Started, objectEvents: boolean) => {
  const fauxDir = dataDir && join(dataDir, 'fauxqs');
  if (fauxDir) mkdirSync(fauxDir, { recursive: true });
  // The spy is how `bucket` routes hear of new objects (hosts/bucket.ts); its buffer is bounded, so it is only memory for that.
  const spies = objectEvents ? { messageSpies: { bufferSize: SPY_BUFFER_SIZE } } : {};
  const faux = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false, ...spies, ...(fauxDir ? { dataDir: fauxDir } : {}) });
  s.sqsS3 = faux;
  // An IP host makes the S3 client use path-style URLs.
  const endpoint = `http://127.0.0.1:${faux.port}`;
  const sqs = new SQSClient(awsClientConfig('sqs', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_SQS: endpoint }));
  try {
    return { endpoint, queues: await ensureQueues(sqs, registries.queues), buckets: ensureBuckets(faux, registries.buckets) };
  } finally {
    sqs.destroy();
  }
};

/** Like Promise.all, but waits for every start to settle, so nothing is left running unseen when one fails. */
const settled = async <T extends readonly unknown[]>(work: { [K in keyof T]: Promise<T[K]> }): Promise<T> => {
  const results = await Promise.allSettled(work);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
};

const countKinds = (routes: readonly RouteDef[]) =>
  routes.reduce<Record<string, number>>((n, r) => ({ ...n, [r.kind]: (n[r.kind] ?? 0) + 1 }), {});

/**
 * Starts the platform and resolves once every host serves. Handlers are imported once per process (Node caches
 * modules, like a warm Lambda container) and read process.env at import: run one runtime at a time per
 * process, and a later one in the same process keeps the handlers' first environment (ports, table names).
 */
export const startLocalRuntime = async (opts: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  const began = Date.now();
  const logger = opts.logger ?? console;
  const routes = opts.routes ?? platformRoutes;
  const registries = opts.registries ?? platformRegistries;
  checkRoutes(routes, registries);
  const dataDir = opts.dataDir && resolve(opts.dataDir);
  const prefix = opts.tablePrefix ?? '';
  const host = opts.host ?? '127.0.0.1';
  const s: Started = {};
  try {
    s.hosts = await prepareHosts(routes, {
      host,
      stage: LOCAL_STAGE,
      logger,
      ports: { chargers: opts.port ?? 0, operators: opts.operatorsPort ?? 0, rest: opts.restPort ?? 0, uploads: opts.uploadsPort ?? 0, sftp: opts.sftpPort ?? 0 },
      limits: {
        idleTimeoutMs: opts.idleTimeoutMs ?? API_GATEWAY_LIMITS.idleTimeoutMs,
        maxConnectionMs: opts.maxConnectionMs ?? API_GATEWAY_LIMITS.maxConnectionMs,
        ...DEFAULT_ADMISSION,
        ...opts.admission,
        maxInvocationsPerConnection: opts.maxInvocationsPerConnection ?? DEFAULT_MAX_INVOCATIONS_PER_CONNECTION,
        maxDisconnectsInProgress: opts.maxDisconnectsInProgress ?? DEFAULT_MAX_DISCONNECTS_IN_PROGRESS,
      },
      ...(dataDir ? { dataDir } : {}),
      scheduleTimeScale: opts.scheduleTimeScale ?? 1,
    });
    const ddbPort = opts.dynamodbEndpoint ? undefined : (opts.dynamodbPort ?? (Number(process.env.DDB_PORT) || (await freePort())));
    const dynamodbEndpoint = opts.dynamodbEndpoint ?? `http://127.0.0.1:${ddbPort}`;
    let sqsS3Endpoint = ''; // once fauxqs listens
    const apis = s.hosts.websocket?.apis ?? {};
    // Ports are claimed: what chargers are sent to (upload locations) is known before the handlers load, which read it at import.
    const served: Record<string, string> = Object.assign({}, ...s.hosts.all.map((h) => h.endpoints));
    const tableNames = Object.fromEntries(registries.tables.map((t) => [t.name, physicalTableName(t, prefix)])) as Record<TableName, string>;
    const settings = localSettings(opts);
    // The handlers' embedded-metric lines, read back as they print them (`npm run cli -- metrics`).
    const collector = new MetricsCollector();
    s.restoreStdout = captureEmbeddedMetrics(collector);
    const metricsPage = await serveMetrics(collector, host);
    s.metrics = metricsPage;
    served.metrics = metricsPage.url;
    // CloudFront's plain-HTTP firmware distribution in front of the upload endpoint, with a key pair of this start.
    let filesBucket: { client: S3Client; name: string } | undefined;
    const signingKey = served.uploads ? newLocalSigningKey() : undefined;
    if (served.uploads && signingKey) {
      s.firmwareEdge = await startFirmwareEdge({ host, port: opts.firmwareHttpPort ?? 0, key: signingKey, originUrl: served.uploads, bucket: () => filesBucket });
      served.firmwareHttp = s.firmwareEdge.url;
    }
    const secrets = { ...localSecrets(dataDir), ...(signingKey ? { firmwareHttpSigningKey: signingKey.secretValue } : {}) };
    const secretsManager = await serveLocalSecrets(secrets);
    const cognito = await startCognitoStandIn({ port: opts.authPort ?? 0, host, ...(dataDir ? { dataDir } : {}) });
    s.cognito = cognito;
    const userPool = poolOf(cognito);
    let env: Record<string, string> = {};
    let resources: LocalResources | undefined;
    // DynamoDB Local (seconds) starts while fauxqs, the queues and the handlers load: their env needs queue URLs.
    const [dynamodbMs, functions] = await settled([
      startDynamo(opts, dataDir, ddbPort, s, () => createTables(dynamodbEndpoint, prefix, registries)).then(async (ms) => {
        await createTables(dynamodbEndpoint, prefix, registries);
        return ms;
      }),
      startSqsS3(dataDir, registries, s, routes.some(isBucketRoute)).then(async ({ endpoint, queues, buckets }) => {
        sqsS3Endpoint = endpoint;
        resources = { tables: tableNames, queues, buckets, secrets, secretIds: secretsManager.ids, settings };
        const files = buckets[filesBucketDef.name];
        if (files) filesBucket = { client: new S3Client(awsClientConfig('s3', { AWS_ENDPOINT_URL_S3: sqsS3Endpoint })), name: files };
        const webSocketApis = Object.fromEntries(Object.entries(apis).map(([name, a]) => [name, a.httpUrl]));
        env = handlerEnv(
          {
            dynamodb: dynamodbEndpoint,
            sqsAndS3: sqsS3Endpoint,
            secretsManager: secretsManager.endpoint,
            webSocketApis,
            userPool,
            fileEndpoints: {
              ...(served.uploads ? { uploads: served.uploads } : {}),
              ...(served.sftp ? { sftp: served.sftp } : {}),
              ...(served.firmwareHttp ? { firmwareHttp: served.firmwareHttp } : {}),
            },
          },
          { routes, registries },
          resources,
        );
        s.restoreEnv = applyEnv(env); // before the handlers load: they read it at import, as at a cold start
        const loaded = await loadFunctions(routes, opts.loadModule ?? importFromFunctionsDir);
        return new Map([...loaded].map(([route, fn]) => [route.id, fn]));
      }),
    ] as const);
    const ready = resources as LocalResources;
    const ctx = {
      functions,
      resources: ready,
      registries,
      endpoints: { dynamodb: dynamodbEndpoint, sqsAndS3: sqsS3Endpoint },
      userPool: { issuer: userPool.issuer, jwksUrl: userPool.jwksUrl },
      // Reading `spy` throws when fauxqs runs without it.
      ...(routes.some(isBucketRoute) && s.sqsS3 ? { s3Events: s.sqsS3.spy } : {}),
    };
    for (const h of s.hosts.all) await h.start(ctx);

    const endpoints = Object.assign(
      {},
      served,
      { dynamodb: dynamodbEndpoint, sqs: sqsS3Endpoint, s3: sqsS3Endpoint, secretsManager: secretsManager.endpoint, cognito: cognito.endpoint },
    ) as Record<string, string>;
    const chargers = apis.chargers;
    s.forgetRuntime = announceRuntime({
      pid: process.pid,
      startedAt: new Date().toISOString(),
      dataDir: dataDir ?? null,
      ...(chargers ? { port: chargers.port } : {}),
      dynamodbEndpoint,
      endpoints,
      tables: tableNames,
      queues: Object.fromEntries(Object.entries(ready.queues).map(([n, q]) => [n, q.url])),
      buckets: ready.buckets,
      secretIds: secretsManager.ids,
      userPool,
    });
    const websocket = s.hosts.websocket;
    return {
      port: chargers?.port ?? 0,
      wsUrl: chargers?.wsUrl ?? '',
      chargerUrl: (id) => `${chargers?.wsUrl ?? ''}/${encodeURIComponent(id)}`,
      managementEndpoint: chargers?.httpUrl ?? '',
      ...(endpoints.restApi ? { restUrl: endpoints.restApi } : {}),
      ...(served.uploads ? { uploadsUrl: served.uploads } : {}),
      ...(served.firmwareHttp ? { firmwareHttpUrl: served.firmwareHttp } : {}),
      userPool,
      dynamodbEndpoint,
      sqsS3Endpoint,
      endpoints,
      tables: tableNames,
      queues: ready.queues,
      buckets: ready.buckets,
      env,
      secrets,
      ...(dataDir ? { dataDir } : {}),
      routeCounts: countKinds(routes),
      startup: { ...(dynamodbMs === undefined ? {} : { dynamodbMs }), totalMs: Date.now() - began },
      stop: async () => {
        const failedBefore = websocket?.chargerGatewayStats()?.disconnectsFailed ?? 0;
        const problems = await stopStarted(s, logger);
        const lost = (websocket?.chargerGatewayStats()?.disconnectsFailed ?? 0) - failedBefore;
        if (lost > 0) problems.unshift(`${lost} $disconnect invocation(s) failed: those chargers stay recorded as connected until they reconnect`);
        return { problems };
      },
      managementCalls: () => websocket?.managementCalls() ?? 0,
      gatewayStats: () => websocket?.chargerGatewayStats() ?? NO_GATEWAY,
      streamsCaughtUp: (since) => (s.hosts?.all ?? []).every((h) => h.caughtUp?.(since) ?? true),
    };
  } catch (e) {
    await stopStarted(s, logger);
    throw e;
  }
};
