import { configurationOf } from '#shared/charger/reported-state-api.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getChargerConfigurationRoute } from './reported-state-routes.ts';

export const handler = httpHandler(getChargerConfigurationRoute, async (req) => pageOf(unwrap(await configurationOf(deps, req.params.chargerId!, req.page))));
