/**
 * Local authorization lists (issue 11): the id tokens an operator puts on a charger's list or a location's (every
 * charger there), and the sync that sends a charger the SendLocalList updates taking its list there. Reading the list
 * a charger holds is `GET /chargers/{id}/local-list` (api/command-effects). Data only: the route table spreads
 * `localListRoutes`. Every role reads; admins and operators write.
 */
import * as z from 'zod';
import { ListTokenViewSchema } from '#shared/local-list/list-tokens.ts';
import { LocalListSyncSchema } from '#shared/local-list/local-list-sync.ts';
import { CHARGER_PK_PREFIX, COMMAND_PK_PREFIX, ID_TOKEN_PK_PREFIX, IDEMPOTENCY_PK_PREFIX, LOCATION_PK_PREFIX } from '#shared/store/keys.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = { type: 'jwt', roles: ['admin', 'operator', 'viewer'] } as const;
const WRITERS = { type: 'jwt', roles: ['admin', 'operator'] } as const;

const chargerTokens = '/chargers/{chargerId}/local-list/tokens';
const locationTokens = '/locations/{locationId}/local-list/tokens';

export const listChargerListTokensRoute = {
  kind: 'http',
  id: 'ListChargerListTokens',
  method: 'GET',
  path: chargerTokens,
  auth: READERS,
  summary: 'The id tokens put on this charger’s own local list (its location’s are at /locations/{id}/local-list/tokens)',
  list: true,
  response: ListTokenViewSchema,
  entry: 'api/local-list/list-charger-list-tokens.ts',
  // BatchGetItem of the profile (any case of the id), then one Query of `CHARGER#<id>`, `begins_with(sk, 'LOCALLIST-TOKEN#')`.
  access: { tables: { Csms: { actions: ['BatchGetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const putChargerListTokenRoute = {
  kind: 'http',
  id: 'PutChargerListToken',
  method: 'PUT',
  path: `${chargerTokens}/{type}/{value}`,
  auth: WRITERS,
  summary: 'Put an id token on this charger’s local list: 201, or 200 when it is there already (nothing changes); 404 for an unknown token',
  response: ListTokenViewSchema,
  entry: 'api/local-list/put-charger-list-token.ts',
  // One BatchGetItem of the profile and the id token, then a conditional PutItem.
  access: { tables: { Csms: { actions: ['BatchGetItem', 'PutItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, ID_TOKEN_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const deleteChargerListTokenRoute = {
  kind: 'http',
  id: 'DeleteChargerListToken',
  method: 'DELETE',
  path: `${chargerTokens}/{type}/{value}`,
  auth: WRITERS,
  summary: 'Take an id token off this charger’s local list (the next sync removes it from the charger)',
  entry: 'api/local-list/delete-charger-list-token.ts',
  // BatchGetItem of the profile, then a conditional DeleteItem.
  access: { tables: { Csms: { actions: ['BatchGetItem', 'DeleteItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const listLocationListTokensRoute = {
  kind: 'http',
  id: 'ListLocationListTokens',
  method: 'GET',
  path: locationTokens,
  auth: READERS,
  summary: 'The id tokens put on the local list of every charger at this location',
  list: true,
  response: ListTokenViewSchema,
  entry: 'api/local-list/list-location-list-tokens.ts',
  // BatchGetItem of the location, then one Query of `LOCATION#<id>`, `begins_with(sk, 'LOCALLIST-TOKEN#')`.
  access: { tables: { Csms: { actions: ['BatchGetItem', 'Query'], partitionKeyPrefixes: [LOCATION_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const putLocationListTokenRoute = {
  kind: 'http',
  id: 'PutLocationListToken',
  method: 'PUT',
  path: `${locationTokens}/{type}/{value}`,
  auth: WRITERS,
  summary: 'Put an id token on the local list of every charger at this location: 201, or 200 when it is there already',
  response: ListTokenViewSchema,
  entry: 'api/local-list/put-location-list-token.ts',
  access: { tables: { Csms: { actions: ['BatchGetItem', 'PutItem'], partitionKeyPrefixes: [LOCATION_PK_PREFIX, ID_TOKEN_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const deleteLocationListTokenRoute = {
  kind: 'http',
  id: 'DeleteLocationListToken',
  method: 'DELETE',
  path: `${locationTokens}/{type}/{value}`,
  auth: WRITERS,
  summary: 'Take an id token off this location’s local list',
  entry: 'api/local-list/delete-location-list-token.ts',
  // One conditional DeleteItem.
  access: { tables: { Csms: { actions: ['DeleteItem'], partitionKeyPrefixes: [LOCATION_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const SyncLocalListQuery = z.strictObject({
  /** `true`: send a Full update even when a Differential one would do. */
  full: z.enum(['true', 'false']).default('false'),
});

// Google-style custom method, as /chargers:import.
export const syncChargerLocalListRoute = {
  kind: 'http',
  id: 'SyncChargerLocalList',
  method: 'POST',
  path: '/chargers/{chargerId}/local-list:sync',
  auth: WRITERS,
  summary:
    'Send the charger the SendLocalList update (Full or Differential) that makes its local list the tokens put on it and on its location: 202 with the commands (follow the last at its Location), 200 when it is up to date',
  query: SyncLocalListQuery,
  response: LocalListSyncSchema,
  idempotent: true,
  accepted: 'when-deferred',
  entry: 'api/local-list/sync-charger-local-list.ts',
  // Checks the OCPP payload it sends: the validators ship beside the bundle (not 1.2 MB inside it).
  ocppValidators: true,
  // BatchGetItem profile + presence (GetItem of the presence when asked in another case); then Query `CHARGER#<id>`
  // (list, version, its tokens) ∥ Query `LOCATION#<loc>` (its tokens) ∥ BatchGetItem of the list-size settings; then
  // BatchGetItem of the id tokens (100 a request); then UpdateItem the version item (the sync's claim, conditional);
  // then per message PutItem the command and SendMessage. Idempotency-Key: its record (PutItem, UpdateItem, DeleteItem).
  timeoutSeconds: 28,
  access: {
    tables: {
      Csms: {
        actions: ['BatchGetItem', 'GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
        partitionKeyPrefixes: [CHARGER_PK_PREFIX, LOCATION_PK_PREFIX, ID_TOKEN_PK_PREFIX, COMMAND_PK_PREFIX, IDEMPOTENCY_PK_PREFIX],
      },
    },
    queues: { Commands: 'send' },
  },
} as const satisfies HttpRoute;

export const localListRoutes = [
  listChargerListTokensRoute,
  putChargerListTokenRoute,
  deleteChargerListTokenRoute,
  listLocationListTokensRoute,
  putLocationListTokenRoute,
  deleteLocationListTokenRoute,
  syncChargerLocalListRoute,
] as const;
