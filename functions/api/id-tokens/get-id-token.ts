import { getIdToken } from '#shared/token/id-token-admin.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getIdTokenRoute } from './routes.ts';

export const handler = httpHandler(getIdTokenRoute, async (req) => ok(unwrap(await getIdToken(deps, req.params.type!, req.params.value!))));
