/** A charger's reservations as operators read them (`GET /chargers/{chargerId}/reservations`). */
import { z } from 'zod';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import type { Reservation } from './reservation.ts';

export const ReservationViewSchema = z.object({
  chargerId: z.string(),
  reservationId: z.number().int(),
  /** What our commands made of it; absent when only the charger's report is known (a reservation made elsewhere). */
  status: z.enum(['reserved', 'refused', 'cancelled']).optional(),
  expiry: z.string().optional(),
  connectorId: z.number().int().optional(),
  evseId: z.number().int().optional(),
  connectorType: z.string().optional(),
  idToken: z.string().optional(),
  idTokenType: z.string().optional(),
  groupIdToken: z.string().optional(),
  groupIdTokenType: z.string().optional(),
  commandId: z.string().optional(),
  answeredAt: z.string().optional(),
  refusedWith: z.string().optional(),
  cancelledAt: z.string().optional(),
  cancelledByCommand: z.string().optional(),
  reportedStatus: z.string().optional(),
  reportedAt: z.string().optional(),
});
export type ReservationView = z.output<typeof ReservationViewSchema>;

/** The charger's reservations by id: the profile (any case of the id), then one query under the id as registered. */
export const listReservations = async (deps: Ports, chargerId: string, page: PageOptions): Promise<Outcome<Page<Reservation>>> => {
  const profile = await deps.stores.chargers.get(chargerId);
  if (!profile) return failure('not-found', `No charger ${chargerId}`);
  return success(await deps.stores.reservations.list(profile.chargerId, page));
};
