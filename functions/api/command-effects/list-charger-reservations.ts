import { listReservations } from '#shared/reservation/reservation-api.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listChargerReservationsRoute } from './routes.ts';

export const handler = httpHandler(listChargerReservationsRoute, async (req) => pageOf(unwrap(await listReservations(deps, req.params.chargerId!, req.page))));
