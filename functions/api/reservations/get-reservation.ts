import { getReservation } from '#shared/reservation/reservation-api.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { reservationIdParam } from './reservation-id.ts';
import { getReservationRoute } from './routes.ts';

export const handler = httpHandler(getReservationRoute, async (req) =>
  ok(unwrap(await getReservation(deps, req.params.chargerId!, reservationIdParam(req.params.reservationId)))),
);
