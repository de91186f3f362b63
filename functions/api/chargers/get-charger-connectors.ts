import { connectorsOf } from '#shared/charger/charger-api.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getChargerConnectorsRoute } from './routes.ts';

export const handler = httpHandler(getChargerConnectorsRoute, async (req) => {
  const { limit, cursor } = req.query;
  return ok(unwrap(await connectorsOf(deps, req.params.chargerId!, { limit, ...(cursor ? { cursor } : {}) })));
});
