import { listTokensHandler } from './list-token-handlers.ts';
import { listChargerListTokensRoute } from './routes.ts';

export const handler = listTokensHandler(listChargerListTokensRoute, 'charger');
