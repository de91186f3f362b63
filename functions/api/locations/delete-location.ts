import { deleteLocation } from '#shared/location/locations.ts';
import { httpHandler, noContent, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { deleteLocationRoute } from './routes.ts';

export const handler = httpHandler(deleteLocationRoute, async (req) => {
  unwrap(await deleteLocation(deps, req.params.locationId!, req.ifMatch!));
  return noContent();
});
