import { patchCharger } from '#shared/charger/charger-api.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { patchChargerRoute } from './routes.ts';

export const handler = httpHandler(patchChargerRoute, async (req) =>
  ok(unwrap(await patchCharger(deps, req.params.chargerId!, req.ifMatch!, req.body, principalName(req.principal)))),
);
