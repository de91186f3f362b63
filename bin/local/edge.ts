/**
 * CloudFront in front of the local API Gateway. It runs the exact viewer-request source CloudFront runs
 * (lib/edge/viewer-request.ts), then forwards what the distribution's origin request policy forwards, plus the
 * headers CloudFront adds itself (the origin secret, the viewer address). With firmware-edge.ts (the plain-HTTP
 * firmware distribution), the only modules of bin/local that know lib/edge.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import { isEdgeResponse, runViewerRequest, viewerRequestSource } from '../../lib/edge/viewer-request.ts';
import { FORWARDED_HEADERS, ORIGIN_VERIFY_HEADER } from '../../lib/edge/origin-headers.ts';
import type {
  CloudFrontFunctionEvent,
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
  CloudFrontValue,
} from '../../lib/edge/viewer-request.ts';

/** A response generated at the edge (the request was refused there). */
export type EdgeResponse = CloudFrontFunctionResponse;

/** What goes on the wire for a response the viewer-request function generated: status, headers, body bytes. */
export const edgeResponseParts = (res: EdgeResponse): { status: number; statusText: string; headers: Record<string, string>; body: Buffer } => ({
  status: res.statusCode,
  statusText: res.statusDescription ?? STATUS_CODES[res.statusCode] ?? 'Error',
  headers: Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k, v.value])),
  body: res.body ? Buffer.from(res.body.data, res.body.encoding === 'base64' ? 'base64' : 'utf8') : Buffer.alloc(0),
});

export interface EdgeOptions {
  readonly pathPrefix: string;
  readonly stageName: string;
  /** Value of the origin custom header X-Origin-Verify (ORIGIN_VERIFY_SECRET). */
  readonly originSecret: string;
}

/** The request as it leaves CloudFront for API Gateway: header names in the allow-list's casing, query decoded. */
export interface OriginRequest {
  readonly uri: string;
  readonly headers: Record<string, string[]>;
  readonly query: Record<string, string[]>;
}

export type EdgeOutcome =
  | { readonly refused: EdgeResponse }
  | { readonly forwarded: OriginRequest };

export interface Edge {
  viewerRequest(req: IncomingMessage): EdgeOutcome;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`, as CloudFront reports IPv4 viewers. */
export const viewerIp = (req: IncomingMessage): string => (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/** 127.0.0.0/8 and ::1: a viewer on this machine. */
export const isLoopback = (ip: string): boolean => ip === '::1' || /^127\./.test(ip);

const cfValue = (values: readonly string[]): CloudFrontValue =>
  values.length > 1 ? { value: values[0]!, multiValue: values.map((value) => ({ value })) } : { value: values[0] ?? '' };

const cfValues = (v: CloudFrontValue): string[] => v.multiValue?.map((m) => m.value) ?? [v.value];

/** Query pairs as the viewer sent them: CloudFront hands the function still-encoded values. */
const rawQuery = (search: string): Record<string, CloudFrontValue> => {
  const grouped = new Map<string, string[]>();
  for (const pair of search.split('&').filter(Boolean)) {
    const at = pair.indexOf('=');
    const [key, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  return Object.fromEntries([...grouped].map(([k, v]) => [k, cfValue(v)]));
};

/** The viewer-request event CloudFront builds from a viewer's request. */
export const viewerEvent = (req: IncomingMessage): CloudFrontFunctionEvent => {
  const url = req.url ?? '/';
  const at = url.indexOf('?');
  const headers = Object.entries(req.headersDistinct).map(([name, values]) => [name, cfValue(values ?? [])]);
  return {
    version: '1.0',
    context: { eventType: 'viewer-request', distributionDomainName: req.headers.host ?? 'localhost', requestId: cfId() },
    viewer: { ip: viewerIp(req) },
    request: {
      method: req.method ?? 'GET',
      uri: at < 0 ? url : url.slice(0, at),
      querystring: rawQuery(at < 0 ? '' : url.slice(at + 1)),
      headers: Object.fromEntries(headers),
      cookies: {},
    },
  };
};

const cfId = () => randomBytes(42).toString('base64url');

const decode = (v: string) => {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
};

interface Forwarding {
  readonly allowList: readonly string[];
  readonly originVerifyHeader: string;
}

const originRequest = (out: CloudFrontFunctionRequest, req: IncomingMessage, fwd: Forwarding, secret: string) => {
  const headers: Record<string, string[]> = {};
  for (const name of fwd.allowList) {
    const value = out.headers[name.toLowerCase()];
    if (value) headers[name] = cfValues(value);
  }
  // Added by CloudFront itself, whatever the viewer sent: the viewer's address and the origin custom header.
  if (fwd.allowList.includes('CloudFront-Viewer-Address')) {
    headers['CloudFront-Viewer-Address'] = [`${viewerIp(req)}:${req.socket.remotePort ?? 0}`];
  }
  // CloudFront sets CloudFront-Forwarded-Proto itself, never the viewer's. The local runtime has only plain ws://:
  // a charger on this machine counts as `https` (no network to read its password on), any other as `http`, which
  // keeps security profile 2 chargers of the LAN out as CloudFront's `http` would (the authorizer refuses a
  // connection that does not say https unless its charger is profile 1).
  if (fwd.allowList.includes('CloudFront-Forwarded-Proto')) headers['CloudFront-Forwarded-Proto'] = [isLoopback(viewerIp(req)) ? 'https' : 'http'];
  headers[fwd.originVerifyHeader] = [secret];
  headers['User-Agent'] = ['Amazon CloudFront'];
  headers['Via'] = ['1.1 local.cloudfront.net (CloudFront)'];
  headers['X-Amz-Cf-Id'] = [cfId()];
  headers['X-Forwarded-For'] = [viewerIp(req)];
  const query = Object.fromEntries(Object.entries(out.querystring).map(([k, v]) => [decode(k), cfValues(v).map(decode)]));
  return { uri: out.uri, headers, query };
};

export const createEdge = async (opts: EdgeOptions): Promise<Edge> => {
  // The same allow-list the CDK origin request policy uses.
  const fwd: Forwarding = { allowList: FORWARDED_HEADERS, originVerifyHeader: ORIGIN_VERIFY_HEADER };
  const source = viewerRequestSource({ pathPrefix: opts.pathPrefix, stageName: opts.stageName });
  return {
    viewerRequest: (req) => {
      let out: ReturnType<typeof runViewerRequest>;
      try {
        out = runViewerRequest(source, viewerEvent(req));
      } catch (e) {
        // The vm's time limit is wall-clock; a busy machine can reach it. CloudFront answers a function it
        // throttles with 503, which chargers retry; any other failure of the function is a 502.
        const throttled = (e as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
        return { refused: { statusCode: throttled ? 503 : 502, statusDescription: throttled ? 'Service Unavailable' : 'Bad Gateway' } };
      }
      return isEdgeResponse(out) ? { refused: out } : { forwarded: originRequest(out, req, fwd, opts.originSecret) };
    },
  };
};
