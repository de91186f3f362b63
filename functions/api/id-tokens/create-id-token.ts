import { addIdToken } from '#shared/token/id-token-admin.ts';
import { created, httpHandler, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { createIdTokenRoute } from './routes.ts';

export const handler = httpHandler(createIdTokenRoute, async (req) => {
  const token = unwrap(await addIdToken(deps, req.body, principalName(req.principal)));
  return created(token, `/id-tokens/${encodeURIComponent(token.type)}/${encodeURIComponent(token.value)}`);
});
