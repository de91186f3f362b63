/**
 * Lambda function URL events: the request payload, version 2.0 (the shape of API Gateway HTTP API v2 events).
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
import { awsId, requestTime } from './ids.ts';

export interface FunctionUrlInfo {
  /** The URL's id: the first label of its domain. */
  readonly urlId: string;
  /** `host:port` locally; `<url id>.lambda-url.<region>.on.aws` on AWS. */
  readonly domainName: string;
}

/** A request as the function URL received it. */
export interface FunctionUrlRequest {
  readonly method: string;
  /** The path as sent, percent-encoding kept. */
  readonly rawPath: string;
  /** Without the `?`. */
  readonly rawQueryString: string;
  /** Each header's values in order, names lower-cased. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
  readonly sourceIp: string;
}

/**
 * Bodies of these types arrive as text; any other (binary, forms, multipart, none) base64-encoded, with
 * `isBase64Encoded: true`: the handler must decode them either way.
 */
const TEXT_TYPE = /^\s*(text\/[^;]+|application\/([\w.+-]*\+)?(json|xml)|application\/javascript)\s*(;|$)/i;

export const isTextBody = (contentType: string | undefined): boolean => contentType !== undefined && TEXT_TYPE.test(contentType);

const queryParameters = (raw: string): Record<string, string> | undefined => {
  if (raw === '') return undefined;
  const out: Record<string, string> = {};
  // Repeated names are comma-joined, as for headers.
  for (const [k, v] of new URLSearchParams(raw)) out[k] = k in out ? `${out[k]},${v}` : v;
  return out;
};

export const functionUrlEvent = (url: FunctionUrlInfo, req: FunctionUrlRequest) => {
  const now = new Date();
  const { cookie, ...others } = req.headers;
  // Cookies come apart in `cookies`; other repeated headers as one comma-separated value.
  const headers = Object.fromEntries(Object.entries(others).map(([k, v]) => [k, v.join(',')]));
  const text = isTextBody(headers['content-type']);
  const query = queryParameters(req.rawQueryString);
  const cookies = cookie?.flatMap((c) => c.split(/;\s*/)).filter((c) => c !== '');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: req.rawPath,
    rawQueryString: req.rawQueryString,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      // A function URL with auth NONE names no caller.
      accountId: 'anonymous',
      apiId: url.urlId,
      domainName: url.domainName,
      domainPrefix: url.urlId,
      http: { method: req.method, path: req.rawPath, protocol: 'HTTP/1.1', sourceIp: req.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: awsId(),
      routeKey: '$default',
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(req.body.length > 0 ? { body: req.body.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: req.body.length > 0 && !text,
  };
};
