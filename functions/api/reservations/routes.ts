/**
 * Reservations (issue 11): operators and admins make and cancel them (each a command to the charger: 202, follow the
 * command); every role reads them. Data only: the route table spreads `reservationRoutes`. A reservation is named by
 * its charger and the charger's reservation id (OCPP numbers reservations per charger).
 */
import * as z from 'zod';
import { CreateReservationSchema, ReservationViewSchema, ReservationWithCommandSchema } from '#shared/reservation/reservation-api.ts';
import { RESERVATION_STATUSES } from '#shared/reservation/reservation.ts';
import { CHARGER_PK_PREFIX, COMMAND_PK_PREFIX } from '#shared/store/keys.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = { type: 'jwt', roles: ['admin', 'operator', 'viewer'] } as const;
const SENDERS = { type: 'jwt', roles: ['admin', 'operator'] } as const;

/** The filters that pick the partition a listing reads: exactly one (docs/data-model.md, "Listing reservations"). */
export const RESERVATION_FILTERS = ['chargerId', 'idToken', 'status'] as const;

export const ListReservationsQuery = z
  .strictObject({
    chargerId: z.string().min(1).max(48).optional(),
    idToken: z.string().min(1).max(255).optional(),
    status: z.enum(RESERVATION_STATUSES).optional(),
  })
  .superRefine((q, ctx) => {
    const given = RESERVATION_FILTERS.filter((f) => q[f] !== undefined);
    // One query serves one partition, as for transactions: a second filter would be applied in memory.
    if (given.length === 1) return;
    for (const f of given.length === 0 ? RESERVATION_FILTERS : given) {
      ctx.addIssue({ code: 'custom', path: [f], message: `give exactly one of ${RESERVATION_FILTERS.join(', ')}` });
    }
  });

export const createReservationRoute = {
  kind: 'http',
  id: 'CreateReservation',
  method: 'POST',
  path: '/reservations',
  auth: SENDERS,
  summary: 'Reserve a connector / EVSE (or the charger) for an id token or group until expiresAt: 202 with the reservation and its ReserveNow command',
  body: CreateReservationSchema,
  response: ReservationWithCommandSchema,
  idempotent: true,
  accepted: true,
  entry: 'api/reservations/create-reservation.ts',
  // Checks the OCPP payload it sends: the validators ship beside the bundle (not 1.2 MB inside it).
  ocppValidators: true,
  // BatchGetItem profile + presence ∥ BatchGetItem the charger's EVSE holds ∥ Query the token's partition (or gsi1 of the
  // group); PutItem the reservation (conditional); PutItem the command (conditional; GetItem on a retry) + SendMessage;
  // the idempotency record. No leading-key condition: the group's check is an index query (as for the listings).
  access: { tables: { Csms: { actions: ['BatchGetItem', 'GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'] } }, queues: { Commands: 'send' } },
} as const satisfies HttpRoute;

// Index queries carry no leading-key condition: IAM's dynamodb:LeadingKeys names the table's partition key.
export const listReservationsRoute = {
  kind: 'http',
  id: 'ListReservations',
  method: 'GET',
  path: '/reservations',
  auth: READERS,
  summary: 'Reservations of one charger, id token (or group) or status, newest first',
  query: ListReservationsQuery,
  response: ReservationViewSchema,
  list: true,
  entry: 'api/reservations/list-reservations.ts',
  // GetItem of the profile (a charger filter), then one Query of gsi1, gsi2 or gsi3.
  access: { tables: { Csms: { actions: ['GetItem', 'Query'] } } },
} as const satisfies HttpRoute;

export const getReservationRoute = {
  kind: 'http',
  id: 'GetReservation',
  method: 'GET',
  path: '/reservations/{chargerId}/{reservationId}',
  auth: READERS,
  summary: 'A reservation: what was asked, where it is (requested, reserved, refused, cancelled, expired, used) and why',
  response: ReservationViewSchema,
  entry: 'api/reservations/get-reservation.ts',
  // BatchGetItem profile + reservation (a GetItem more when asked in another case than registered).
  access: { tables: { Csms: { actions: ['BatchGetItem', 'GetItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const cancelReservationRoute = {
  kind: 'http',
  id: 'CancelReservation',
  method: 'DELETE',
  path: '/reservations/{chargerId}/{reservationId}',
  auth: SENDERS,
  summary: 'Cancel a requested or reserved reservation: 202 with its CancelReservation command (an accepted answer makes it cancelled)',
  response: ReservationWithCommandSchema,
  accepted: true,
  entry: 'api/reservations/cancel-reservation.ts',
  // Checks the OCPP payload it sends: the validators ship beside the bundle (not 1.2 MB inside it).
  ocppValidators: true,
  // BatchGetItem profile + presence ∥ BatchGetItem profile + reservation; PutItem the command + SendMessage; UpdateItem
  // the reservation (the command sent).
  access: {
    tables: { Csms: { actions: ['BatchGetItem', 'GetItem', 'PutItem', 'UpdateItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, COMMAND_PK_PREFIX] } },
    queues: { Commands: 'send' },
  },
} as const satisfies HttpRoute;

export const reservationRoutes = [createReservationRoute, listReservationsRoute, getReservationRoute, cancelReservationRoute] as const;
