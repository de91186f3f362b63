import { listChargers } from '#shared/charger/charger-api.ts';
import { httpHandler, pageOf } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listChargersRoute } from './routes.ts';

export const handler = httpHandler(listChargersRoute, async (req) => pageOf(await listChargers(deps, req.query, req.page)));
