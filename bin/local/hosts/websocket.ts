/**
 * Host of `ws` and `ws-authorizer` routes: one local API Gateway (bin/local/gateway) per WebSocket API of the
 * table, each on its own port with its own @connections. The charger API sits behind the CloudFront stand-in
 * (`/ocpp/<chargeBoxId>`); others are reached at their stage path.
 */
import { isWsAuthorizer, isWsRoute, type RouteDef, type WebSocketApiName } from '#functions/routes.ts';
import { createEdge } from '../edge.ts';
import { createGateway, type Gateway, type GatewayStats, type Hosted } from '../gateway/gateway.ts';
import type { WsFunctions } from '../gateway/upgrade.ts';
import { functionOf, type HostOptions, type RouteHost, type StartContext } from './host.ts';

/** Charger path, as deployed (the CloudFront function is built with the same value). */
export const OCPP_PATH_PREFIX = 'ocpp';

export interface WebSocketApiEndpoint {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: the @connections endpoint for ApiGatewayManagementApiClient. */
  readonly httpUrl: string;
  /** Where clients connect: `ws://127.0.0.1:<port>/ocpp` for chargers (append `/<chargeBoxId>`), else the stage. */
  readonly wsUrl: string;
}

export interface WebSocketHost extends RouteHost {
  readonly apis: Partial<Record<WebSocketApiName, WebSocketApiEndpoint>>;
  /** `@connections` calls served so far, all APIs. */
  managementCalls(): number;
  /** What the charger API's gateway turned away or lost so far (undefined without a charger API). */
  chargerGatewayStats(): GatewayStats | undefined;
}

const deferred = <T>() => {
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  promise.catch(() => undefined); // upgrades waiting on it answer 500; the start failure is reported elsewhere
  return { promise, ...settle };
};

const wsFunctions = (routes: readonly RouteDef[], ctx: StartContext): WsFunctions => {
  const authorizer = routes.find(isWsAuthorizer);
  const entries = routes.filter(isWsRoute).map((route) => [route.routeKey, { route, fn: functionOf(ctx, route) }] as const);
  return {
    routes: Object.fromEntries(entries),
    ...(authorizer ? { authorizer: { route: authorizer, fn: functionOf(ctx, authorizer) } } : {}),
  };
};

interface Api {
  readonly name: WebSocketApiName;
  readonly routes: readonly RouteDef[];
  readonly gateway: Gateway;
  readonly hosted: ReturnType<typeof deferred<Hosted>>;
  readonly endpoint: WebSocketApiEndpoint;
}

const openApi = async (name: WebSocketApiName, routes: readonly RouteDef[], opts: HostOptions): Promise<Api> => {
  const hosted = deferred<Hosted>();
  const gateway = createGateway({ hosted: hosted.promise, stage: opts.stage, limits: opts.limits, logger: opts.logger });
  const port = await gateway.listen(opts.ports[name], opts.host);
  const base = `${opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host}:${port}`;
  const path = name === 'chargers' ? OCPP_PATH_PREFIX : opts.stage;
  return { name, routes, gateway, hosted, endpoint: { port, httpUrl: `http://${base}`, wsUrl: `ws://${base}/${path}` } };
};

export const prepareWebSocketHost = async (routes: readonly RouteDef[], opts: HostOptions): Promise<WebSocketHost> => {
  const names = [...new Set(routes.flatMap((r) => (isWsRoute(r) || isWsAuthorizer(r) ? [r.api] : [])))];
  const apis: Api[] = [];
  try {
    for (const name of names) apis.push(await openApi(name, routes.filter((r) => 'api' in r && r.api === name), opts));
  } catch (e) {
    await Promise.all(apis.map((a) => a.gateway.close()));
    throw e;
  }
  let started = false;
  const label = (name: WebSocketApiName) => (name === 'chargers' ? 'charger' : name);
  return {
    apis: Object.fromEntries(apis.map((a) => [a.name, a.endpoint])),
    endpoints: Object.fromEntries(
      apis.flatMap((a) => [
        [`${label(a.name)}WebSocket`, a.endpoint.wsUrl],
        [`${label(a.name)}Connections`, `${a.endpoint.httpUrl}/@connections/{connectionId}`],
      ]),
    ),
    managementCalls: () => apis.reduce((n, a) => n + a.gateway.managementCalls(), 0),
    chargerGatewayStats: () => apis.find((a) => a.name === 'chargers')?.gateway.stats(),
    start: async (ctx) => {
      for (const api of apis) {
        const edge =
          api.name === 'chargers'
            ? await createEdge({ pathPrefix: OCPP_PATH_PREFIX, stageName: opts.stage, originSecret: ctx.resources.secrets.originVerify })
            : undefined;
        api.hosted.resolve({ functions: wsFunctions(api.routes, ctx), ...(edge ? { edge } : {}) });
      }
      started = true;
    },
    stop: async () => {
      if (!started) for (const api of apis) api.hosted.reject(new Error('the local runtime did not start'));
      await Promise.all(apis.map((a) => a.gateway.close()));
    },
  };
};
