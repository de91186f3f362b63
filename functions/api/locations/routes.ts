/**
 * The location resources of the REST API (issue 9). Data only: the route table spreads `locationRoutes`.
 * Reads for every role; writes for admins and operators. Each route names exactly the DynamoDB calls its store
 * operations send.
 */
import { ChargerSchema } from '#shared/charger/charger-schema.ts';
import { IDEMPOTENCY_PK_PREFIX, LOCATION_PK_PREFIX } from '#shared/store/keys.ts';
import { CreateLocationSchema, LocationSchema, PatchLocationSchema } from '#shared/location/location-schema.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = { type: 'jwt', roles: ['admin', 'operator', 'viewer'] } as const;
const WRITERS = { type: 'jwt', roles: ['admin', 'operator'] } as const;

export const listLocationsRoute = {
  kind: 'http',
  id: 'ListLocations',
  method: 'GET',
  path: '/locations',
  auth: READERS,
  summary: 'List locations by id',
  list: true,
  response: LocationSchema,
  entry: 'api/locations/list-locations.ts',
  // One Query of gsi2 `LOCATIONS`.
  access: { tables: { Csms: { actions: ['Query'] } } },
} as const satisfies HttpRoute;

export const createLocationRoute = {
  kind: 'http',
  id: 'CreateLocation',
  method: 'POST',
  path: '/locations',
  auth: WRITERS,
  summary: 'Create a location (its id chosen or generated)',
  body: CreateLocationSchema,
  response: LocationSchema,
  idempotent: true,
  entry: 'api/locations/create-location.ts',
  // A conditional PutItem of the location; the idempotency record (PutItem, UpdateItem: a record is never deleted).
  access: { tables: { Csms: { actions: ['PutItem', 'UpdateItem'], partitionKeyPrefixes: [LOCATION_PK_PREFIX, IDEMPOTENCY_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const getLocationRoute = {
  kind: 'http',
  id: 'GetLocation',
  method: 'GET',
  path: '/locations/{locationId}',
  auth: READERS,
  summary: 'A location, with how many chargers reference it',
  response: LocationSchema,
  entry: 'api/locations/get-location.ts',
  access: { tables: { Csms: { actions: ['GetItem'], partitionKeyPrefixes: [LOCATION_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const patchLocationRoute = {
  kind: 'http',
  id: 'PatchLocation',
  method: 'PATCH',
  path: '/locations/{locationId}',
  auth: WRITERS,
  summary: 'Change a location (JSON merge patch; If-Match)',
  body: PatchLocationSchema,
  response: LocationSchema,
  ifMatch: true,
  entry: 'api/locations/patch-location.ts',
  // GetItem (consistent) for the If-Match check, then UpdateItem conditioned on the version read.
  access: { tables: { Csms: { actions: ['GetItem', 'UpdateItem'], partitionKeyPrefixes: [LOCATION_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const deleteLocationRoute = {
  kind: 'http',
  id: 'DeleteLocation',
  method: 'DELETE',
  path: '/locations/{locationId}',
  auth: WRITERS,
  summary: 'Delete a location no charger references (If-Match)',
  ifMatch: true,
  entry: 'api/locations/delete-location.ts',
  // GetItem, conditional DeleteItem; then the tokens of its local list: Query `LOCATION#<id>`, BatchWriteItem deletes.
  access: { tables: { Csms: { actions: ['GetItem', 'DeleteItem', 'Query', 'BatchWriteItem'], partitionKeyPrefixes: [LOCATION_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const listLocationChargersRoute = {
  kind: 'http',
  id: 'ListLocationChargers',
  method: 'GET',
  path: '/locations/{locationId}/chargers',
  auth: READERS,
  summary: 'The chargers at a location, by id',
  list: true,
  response: ChargerSchema,
  entry: 'api/locations/list-location-chargers.ts',
  // GetItem of the location (404 for an unknown one), then one Query of gsi1 `LOCATION#<id>`.
  access: { tables: { Csms: { actions: ['GetItem', 'Query'] } } },
} as const satisfies HttpRoute;

export const locationRoutes = [
  listLocationsRoute,
  createLocationRoute,
  getLocationRoute,
  patchLocationRoute,
  deleteLocationRoute,
  listLocationChargersRoute,
] as const;

