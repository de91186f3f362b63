import { listFirmwareUpdates } from '#shared/file/firmware-update.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listChargerFirmwareUpdatesRoute } from './routes.ts';

export const handler = httpHandler(listChargerFirmwareUpdatesRoute, async (req) => pageOf(unwrap(await listFirmwareUpdates(deps, req.params.chargerId!, req.page))));
