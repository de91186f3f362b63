import { listTokensHandler } from './list-token-handlers.ts';
import { listLocationListTokensRoute } from './routes.ts';

export const handler = listTokensHandler(listLocationListTokensRoute, 'location');
