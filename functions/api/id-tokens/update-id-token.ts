import { changeIdToken } from '#shared/token/id-token-admin.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { updateIdTokenRoute } from './routes.ts';

export const handler = httpHandler(updateIdTokenRoute, async (req) =>
  ok(unwrap(await changeIdToken(deps, req.params.type!, req.params.value!, req.body, req.ifMatch!, principalName(req.principal)))),
);
