/** Builds the hosts the route table needs, one per kind present (see host.ts). */
import type { RouteDef } from '#functions/routes.ts';
import { prepareBucketHost } from './bucket.ts';
import { prepareFunctionUrlHost } from './function-url.ts';
import { type HostName, type HostOptions, type RouteHost, routesByHost } from './host.ts';
import { prepareQueueHost } from './queue.ts';
import { prepareRestHost } from './rest.ts';
import { prepareScheduleHost } from './schedule.ts';
import { prepareSftpHost } from './sftp.ts';
import { prepareStreamHost } from './stream.ts';
import { prepareWebSocketHost, type WebSocketHost } from './websocket.ts';

export type { HostOptions, RouteHost, StartContext } from './host.ts';
export { OCPP_PATH_PREFIX, type WebSocketApiEndpoint, type WebSocketHost } from './websocket.ts';

const FACTORIES: { readonly [H in Exclude<HostName, 'websocket'>]: (routes: readonly RouteDef[], opts: HostOptions) => Promise<RouteHost> } = {
  rest: prepareRestHost,
  queue: prepareQueueHost,
  stream: prepareStreamHost,
  schedule: prepareScheduleHost,
  'function-url': prepareFunctionUrlHost,
  sftp: prepareSftpHost,
  bucket: prepareBucketHost,
};

export interface Hosts {
  /** When the table has WebSocket routes; it knows the ports handlers need in their environment. */
  readonly websocket?: WebSocketHost;
  /** Every host, the WebSocket one first (it stops first, so `$disconnect` still finds the stand-ins). */
  readonly all: readonly RouteHost[];
}

/** Prepares a host per kind of route present; throws (and releases what it claimed) if one cannot be. */
export const prepareHosts = async (routes: readonly RouteDef[], opts: HostOptions): Promise<Hosts> => {
  const groups = routesByHost(routes);
  const all: RouteHost[] = [];
  try {
    const websocket = groups.websocket && (await prepareWebSocketHost(groups.websocket, opts));
    if (websocket) all.push(websocket);
    for (const [name, factory] of Object.entries(FACTORIES) as [keyof typeof FACTORIES, (typeof FACTORIES)[keyof typeof FACTORIES]][]) {
      const mine = groups[name];
      if (mine) all.push(await factory(mine, opts));
    }
    return { ...(websocket ? { websocket } : {}), all };
  } catch (e) {
    await Promise.allSettled(all.map((h) => h.stop()));
    throw e;
  }
};
