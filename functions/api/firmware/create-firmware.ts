import { declareFirmware } from '#shared/file/firmware.ts';
import { created, httpHandler } from '../../_common/http/handler.ts';
import { depsWithFiles as deps } from '../../_common/files.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { createFirmwareRoute } from './routes.ts';

export const handler = httpHandler(createFirmwareRoute, async (req) => {
  const firmware = await declareFirmware(deps, { body: req.body, createdBy: principalName(req.principal) });
  return created(firmware, `/firmware/${firmware.fileId}`);
});
