/** GET /openapi.json: the OpenAPI document of the deployed route table, built once per container. */
import { httpHandler, ok } from '../../_common/http/handler.ts';
import { openApiDocument } from '../../_routes/openapi.ts';
import { routes } from '../../routes.ts';
import { openApiRoute } from './routes.ts';

const documents = new Map<string, unknown>();

export const handler = httpHandler(openApiRoute, async (req) => {
  let document = documents.get(req.baseUrl);
  if (!document) {
    document = openApiDocument(routes, { serverUrl: req.baseUrl, ...(process.env.OAUTH_TOKEN_URL ? { tokenUrl: process.env.OAUTH_TOKEN_URL } : {}) });
    documents.set(req.baseUrl, document);
  }
  return ok(document, { 'Cache-Control': 'public, max-age=300' });
});
