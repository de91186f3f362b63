import { putTokenHandler } from './list-token-handlers.ts';
import { putLocationListTokenRoute } from './routes.ts';

export const handler = putTokenHandler(putLocationListTokenRoute, 'location');
