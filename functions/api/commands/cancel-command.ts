import { cancelCommand } from '#shared/command/commands.ts';
import { httpHandler, noContent, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { cancelCommandRoute } from './routes.ts';

export const handler = httpHandler(cancelCommandRoute, async (req) => {
  unwrap(await cancelCommand(deps, req.params.commandId!, principalName(req.principal)));
  return noContent();
});
