/**
 * Host of `function-url` routes: each a Lambda function URL with auth NONE, on a port of its own
 * (`http://127.0.0.1:<port>/<any path>`): every method and path reach the function, with the request payload 2.0 event
 * (bin/local/events/function-url.ts). Lambda's 6 MiB invocation payload limit is enforced as Lambda counts it, on the
 * whole event with the body base64-encoded inside: 413 with Lambda's message, and the function never runs. The
 * function's answer becomes the response (`statusCode`, `headers`, `cookies`, `body`, `isBase64Encoded`; any other
 * value is sent as a 200 JSON document); a failed or timed-out invocation is 502, as Lambda answers it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LAMBDA_PAYLOAD_LIMIT_BYTES } from '#functions/_common/env.ts';
import { type FunctionUrlRoute, isFunctionUrlRoute, type RouteDef } from '#functions/routes.ts';
import { maskLocation } from '#shared/log/redact.ts';
import { functionUrlEvent } from '../events/index.ts';
import type { LambdaFunction } from '../lambda.ts';
import { closeServer, functionOf, type HostOptions, listenOn, type RouteHost } from './host.ts';

/** What Lambda answers an invocation whose payload is over the limit. */
const PAYLOAD_TOO_LARGE = JSON.stringify({ Message: `Request must be smaller than ${LAMBDA_PAYLOAD_LIMIT_BYTES} bytes for the InvokeFunction operation` });

/** The size of `n` body bytes once base64-encoded into the event. */
const base64Length = (n: number): number => 4 * Math.ceil(n / 3);

const send = (res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string | string[]> = {}) => {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
};

/**
 * The body, or undefined when it alone is over the payload limit: then the rest is read and dropped, so the client,
 * still sending, hears the 413 instead of a reset connection.
 */
const readBody = async (req: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (base64Length(size) > LAMBDA_PAYLOAD_LIMIT_BYTES) chunks.length = 0;
    else chunks.push(chunk);
  }
  return base64Length(size) > LAMBDA_PAYLOAD_LIMIT_BYTES ? undefined : Buffer.concat(chunks);
};

interface FunctionUrlResult {
  readonly statusCode?: unknown;
  readonly headers?: Record<string, unknown>;
  readonly cookies?: unknown[];
  readonly body?: unknown;
  readonly isBase64Encoded?: unknown;
}

const respond = (res: ServerResponse, result: unknown) => {
  const r = result as FunctionUrlResult | null | undefined;
  if (typeof r !== 'object' || r === null || r.statusCode === undefined) return send(res, 200, JSON.stringify(result ?? null));
  if (typeof r.statusCode !== 'number' || (r.body !== undefined && r.body !== null && typeof r.body !== 'string')) {
    return send(res, 502, 'Internal Server Error', { 'content-type': 'text/plain' });
  }
  const headers: Record<string, string | string[]> = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  if (r.cookies?.length) headers['set-cookie'] = r.cookies.map(String);
  const body = typeof r.body === 'string' ? Buffer.from(r.body, r.isBase64Encoded === true ? 'base64' : 'utf8') : Buffer.alloc(0);
  send(res, r.statusCode, body, headers);
};

interface Served {
  readonly route: FunctionUrlRoute;
  readonly fn: LambdaFunction;
}

const handle = async (served: Served, domainName: string, opts: HostOptions, req: IncomingMessage, res: ServerResponse) => {
  const target = req.url ?? '/';
  const query = target.indexOf('?');
  const body = await readBody(req);
  const tooLarge = (size: string) => {
    // The path of an upload URL holds its one-time token: logged masked.
    opts.logger.info(`[${served.route.id}] ${req.method ?? ''} ${maskLocation(target)}: 413, the invocation payload would be ${size} (Lambda's limit: ${LAMBDA_PAYLOAD_LIMIT_BYTES})`);
    send(res, 413, PAYLOAD_TOO_LARGE);
  };
  if (!body) return tooLarge('over the limit by its body alone');
  const event = functionUrlEvent(
    { urlId: served.route.name, domainName },
    {
      method: req.method ?? 'GET',
      rawPath: query < 0 ? target : target.slice(0, query),
      rawQueryString: query < 0 ? '' : target.slice(query + 1),
      headers: Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [k, v ?? []])),
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    },
  );
  const payload = Buffer.byteLength(JSON.stringify(event));
  if (payload > LAMBDA_PAYLOAD_LIMIT_BYTES) return tooLarge(`${payload} bytes`);
  const out = await served.fn.invoke(event);
  if (!out.ok) {
    opts.logger.error(`[${served.route.id}] invocation failed`, out.error);
    return send(res, 502, 'Internal Server Error', { 'content-type': 'text/plain' });
  }
  respond(res, out.result);
};

/** One server per function URL, on the port named after it. */
const serve = async (route: FunctionUrlRoute, opts: HostOptions) => {
  let served: Served | undefined;
  const inflight = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    if (!served) return send(res, 503, 'Service Unavailable', { 'content-type': 'text/plain' });
    const work = handle(served, domainName, opts, req, res)
      .catch((e: unknown) => {
        opts.logger.error(`[${route.id}] request failed`, e);
        send(res, 500, 'Internal Server Error', { 'content-type': 'text/plain' });
      })
      .finally(() => inflight.delete(work));
    inflight.add(work);
  });
  const domainName = await listenOn(server, opts.ports[route.name], opts.host);
  return {
    route,
    url: `http://${domainName}`,
    start: (fn: LambdaFunction) => {
      served = { route, fn };
    },
    stop: async () => {
      served = undefined;
      await closeServer(server, inflight);
    },
  };
};

export const prepareFunctionUrlHost = async (routes: readonly RouteDef[], opts: HostOptions): Promise<RouteHost> => {
  const urls: Awaited<ReturnType<typeof serve>>[] = [];
  try {
    for (const route of routes.filter(isFunctionUrlRoute)) urls.push(await serve(route, opts));
  } catch (e) {
    await Promise.allSettled(urls.map((u) => u.stop()));
    throw e;
  }
  // By the URL's name (`uploads`): the name handlers' file endpoints are known by too.
  const endpoints: Record<string, string> = Object.fromEntries(urls.map((u) => [u.route.name, u.url]));
  return {
    endpoints,
    start: async (ctx) => {
      for (const u of urls) u.start(functionOf(ctx, u.route));
    },
    stop: async () => {
      await Promise.allSettled(urls.map((u) => u.stop()));
    },
  };
};
