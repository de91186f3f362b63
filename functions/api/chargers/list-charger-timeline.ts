import { timelineOf } from '#shared/charger/charger-api.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listChargerTimelineRoute } from './routes.ts';

export const handler = httpHandler(listChargerTimelineRoute, async (req) => pageOf(unwrap(await timelineOf(deps, req.params.chargerId!, req.query, req.page))));
