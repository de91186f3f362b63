import { addUser } from '#shared/operator/users.ts';
import { created, httpHandler, unwrap } from '../../_common/http/handler.ts';
import { directory } from './directory.ts';
import { addUserRoute } from './routes.ts';

export const handler = httpHandler(addUserRoute, async (req) => {
  const { user, password } = unwrap(await addUser(directory, req.body));
  // The password is shown once: an idempotent replay answers the user without it.
  return created({ ...user, password }, `/users/${encodeURIComponent(user.username)}`, { replayOmits: ['password'] });
});
