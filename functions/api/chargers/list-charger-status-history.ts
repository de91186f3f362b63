import { statusHistoryOf } from '#shared/charger/charger-api.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listChargerStatusHistoryRoute } from './routes.ts';

export const handler = httpHandler(listChargerStatusHistoryRoute, async (req) =>
  pageOf(unwrap(await statusHistoryOf(deps, req.params.chargerId!, req.query, req.page))),
);
