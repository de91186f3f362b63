import { compositeSchedulesOf } from '#shared/charger/reported-state-api.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listChargerCompositeSchedulesRoute } from './reported-state-routes.ts';

export const handler = httpHandler(listChargerCompositeSchedulesRoute, async (req) => pageOf(unwrap(await compositeSchedulesOf(deps, req.params.chargerId!, req.page))));
