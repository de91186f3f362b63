/**
 * What a charger's answers to our commands told us (issue 10): its configuration and its composite schedules. Data
 * only: the route table spreads `reportedStateRoutes`. Reads for every role; the commands that fill them are sent
 * with `POST /chargers/{chargerId}/commands`.
 */
import { ChargerSettingSchema, CompositeScheduleSchema } from '#shared/charger/reported-state-schema.ts';
import { CHARGER_PK_PREFIX } from '#shared/store/keys.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = { type: 'jwt', roles: ['admin', 'operator', 'viewer'] } as const;

export const getChargerConfigurationRoute = {
  kind: 'http',
  id: 'GetChargerConfiguration',
  method: 'GET',
  path: '/chargers/{chargerId}/configuration',
  auth: READERS,
  summary: "A charger's settings as its answers to GetConfiguration, ChangeConfiguration, GetVariables and SetVariables told them; secrets masked",
  list: true,
  response: ChargerSettingSchema,
  entry: 'api/chargers/get-charger-configuration.ts',
  // GetItem of the profile, then one Query of `CHARGER#<id>`, `begins_with(sk, 'CONFIG#')`.
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const listChargerCompositeSchedulesRoute = {
  kind: 'http',
  id: 'ListChargerCompositeSchedules',
  method: 'GET',
  path: '/chargers/{chargerId}/composite-schedules',
  auth: READERS,
  summary: 'The latest accepted GetCompositeSchedule answer of each EVSE (1.6: connector), by EVSE id',
  list: true,
  response: CompositeScheduleSchema,
  entry: 'api/chargers/list-charger-composite-schedules.ts',
  // GetItem of the profile, then one Query of `CHARGER#<id>`, `begins_with(sk, 'COMPOSITE#')`.
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const reportedStateRoutes = [getChargerConfigurationRoute, listChargerCompositeSchedulesRoute] as const;
