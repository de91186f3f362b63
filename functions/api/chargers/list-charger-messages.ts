import { messagesOf } from '#shared/charger/charger-api.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listChargerMessagesRoute } from './routes.ts';

export const handler = httpHandler(listChargerMessagesRoute, async (req) => pageOf(unwrap(await messagesOf(deps, req.params.chargerId!, req.query, req.page))));
