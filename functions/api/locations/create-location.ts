import { createLocation } from '#shared/location/locations.ts';
import { created, httpHandler, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { createLocationRoute } from './routes.ts';

export const handler = httpHandler(createLocationRoute, async (req) => {
  const location = unwrap(await createLocation(deps, req.body, principalName(req.principal)));
  return created(location, `/locations/${encodeURIComponent(location.locationId)}`);
});
