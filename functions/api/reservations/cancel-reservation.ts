import { cancelReservation } from '#shared/reservation/reservation-api.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { accepted, httpHandler, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { reservationIdParam } from './reservation-id.ts';
import { cancelReservationRoute } from './routes.ts';

const queue = sqsCommandQueue();

export const handler = httpHandler(cancelReservationRoute, async (req) => {
  const reservation = unwrap(
    await cancelReservation({ ...deps, queue }, req.params.chargerId!, reservationIdParam(req.params.reservationId), principalName(req.principal)),
  );
  return accepted(reservation, `/commands/${reservation.command.commandId}`);
});
