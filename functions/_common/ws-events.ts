/**
 * The parts of API Gateway WebSocket events our handlers read, and the context our authorizer hands to
 * every later event of the connection (API Gateway repeats `requestContext.authorizer` on each route).
 */
import type { OcppProtocol } from '#shared/ocpp/frames.ts';

export interface WsRequestContext {
  routeKey: string;
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  connectionId: string;
  connectedAt?: number;
  requestTimeEpoch?: number;
  domainName?: string;
  stage?: string;
  identity?: { sourceIp?: string };
  authorizer?: Partial<ChargerAuthContext> & { principalId?: string };
  disconnectStatusCode?: number;
}

export type Headers = Record<string, string | undefined> | null | undefined;

export interface WsAuthorizerEvent {
  type: 'REQUEST';
  methodArn: string;
  headers?: Headers;
  queryStringParameters?: Record<string, string | undefined> | null;
  requestContext: WsRequestContext;
}

export interface WsConnectEvent {
  headers?: Headers;
  queryStringParameters?: Record<string, string | undefined> | null;
  requestContext: WsRequestContext;
}

export interface WsMessageEvent {
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: WsRequestContext;
}

/** Authorizer context values must be strings, numbers or booleans. */
export interface ChargerAuthContext {
  chargeBoxId: string;
  protocol: OcppProtocol | '';
  echoProtocol: 'true' | 'false';
  register: 'true' | 'false';
  /** It registers by an enrolment code ($connect uses it up). */
  enrolment?: 'true' | 'false';
  /** It presented the next password it accepted by command ($connect makes it the only one). */
  promotesPassword?: 'true';
  /** Registration at connect; a change closes the connection, so it holds for the connection's life. */
  registration?: 'accepted' | 'pending' | 'rejected';
}

export interface WsResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Header lookup ignoring case: API Gateway keeps the client's casing, CloudFront lower-cases. */
export const header = (headers: Headers, name: string): string | undefined => {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
};

/** A REQUEST authorizer's answer: `execute-api:Invoke` on the method, allowed or denied, with the context to hand on. */
export const authorizerPolicy = <C extends object>(effect: 'Allow' | 'Deny', resource: string, principalId: string, context?: C) => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
  ...(context ? { context } : {}),
});
