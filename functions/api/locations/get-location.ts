import { getLocation } from '#shared/location/locations.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getLocationRoute } from './routes.ts';

export const handler = httpHandler(getLocationRoute, async (req) => ok(unwrap(await getLocation(deps, req.params.locationId!))));
