import { createReservation } from '#shared/reservation/reservation-api.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { accepted, httpHandler, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { createReservationRoute } from './routes.ts';

const queue = sqsCommandQueue();

export const handler = httpHandler(createReservationRoute, async (req) => {
  const reservation = unwrap(
    await createReservation({ ...deps, queue }, { body: req.body, requestedBy: principalName(req.principal), ...(req.requestKey !== undefined ? { requestKey: req.requestKey } : {}) }),
  );
  return accepted(reservation, `/commands/${reservation.command.commandId}`);
});
