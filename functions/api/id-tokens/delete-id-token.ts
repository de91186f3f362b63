import { removeIdToken } from '#shared/token/id-token-admin.ts';
import { httpHandler, noContent, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { deleteIdTokenRoute } from './routes.ts';

export const handler = httpHandler(deleteIdTokenRoute, async (req) => {
  unwrap(await removeIdToken(deps, req.params.type!, req.params.value!, req.ifMatch!));
  return noContent();
});
