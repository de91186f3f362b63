import { principalName } from '../../_routes/http-auth.ts';
import { changeRole } from '#shared/operator/users.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { directory } from './directory.ts';
import { setUserRoleRoute } from './routes.ts';

export const handler = httpHandler(setUserRoleRoute, async (req) =>
  ok(unwrap(await changeRole(directory, req.params.username!, req.body.role, principalName(req.principal)))),
);
