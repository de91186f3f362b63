/**
 * API Gateway's own refusals of a REST API call, as RFC 9457 problem details: one table for the stack's gateway
 * responses and the local REST host, so a client sees the same status, title and detail from either. Unknown paths
 * and methods get 404, not API Gateway's 403 "Missing Authentication Token". The two defaults cover several statuses,
 * so they leave `status` out (RFC 9457 makes it optional; the HTTP status is the truth).
 */
import * as z from 'zod';
import type { HttpRoute } from '../routes.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The names of API Gateway's gateway response types used here (`ResponseType.of(name)` in CDK). */
export type GatewayRefusal =
  | 'BAD_REQUEST_BODY'
  | 'BAD_REQUEST_PARAMETERS'
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'THROTTLED'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

export interface GatewayProblem {
  readonly refusal: GatewayRefusal;
  /** The gateway response's construct id. */
  readonly id: string;
  readonly status?: number;
  readonly title: string;
  /** A detail that replaces API Gateway's message (which would be `$context.error.messageString`). */
  readonly detail?: string;
  /** API Gateway's mapping-template expression of the detail, where it is more than its message. */
  readonly detailTemplate?: string;
}

export const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  {
    refusal: 'BAD_REQUEST_BODY',
    id: 'BadRequestBody',
    status: 400,
    title: 'Bad Request',
    // Not messageString ("Invalid request body"): the validator's own words name the failing property.
    detailTemplate: '"Invalid request body: $context.error.validationErrorString"',
  },
  { refusal: 'BAD_REQUEST_PARAMETERS', id: 'BadRequestParameters', status: 400, title: 'Bad Request' },
  { refusal: 'UNAUTHORIZED', id: 'Unauthorized', status: 401, title: 'Unauthorized' },
  { refusal: 'ACCESS_DENIED', id: 'AccessDenied', status: 403, title: 'Forbidden' },
  { refusal: 'MISSING_AUTHENTICATION_TOKEN', id: 'NoSuchResource', status: 404, title: 'Not Found', detail: 'No such resource or method' },
  { refusal: 'REQUEST_TOO_LARGE', id: 'RequestTooLarge', status: 413, title: 'Content Too Large' },
  { refusal: 'UNSUPPORTED_MEDIA_TYPE', id: 'UnsupportedMediaType', status: 415, title: 'Unsupported Media Type' },
  { refusal: 'THROTTLED', id: 'Throttled', status: 429, title: 'Too Many Requests' },
  { refusal: 'DEFAULT_4XX', id: 'Default4xx', title: 'Request refused' },
  { refusal: 'DEFAULT_5XX', id: 'Default5xx', title: 'Server error' },
];

const problemOf = (refusal: GatewayRefusal): GatewayProblem => GATEWAY_PROBLEMS.find((p) => p.refusal === refusal)!;

/** The body API Gateway's mapping template renders, given the message it would put in `messageString`. */
export const gatewayProblemBody = (refusal: GatewayRefusal, message: string): string => {
  const p = problemOf(refusal);
  return JSON.stringify({ type: 'about:blank', title: p.title, ...(p.status ? { status: p.status } : {}), detail: p.detail ?? message });
};

/** The status a refusal answers with; the defaults keep the status of the error they stand for. */
export const gatewayProblemStatus = (refusal: GatewayRefusal, fallback: number): number => problemOf(refusal).status ?? fallback;

/** The query parameters a route's query schema requires: API Gateway refuses a request without them (400). */
export const requiredQueryParameters = (route: Pick<HttpRoute, 'query'>): string[] =>
  route.query ? ((z.toJSONSchema(route.query, { target: 'draft-04', io: 'input' }) as { required?: string[] }).required ?? []) : [];
