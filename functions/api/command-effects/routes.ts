/**
 * What answered commands leave on a charger, for every role to read: its reservations (ReserveNow,
 * CancelReservation, the charger's ReservationStatusUpdate) and its local authorization list (SendLocalList,
 * GetLocalListVersion). Data only: the route table spreads `commandEffectRoutes`. Both read the profile first (any
 * case of the id finds the charger), then one Query of its partition under the id as registered.
 */
import { LocalListViewSchema } from '#shared/local-list/local-list-api.ts';
import { ReservationViewSchema } from '#shared/reservation/reservation-api.ts';
import { CHARGER_PK_PREFIX } from '#shared/store/keys.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = { type: 'jwt', roles: ['admin', 'operator', 'viewer'] } as const;

export const listChargerReservationsRoute = {
  kind: 'http',
  id: 'ListChargerReservations',
  method: 'GET',
  path: '/chargers/{chargerId}/reservations',
  auth: READERS,
  summary: 'A charger’s reservations by id: what ReserveNow / CancelReservation made of them and the charger’s last report',
  list: true,
  response: ReservationViewSchema,
  entry: 'api/command-effects/list-charger-reservations.ts',
  // GetItem of the profile, then one Query of `CHARGER#<id>`, `begins_with(sk, 'RESERVATION#')`.
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const getChargerLocalListRoute = {
  kind: 'http',
  id: 'GetChargerLocalList',
  method: 'GET',
  path: '/chargers/{chargerId}/local-list',
  auth: READERS,
  summary: 'A charger’s local authorization list as last known: its version and the entries our SendLocalList commands put there',
  response: LocalListViewSchema,
  entry: 'api/command-effects/get-charger-local-list.ts',
  // GetItem of the profile, then Query `CHARGER#<id>`, `begins_with(sk, 'LOCALLIST')`: one request up to 1,000 entries.
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const commandEffectRoutes = [listChargerReservationsRoute, getChargerLocalListRoute] as const;
