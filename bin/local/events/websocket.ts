/**
 * API Gateway WebSocket events, shaped as AWS delivers them to Lambda (proxy integration and REQUEST authorizer).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
 */
import { awsId, lastValues, requestTime } from './ids.ts';

export interface ApiInfo {
  readonly apiId: string;
  readonly stage: string;
  readonly domainName: string;
  readonly region: string;
  readonly accountId: string;
}

/** What API Gateway knows about a connection from its upgrade onwards. */
export interface ConnectionInfo {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** `requestContext.authorizer`: principalId and the authorizer's context, on every event of the connection. */
  authorizer?: Record<string, string | number>;
}

/** The upgrade request as it reaches API Gateway, after CloudFront (API Gateway's header casing). */
export interface UpgradeRequest {
  readonly headers: Record<string, string[]>;
  readonly query: Record<string, string[]>;
}

const requestContext = (api: ApiInfo, conn: ConnectionInfo, routeKey: string, eventType: string) => {
  const now = new Date();
  return {
    routeKey,
    eventType,
    extendedRequestId: awsId(),
    requestTime: requestTime(now),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: conn.connectedAt,
    requestTimeEpoch: now.getTime(),
    identity: { sourceIp: conn.sourceIp, userAgent: conn.userAgent },
    requestId: awsId(),
    domainName: api.domainName,
    connectionId: conn.connectionId,
    apiId: api.apiId,
    ...(conn.authorizer ? { authorizer: conn.authorizer } : {}),
  };
};

/** Headers and query string as API Gateway passes them: single-value maps plus the multi-value maps. */
const requestParts = (req: UpgradeRequest) => {
  const hasQuery = Object.keys(req.query).length > 0;
  return {
    headers: lastValues(req.headers),
    multiValueHeaders: req.headers,
    ...(hasQuery ? { queryStringParameters: lastValues(req.query), multiValueQueryStringParameters: req.query } : {}),
  };
};

export const methodArn = (api: ApiInfo, routeKey: string) =>
  `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/${routeKey}`;

export const authorizerEvent = (api: ApiInfo, conn: ConnectionInfo, req: UpgradeRequest) => ({
  type: 'REQUEST',
  methodArn: methodArn(api, '$connect'),
  ...requestParts(req),
  stageVariables: {},
  requestContext: requestContext(api, conn, '$connect', 'CONNECT'),
});

export const connectEvent = (api: ApiInfo, conn: ConnectionInfo, req: UpgradeRequest) => ({
  ...requestParts(req),
  requestContext: requestContext(api, conn, '$connect', 'CONNECT'),
  isBase64Encoded: false,
});

export const messageEvent = (api: ApiInfo, conn: ConnectionInfo, body: string, isBase64Encoded: boolean) => ({
  requestContext: { ...requestContext(api, conn, '$default', 'MESSAGE'), messageId: awsId() },
  body,
  isBase64Encoded,
});

export const disconnectEvent = (api: ApiInfo, conn: ConnectionInfo, statusCode: number, reason: string) => ({
  headers: { Host: api.domainName },
  multiValueHeaders: { Host: [api.domainName] },
  requestContext: {
    ...requestContext(api, conn, '$disconnect', 'DISCONNECT'),
    disconnectStatusCode: statusCode,
    disconnectReason: reason,
  },
  isBase64Encoded: false,
});
