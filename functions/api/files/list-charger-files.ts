import { listChargerFiles } from '#shared/file/file-api.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listChargerFilesRoute } from './routes.ts';

export const handler = httpHandler(listChargerFilesRoute, async (req) => pageOf(unwrap(await listChargerFiles(deps, req.params.chargerId!, req.query, req.page))));
