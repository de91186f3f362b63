import { deleteTokenHandler } from './list-token-handlers.ts';
import { deleteChargerListTokenRoute } from './routes.ts';

export const handler = deleteTokenHandler(deleteChargerListTokenRoute, 'charger');
