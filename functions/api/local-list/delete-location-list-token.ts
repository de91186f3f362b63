import { deleteTokenHandler } from './list-token-handlers.ts';
import { deleteLocationListTokenRoute } from './routes.ts';

export const handler = deleteTokenHandler(deleteLocationListTokenRoute, 'location');
