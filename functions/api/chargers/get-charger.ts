import { getCharger } from '#shared/charger/charger-api.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getChargerRoute } from './routes.ts';

export const handler = httpHandler(getChargerRoute, async (req) => ok(unwrap(await getCharger(deps, req.params.chargerId!))));
