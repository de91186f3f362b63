import { patchLocation } from '#shared/location/locations.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { patchLocationRoute } from './routes.ts';

export const handler = httpHandler(patchLocationRoute, async (req) =>
  ok(unwrap(await patchLocation(deps, req.params.locationId!, req.ifMatch!, req.body, principalName(req.principal)))),
);
