import { redactCommand } from '#shared/command/command-view.ts';
import { getCommand } from '#shared/command/commands.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getCommandRoute } from './routes.ts';

export const handler = httpHandler(getCommandRoute, async (req) => ok(redactCommand(unwrap(await getCommand(deps, req.params.commandId!, req.query.wait ?? 0)))));
