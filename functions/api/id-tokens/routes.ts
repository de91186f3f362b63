/**
 * The id-token resource of the REST API: tokens are identified by type and value (OCPP 2.x), so the path names both.
 * Reads for every role (machine clients: csms/read), writes for admins and operators (csms/write).
 */
import * as z from 'zod';
import { IDEMPOTENCY_PK_PREFIX, ID_TOKEN_PK_PREFIX } from '#shared/store/keys.ts';
import { ID_TOKEN_VALUE, IdTokenChangeSchema, IdTokenViewSchema, NewIdTokenSchema } from '#shared/token/id-token-admin.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = ['admin', 'operator', 'viewer'] as const;
const WRITERS = ['admin', 'operator'] as const;
/** Only the id tokens' own partitions (`IDTOKEN#<value>`). */
const TOKEN_PARTITIONS = [ID_TOKEN_PK_PREFIX];

// Index queries carry no leading-key condition: IAM's dynamodb:LeadingKeys names the table's partition key, and
// these routes query gsi1 / gsi2 (docs/data-model.md, "Id tokens").
export const listIdTokensRoute = {
  kind: 'http',
  id: 'ListIdTokens',
  method: 'GET',
  path: '/id-tokens',
  auth: { type: 'jwt', roles: READERS },
  summary: 'List id tokens (by value and type), or those of one group',
  query: z.strictObject({ groupId: ID_TOKEN_VALUE.optional() }),
  response: IdTokenViewSchema,
  list: true,
  entry: 'api/id-tokens/list-id-tokens.ts',
  access: { tables: { Csms: { actions: ['Query'] } } },
} as const satisfies HttpRoute;

export const createIdTokenRoute = {
  kind: 'http',
  id: 'CreateIdToken',
  method: 'POST',
  path: '/id-tokens',
  auth: { type: 'jwt', roles: WRITERS },
  summary: 'Create an id token (409 if one with this type and value exists)',
  body: NewIdTokenSchema,
  response: IdTokenViewSchema,
  idempotent: true,
  entry: 'api/id-tokens/create-id-token.ts',
  // A conditional put of the token; the Idempotency-Key record (claim, complete, release: a Put and Updates).
  access: { tables: { Csms: { actions: ['PutItem', 'UpdateItem'], partitionKeyPrefixes: [...TOKEN_PARTITIONS, IDEMPOTENCY_PK_PREFIX] } } },
} as const satisfies HttpRoute;

const tokenPath = '/id-tokens/{type}/{value}';

export const getIdTokenRoute = {
  kind: 'http',
  id: 'GetIdToken',
  method: 'GET',
  path: tokenPath,
  auth: { type: 'jwt', roles: READERS },
  summary: 'An id token',
  response: IdTokenViewSchema,
  entry: 'api/id-tokens/get-id-token.ts',
  access: { tables: { Csms: { actions: ['GetItem'], partitionKeyPrefixes: TOKEN_PARTITIONS } } },
} as const satisfies HttpRoute;

export const updateIdTokenRoute = {
  kind: 'http',
  id: 'UpdateIdToken',
  method: 'PATCH',
  path: tokenPath,
  auth: { type: 'jwt', roles: WRITERS },
  summary: 'Change an id token (block it: {"status": "blocked"}); null removes a field',
  body: IdTokenChangeSchema,
  response: IdTokenViewSchema,
  ifMatch: true,
  entry: 'api/id-tokens/update-id-token.ts',
  // Read, then a put conditioned on the version read.
  access: { tables: { Csms: { actions: ['GetItem', 'PutItem'], partitionKeyPrefixes: TOKEN_PARTITIONS } } },
} as const satisfies HttpRoute;

export const deleteIdTokenRoute = {
  kind: 'http',
  id: 'DeleteIdToken',
  method: 'DELETE',
  path: tokenPath,
  auth: { type: 'jwt', roles: WRITERS },
  summary: 'Delete an id token (transactions holding it run on; see the README)',
  ifMatch: true,
  entry: 'api/id-tokens/delete-id-token.ts',
  access: { tables: { Csms: { actions: ['GetItem', 'DeleteItem'], partitionKeyPrefixes: TOKEN_PARTITIONS } } },
} as const satisfies HttpRoute;

// Google-style custom method, as /chargers:import: API Gateway (and the CDK's check) take ':' in a path part.
export const importIdTokensRoute = {
  kind: 'http',
  id: 'ImportIdTokens',
  method: 'POST',
  path: '/id-tokens:import',
  auth: { type: 'jwt', roles: WRITERS },
  summary: 'Create many id tokens from a CSV (text/csv) or a JSON list; reports each row (created, exists, invalid)',
  entry: 'api/id-tokens/import-id-tokens.ts',
  // 500 conditional puts, ten at a time; room to answer before API Gateway's 29 s.
  timeoutSeconds: 28,
  access: { tables: { Csms: { actions: ['PutItem'], partitionKeyPrefixes: TOKEN_PARTITIONS } } },
} as const satisfies HttpRoute;

export const idTokenRoutes = [listIdTokensRoute, createIdTokenRoute, getIdTokenRoute, updateIdTokenRoute, deleteIdTokenRoute, importIdTokensRoute] as const;

