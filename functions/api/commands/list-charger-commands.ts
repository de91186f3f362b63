import { redactCommand } from '#shared/command/command-view.ts';
import { listChargerCommands } from '#shared/command/commands.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listChargerCommandsRoute } from './routes.ts';

export const handler = httpHandler(listChargerCommandsRoute, async (req) => {
  const page = unwrap(await listChargerCommands(deps, req.params.chargerId!, req.page));
  return pageOf({ ...page, items: page.items.map(redactCommand) });
});
