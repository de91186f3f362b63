import { importIdTokensFrom } from '#shared/token/id-token-import.ts';
import { ApiProblem, httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { importIdTokensRoute } from './routes.ts';

/** The body's format from its Content-Type: text/csv, or JSON (the default). */
const formatOf = (contentType: string | undefined): 'csv' | 'json' => {
  if (contentType === undefined || /^application\/([a-z.+-]*\+)?json\b/i.test(contentType)) return 'json';
  if (/^text\/csv\b/i.test(contentType)) return 'csv';
  throw new ApiProblem(415, 'Send the tokens as text/csv or application/json', [{ header: 'Content-Type', detail: 'unsupported' }]);
};

export const handler = httpHandler(importIdTokensRoute, async (req) => {
  const format = formatOf(req.header('content-type'));
  if (!req.rawBody) throw new ApiProblem(400, 'Send the tokens to import in the body', [{ pointer: '', detail: 'empty' }]);
  return ok(unwrap(await importIdTokensFrom(deps, format, req.rawBody, principalName(req.principal))));
});
