/** Routes about the API itself: open on purpose (they read nothing of the network). */
import * as z from 'zod';
import type { HttpRoute } from '../../routes.ts';

export const healthRoute = {
  kind: 'http',
  id: 'Health',
  method: 'GET',
  path: '/health',
  auth: { type: 'none' },
  summary: 'Liveness: answers 200 when the API and its functions run; reads nothing',
  response: z.object({ status: z.literal('ok') }),
  entry: 'api/meta/health.ts',
  access: {},
} as const satisfies HttpRoute;

export const openApiRoute = {
  kind: 'http',
  id: 'GetOpenApiDocument',
  method: 'GET',
  path: '/openapi.json',
  auth: { type: 'none' },
  summary: 'This API described as an OpenAPI 3.1 document, generated from the route table',
  entry: 'api/meta/openapi.ts',
  access: {},
} as const satisfies HttpRoute;

export const metaRoutes = [healthRoute, openApiRoute] as const;
