/**
 * The OpenAPI 3.1 document of the REST API, generated from the route table: the same zod schemas that check
 * bodies and query strings describe them here, so the document cannot drift from what the API accepts. Pure
 * data in, data out: served by the `GetOpenApiDocument` route and read by the tests.
 */
import * as z from 'zod';
import type { ZodType } from 'zod';
import type { HttpRoute, RouteDef } from '../routes.ts';
import { MACHINE_SCOPES, machineScopesOf, PEOPLE_SCOPE } from './http-auth.ts';

type Json = Record<string, unknown>;

export interface OpenApiOptions {
  /** Where the API is reached (`https://<domain>/<stage>`). */
  readonly serverUrl: string;
  /** The OAuth token endpoint of machine clients (Cognito's domain on AWS, the local stand-in under `npm start`). */
  readonly tokenUrl?: string;
  readonly version?: string;
}

/** A schema in JSON Schema 2020-12 (OpenAPI 3.1's dialect), without its `$schema` line. */
const jsonSchema = (schema: ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return rest;
};

const ProblemSchema: Json = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'Each fault, with where it is: a JSON pointer into the body, a parameter or a header name',
      items: {
        type: 'object',
        required: ['detail'],
        properties: { detail: { type: 'string' }, pointer: { type: 'string' }, parameter: { type: 'string' }, header: { type: 'string' } },
      },
    },
  },
};

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/** The status a route answers on success: creates 201, deletes 204, everything else 200. */
export const successStatusOf = (route: HttpRoute): number =>
  route.accepted ? 202 : route.method === 'DELETE' ? 204 : route.method === 'POST' && route.idempotent ? 201 : 200;

const shapeOf = (schema: ZodType | undefined): Record<string, ZodType> =>
  schema && 'shape' in schema && typeof schema.shape === 'object' ? (schema.shape as Record<string, ZodType>) : {};

const parameters = (route: HttpRoute): Json[] => {
  const path = [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const queryShape = shapeOf(route.query);
  const queryRequired = new Set((route.query ? (jsonSchema(route.query, 'input').required as string[] | undefined) : undefined) ?? []);
  const query = Object.entries(queryShape).map(([name, schema]) => ({
    name,
    in: 'query',
    required: queryRequired.has(name),
    schema: jsonSchema(schema, 'input'),
  }));
  const fields = Object.keys(shapeOf(route.response));
  const paging = route.list
    ? [
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        { name: 'cursor', in: 'query', required: false, description: 'From the previous page; opaque', schema: { type: 'string' } },
      ]
    : [];
  const projection =
    route.method === 'GET' && fields.length
      ? [{ name: 'fields', in: 'query', required: false, description: `Comma-separated: only these fields of ${route.list ? 'each item' : 'the resource'} (${fields.join(', ')})`, schema: { type: 'string' } }]
      : [];
  const headers = [
    ...(route.ifMatch ? [{ name: 'If-Match', in: 'header', required: true, description: 'The ETag of the resource as last read', schema: { type: 'string' } }] : []),
    ...(route.idempotent ? [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'A retry with the same key answers the first result', schema: { type: 'string', maxLength: 255 } }] : []),
  ];
  return [...path, ...query, ...paging, ...projection, ...headers];
};

const successResponse = (route: HttpRoute): Json => {
  const status = successStatusOf(route);
  if (status === 204) return { 204: { description: 'Done' } };
  const item = route.response ? jsonSchema(route.response, 'output') : { type: 'object' };
  const schema = route.list
    ? { type: 'object', required: ['items'], properties: { items: { type: 'array', items: item }, cursor: { type: 'string', description: 'Absent on the last page' } } }
    : item;
  const headers = !route.list && route.response ? { ETag: { schema: { type: 'string' } } } : undefined;
  const success = { description: 'Success', ...(headers ? { headers } : {}), content: { 'application/json': { schema } } };
  if (route.accepted === 'when-deferred') return { 200: { ...success, description: 'Done at once' }, 202: { ...success, description: 'Under way: follow the `Location`' } };
  return { [status]: success };
};

const operation = (route: HttpRoute): Json => {
  const jwt = route.auth.type === 'jwt';
  const machine = machineScopesOf(route);
  return {
    operationId: route.id,
    ...(route.summary ? { summary: route.summary } : {}),
    tags: [route.path.split('/')[1]?.split(':')[0] ?? 'api'],
    ...(jwt ? { 'x-roles': route.auth.type === 'jwt' ? [...route.auth.roles] : [] } : {}),
    security: jwt ? [{ people: [PEOPLE_SCOPE] }, ...(machine.length ? [{ machines: machine }] : [])] : [],
    parameters: parameters(route),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    responses: {
      ...successResponse(route),
      400: problem('The request is malformed; `errors` names each field'),
      ...(jwt ? { 401: problem('No valid access token'), 403: problem('The caller\u2019s role or scope does not admit this route') } : {}),
      ...(route.path.includes('{') ? { 404: problem('No such resource') } : {}),
      ...(route.ifMatch ? { 412: problem('The resource changed since it was read'), 428: problem('If-Match is missing') } : {}),
      ...(route.method !== 'GET' ? { 409: problem('Conflicts with the current state'), 422: problem('Well-formed, but not acceptable (a reference to something that does not exist, …)') } : {}),
    },
  };
};

export const openApiDocument = (routes: readonly RouteDef[], options: OpenApiOptions): Json => {
  const http = routes.filter((r): r is HttpRoute => r.kind === 'http');
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of http) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'O-V2X-MP management API',
      version: options.version ?? '0.1.0',
      description:
        'Operators manage the charging network: chargers, locations, id tokens, transactions, users. Every route but the ' +
        'health check and this document needs a Cognito access token: people by their group (admin, operator, viewer), ' +
        'machine clients by scope (csms/read, csms/write). Errors are RFC 9457 problem details.',
    },
    servers: [{ url: options.serverUrl }],
    paths,
    components: {
      schemas: { Problem: ProblemSchema },
      securitySchemes: {
        people: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A person\u2019s Cognito access token (sign in with the people app client)' },
        machines: {
          type: 'oauth2',
          description: 'A machine client\u2019s access token (client-credentials grant)',
          flows: {
            clientCredentials: {
              tokenUrl: options.tokenUrl ?? '/oauth2/token',
              scopes: { [MACHINE_SCOPES.read]: 'Read what a viewer may read', [MACHINE_SCOPES.write]: 'Do what an operator may do' },
            },
          },
        },
      },
    },
  };
};
