import { listUsers } from '#shared/operator/users.ts';
import { httpHandler, pageOf } from '../../_common/http/handler.ts';
import { directory } from './directory.ts';
import { listUsersRoute } from './routes.ts';

export const handler = httpHandler(listUsersRoute, async (req) =>
  pageOf(await listUsers(directory, { ...req.page, ...(req.query.role ? { role: req.query.role } : {}) })),
);
