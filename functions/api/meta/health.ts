/** GET /health: the function runs, so the API is up. */
import { httpHandler, ok } from '../../_common/http/handler.ts';
import { healthRoute } from './routes.ts';

export const handler = httpHandler(healthRoute, async () => ok({ status: 'ok' }));
