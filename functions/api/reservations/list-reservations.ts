import { listReservationsBy } from '#shared/reservation/reservation-api.ts';
import type { ReservationPartition } from '#shared/store/reservation-store.ts';
import { httpHandler, pageOf } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listReservationsRoute } from './routes.ts';

export const handler = httpHandler(listReservationsRoute, async (req) => {
  const { chargerId, idToken, status } = req.query;
  // The query schema admits exactly one of these.
  const partition: ReservationPartition = chargerId !== undefined ? { chargerId } : idToken !== undefined ? { idToken } : { status: status! };
  return pageOf(await listReservationsBy(deps, partition, req.page));
});
