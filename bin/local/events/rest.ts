/**
 * API Gateway REST API (v1) events: the Lambda proxy integration event.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 */
import { awsId, lastValues, requestTime } from './ids.ts';

export interface RestApiInfo {
  readonly apiId: string;
  readonly stage: string;
  readonly domainName: string;
  readonly region: string;
  readonly accountId: string;
}

/** A request as API Gateway has routed it. */
export interface RestRequest {
  readonly method: string;
  /** The route's resource path, e.g. `/chargers/{chargerId}`. */
  readonly resource: string;
  /** The request path without the stage, e.g. `/chargers/CP-1`. */
  readonly path: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly query: Readonly<Record<string, readonly string[]>>;
  readonly body: string | null;
  readonly sourceIp: string;
  /** `requestContext.authorizer` of an admitted request: `{ claims }` from the Cognito authorizer. */
  readonly authorizer?: Readonly<Record<string, unknown>>;
}

const orNull = <T extends object>(map: T): T | null => (Object.keys(map).length > 0 ? map : null);

export const restProxyEvent = (api: RestApiInfo, req: RestRequest) => {
  const now = new Date();
  const userAgent = req.headers['User-Agent']?.at(-1) ?? req.headers['user-agent']?.at(-1) ?? '';
  return {
    resource: req.resource,
    path: req.path,
    httpMethod: req.method,
    headers: orNull(lastValues(req.headers)),
    multiValueHeaders: orNull({ ...req.headers }),
    queryStringParameters: orNull(lastValues(req.query)),
    multiValueQueryStringParameters: orNull({ ...req.query }),
    pathParameters: orNull({ ...req.pathParameters }),
    stageVariables: null,
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      ...(req.authorizer ? { authorizer: { ...req.authorizer } } : {}),
      domainName: api.domainName,
      domainPrefix: api.domainName.split('.')[0],
      extendedRequestId: awsId(),
      httpMethod: req.method,
      identity: { sourceIp: req.sourceIp, userAgent, accessKey: null, accountId: null, caller: null, user: null, userArn: null },
      path: `/${api.stage}${req.path}`,
      protocol: 'HTTP/1.1',
      requestId: awsId(),
      requestTime: requestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: awsId().slice(0, 6).toLowerCase(),
      resourcePath: req.resource,
      stage: api.stage,
    },
    body: req.body,
    isBase64Encoded: false,
  };
};
