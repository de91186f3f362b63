import { getUser } from '#shared/operator/users.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { directory } from './directory.ts';
import { getUserRoute } from './routes.ts';

export const handler = httpHandler(getUserRoute, async (req) => ok(unwrap(await getUser(directory, req.params.username!))));
