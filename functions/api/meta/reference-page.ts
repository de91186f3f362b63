/** GET /docs: the OpenAPI document as one self-contained HTML page (no scripts, no external assets). */
import { httpHandler } from '../../_common/http/handler.ts';
import { openApiDocument } from '../../_routes/openapi.ts';
import { routes } from '../../routes.ts';
import { referencePage } from './reference-html.ts';
import { referencePageRoute } from './routes.ts';

export const handler = httpHandler(referencePageRoute, async (req) => ({
  status: 200,
  body: referencePage(openApiDocument(routes, { serverUrl: req.baseUrl })),
  headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" },
}));
