import { listChargersAt } from '#shared/charger/charger-api.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listLocationChargersRoute } from './routes.ts';

export const handler = httpHandler(listLocationChargersRoute, async (req) => pageOf(unwrap(await listChargersAt(deps, req.params.locationId!, req.page))));
