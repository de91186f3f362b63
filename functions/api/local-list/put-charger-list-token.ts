import { putTokenHandler } from './list-token-handlers.ts';
import { putChargerListTokenRoute } from './routes.ts';

export const handler = putTokenHandler(putChargerListTokenRoute, 'charger');
