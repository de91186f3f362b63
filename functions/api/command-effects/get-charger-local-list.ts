import { getLocalList } from '#shared/local-list/local-list-api.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getChargerLocalListRoute } from './routes.ts';

export const handler = httpHandler(getChargerLocalListRoute, async (req) => ok(unwrap(await getLocalList(deps, req.params.chargerId!))));
