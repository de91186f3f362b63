/**
 * The CloudFront viewer-request function that maps OCPP-J charger URLs onto the API Gateway WebSocket stage, as
 * source text (for CDK and the local runtime) and as something runnable in Node (for unit tests and the local
 * runtime). Both run the exact code CloudFront runs. No CDK imports here: bin/local imports this module.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

/** `{ value }` entry of a CloudFront Functions header, query-string or cookie map. */
export interface CloudFrontValue {
  value: string;
  /** Present when the name occurs more than once; the first occurrence is also in `value`. */
  multiValue?: { value: string }[];
}

/** The request part of a CloudFront Functions event. Header names are lower-case. */
export interface CloudFrontFunctionRequest {
  method: string;
  uri: string;
  querystring: Record<string, CloudFrontValue>;
  headers: Record<string, CloudFrontValue>;
  cookies?: Record<string, CloudFrontValue>;
}

/** The CloudFront Functions event (viewer request). Only `request` is required by our function. */
export interface CloudFrontFunctionEvent {
  version?: '1.0';
  context?: { eventType?: 'viewer-request'; distributionDomainName?: string; requestId?: string };
  viewer?: { ip: string };
  request: CloudFrontFunctionRequest;
}

/** A response generated at the edge: the request never reaches the origin. */
export interface CloudFrontFunctionResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, CloudFrontValue>;
  body?: { encoding: 'text' | 'base64'; data: string };
}

/** What the function returns: the (rewritten) request to forward, or a response. */
export type CloudFrontFunctionResult = CloudFrontFunctionRequest | CloudFrontFunctionResponse;

export interface ViewerRequestOptions {
  /** URL path prefix chargers connect under, without slashes at either end, e.g. `ocpp` for `/ocpp/<id>`. */
  pathPrefix: string;
  /** API Gateway stage name the request is rewritten to (`/<stageName>?chargeBoxId=<id>`). */
  stageName: string;
}

const SOURCE_FILE = new URL('./ocpp-viewer-request.js', import.meta.url);
const PLACEHOLDERS: Record<keyof ViewerRequestOptions, string> = {
  pathPrefix: "'__OCPP_PATH_PREFIX__'",
  stageName: "'__API_STAGE_NAME__'",
};
// Characters that need no escaping in a URL path segment, so the prefix compares equal to request.uri as sent.
const VALID: Record<keyof ViewerRequestOptions, RegExp> = {
  pathPrefix: /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/,
  stageName: /^[A-Za-z0-9_-]{1,128}$/,
};
/** CloudFront Functions quota on code size. */
const MAX_SOURCE_BYTES = 10_240;

/**
 * The function source for CloudFront with `opts` substituted. Throws on an invalid prefix or stage name (say which
 * and why) and when the result would exceed CloudFront's 10 KB function size.
 */
export function viewerRequestSource(opts: ViewerRequestOptions): string {
  let source = readFileSync(SOURCE_FILE, 'utf8');
  for (const key of Object.keys(PLACEHOLDERS) as (keyof ViewerRequestOptions)[]) {
    const value = opts[key];
    if (!VALID[key].test(value)) {
      throw new Error(`viewerRequestSource: ${key} ${JSON.stringify(value)} must match ${VALID[key]}`);
    }
    const parts = source.split(PLACEHOLDERS[key]);
    if (parts.length !== 2) throw new Error(`viewerRequestSource: placeholder for ${key} must occur exactly once`);
    source = parts.join(JSON.stringify(value));
  }
  if (Buffer.byteLength(source) > MAX_SOURCE_BYTES) {
    throw new Error(`viewerRequestSource: ${Buffer.byteLength(source)} bytes exceeds CloudFront's 10 KB limit`);
  }
  return source;
}

const scripts = new Map<string, vm.Script>();

const compile = (source: string): vm.Script => {
  let script = scripts.get(source);
  if (!script) {
    // The event crosses the realm boundary as JSON so results are plain objects of this realm.
    script = new vm.Script(`${source}\n;JSON.stringify(handler(JSON.parse(__event)));`, {
      filename: 'ocpp-viewer-request.js',
    });
    scripts.set(source, script);
  }
  return script;
};

/**
 * Runs `source` (from `viewerRequestSource`) on `event` in a fresh `node:vm` context, as CloudFront would: no
 * Node globals and no state shared between calls. The caller's event is not mutated. The time limit only stops
 * runaway code; CloudFront's own limit is compute utilisation, which Node cannot measure.
 */
export function runViewerRequest(source: string, event: CloudFrontFunctionEvent): CloudFrontFunctionResult {
  const context = vm.createContext({ __event: JSON.stringify(event) });
  const out: unknown = compile(source).runInContext(context, { timeout: 250 });
  return JSON.parse(String(out)) as CloudFrontFunctionResult;
}

/** Narrows a result to a generated response (the request was refused at the edge). */
export const isEdgeResponse = (r: CloudFrontFunctionResult): r is CloudFrontFunctionResponse => 'statusCode' in r;
