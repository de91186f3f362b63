import { getFirmware } from '#shared/file/firmware.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getFirmwareRoute } from './routes.ts';

export const handler = httpHandler(getFirmwareRoute, async (req) => ok(unwrap(await getFirmware(deps, req.params.fileId!))));
