/**
 * One host per kind of route, behind one interface: the local counterpart of what the CDK stack wires per kind
 * (WebSocket API, REST API, SQS and DynamoDB Streams event source mappings, EventBridge rules, function URLs, the SFTP
 * server, S3 event notifications). Hosts are built
 * from the route table in two steps: `prepare` claims ports before the handlers load (their environment names
 * endpoints), `start` begins serving once handlers and stand-ins are up.
 */
import type { Server } from 'node:http';
import type { MessageSpyReader } from 'fauxqs';
import type { AddressInfo } from 'node:net';
import type { Registries } from '#functions/_routes/rules.ts';
import type { FunctionUrlName, RouteDef, RouteKind } from '#functions/routes.ts';
import type { GatewayLimits } from '../gateway/gateway.ts';
import type { Logger } from '../gateway/upgrade.ts';
import type { LocalResources } from '../handler-env.ts';
import type { LambdaFunction } from '../lambda.ts';

export type { Logger };

/** What a host knows before anything has started. */
export interface HostOptions {
  /** Address servers bind to. */
  readonly host: string;
  /** API Gateway stage name in URLs and events. */
  readonly stage: string;
  readonly logger: Logger;
  /** Ports of the servers (a function URL's by its name); 0 = a free one. */
  readonly ports: { readonly chargers: number; readonly operators: number; readonly rest: number; readonly sftp: number } & { readonly [U in FunctionUrlName]: number };
  readonly limits: GatewayLimits;
  /** Where pollers keep their position; omitted = in memory. */
  readonly dataDir?: string;
  /** How fast schedules run: 1 = real time (tests speed it up). */
  readonly scheduleTimeScale: number;
}

/** What a host gets once handlers and stand-ins are up. */
export interface StartContext {
  /** Loaded handlers by route id. */
  readonly functions: ReadonlyMap<string, LambdaFunction>;
  readonly resources: LocalResources;
  readonly registries: Registries;
  readonly endpoints: { readonly dynamodb: string; readonly sqsAndS3: string };
  /** The user pool whose access tokens the REST API accepts (the Cognito stand-in's). */
  readonly userPool: { readonly issuer: string; readonly jwksUrl: string };
  /** fauxqs's message spy, when a `bucket` route needs its object events (hosts/bucket.ts). */
  readonly s3Events?: MessageSpyReader;
}

export interface RouteHost {
  /** What it serves, by name (`restApi`, `chargerWebSocket`, ...), for the banner and the runtime file. */
  readonly endpoints: Readonly<Record<string, string>>;
  start(ctx: StartContext): Promise<void>;
  /**
   * Whether everything this host's event sources held at `since` (performance.now()) has been delivered and no
   * delivery is running (the stream host: a poll that began after `since` read every shard and found nothing).
   * Hosts that cannot tell leave it out.
   */
  caughtUp?(since: number): boolean;
  /** Stops serving; work in flight (a batch, an invocation) finishes first. Also after a failed or no start. */
  stop(): Promise<void>;
}

export type HostName = 'websocket' | 'rest' | 'queue' | 'stream' | 'schedule' | 'function-url' | 'sftp' | 'bucket';

/**
 * Which host runs each kind. A kind missing here cannot be hosted locally, and `npm start` refuses it. The REST API's
 * callers are checked as API Gateway's Cognito authorizer does (hosts/rest.ts): no Lambda authorizer route runs.
 */
export const HOST_OF_KIND: { readonly [K in Exclude<RouteKind, 'http-authorizer'>]: HostName } = {
  'ws-authorizer': 'websocket',
  ws: 'websocket',
  http: 'rest',
  queue: 'queue',
  stream: 'stream',
  schedule: 'schedule',
  'function-url': 'function-url',
  'sftp-identity': 'sftp',
  bucket: 'bucket',
};

/** Routes by the host that runs them; throws naming every route of a kind no host runs. */
export const routesByHost = (routes: readonly RouteDef[]): Partial<Record<HostName, RouteDef[]>> => {
  const unhosted = routes.filter((r) => !(r.kind in HOST_OF_KIND));
  if (unhosted.length > 0) {
    throw new Error(`The local runtime cannot host ${unhosted.map((r) => `${r.id} (kind ${String(r.kind)})`).join(', ')}.`);
  }
  const grouped: Partial<Record<HostName, RouteDef[]>> = {};
  for (const r of routes) (grouped[HOST_OF_KIND[r.kind as keyof typeof HOST_OF_KIND]] ??= []).push(r);
  return grouped;
};

/** The loaded function of a route (every route's is loaded before hosts start). */
export const functionOf = (ctx: StartContext, route: RouteDef): LambdaFunction => {
  const fn = ctx.functions.get(route.id);
  if (!fn) throw new Error(`No handler loaded for route ${route.id}.`);
  return fn;
};

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/** Starts `server` on `port` (0: a free one) and answers the `host:port` callers reach it at. */
export const listenOn = async (server: Server, port: number, host: string): Promise<string> => {
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
  return `${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`;
};

/** Stops taking requests and closes idle connections, then waits for the requests in flight. */
export const closeServer = async (server: Server, inflight: ReadonlySet<Promise<void>>): Promise<void> => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await Promise.allSettled([...inflight]);
};
