import { listLocations } from '#shared/location/locations.ts';
import { httpHandler, pageOf } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listLocationsRoute } from './routes.ts';

export const handler = httpHandler(listLocationsRoute, async (req) => pageOf(await listLocations(deps, req.page)));
