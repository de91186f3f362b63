import { listIdTokens } from '#shared/token/id-token-admin.ts';
import { httpHandler, pageOf } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listIdTokensRoute } from './routes.ts';

export const handler = httpHandler(listIdTokensRoute, async (req) =>
  pageOf(await listIdTokens(deps, { ...req.page, ...(req.query.groupId !== undefined ? { groupId: req.query.groupId } : {}) })),
);
