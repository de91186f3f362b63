import { getFile } from '#shared/file/file-api.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getFileRoute } from './routes.ts';

export const handler = httpHandler(getFileRoute, async (req) => ok(unwrap(await getFile(deps, req.params.fileId!))));
