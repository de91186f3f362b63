import { principalName } from '../../_routes/http-auth.ts';
import { removeUser } from '#shared/operator/users.ts';
import { httpHandler, noContent, unwrap } from '../../_common/http/handler.ts';
import { directory } from './directory.ts';
import { removeUserRoute } from './routes.ts';

export const handler = httpHandler(removeUserRoute, async (req) => {
  unwrap(await removeUser(directory, req.params.username!, principalName(req.principal)));
  return noContent();
});
