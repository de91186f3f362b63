import { listFirmware } from '#shared/file/firmware.ts';
import { httpHandler, pageOf } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listFirmwareRoute } from './routes.ts';

export const handler = httpHandler(listFirmwareRoute, async (req) => pageOf(await listFirmware(deps, req.page)));
