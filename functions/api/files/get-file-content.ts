import { fileContentLink } from '#shared/file/file-api.ts';
import { httpHandler, ok, unwrap, type ApiResult } from '../../_common/http/handler.ts';
import { depsWithFiles as deps } from '../../_common/files.ts';
import { getFileContentRoute } from './routes.ts';

// A signed link is for the caller alone and dies in minutes: no cache keeps it.
const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * 200 with the link as JSON by default: a console (or fetch) reads it and opens it, without its Authorization header
 * going along to S3. `redirect=true` answers 303 See Other to it, for `curl -L` and plain links.
 */
export const handler = httpHandler(getFileContentRoute, async (req): Promise<ApiResult> => {
  const link = unwrap(await fileContentLink(deps, req.params.fileId!));
  return req.query.redirect === 'true' ? { status: 303, body: link, headers: { ...NO_STORE, Location: link.url } } : ok(link, NO_STORE);
});
