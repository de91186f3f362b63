import { deleteFile } from '#shared/file/file-api.ts';
import { httpHandler, noContent, unwrap } from '../../_common/http/handler.ts';
import { depsWithFiles as deps } from '../../_common/files.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { deleteFileRoute } from './routes.ts';

export const handler = httpHandler(deleteFileRoute, async (req) => {
  unwrap(await deleteFile(deps, req.params.fileId!, principalName(req.principal)));
  return noContent();
});
