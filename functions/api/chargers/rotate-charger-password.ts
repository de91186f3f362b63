import { rotatePassword } from '#shared/charger/registry.ts';
import { ApiProblem, httpHandler, ok } from '../../_common/http/handler.ts';
import { closer, credentialDeps } from './context.ts';
import { rotateChargerPasswordRoute } from './routes.ts';

export const handler = httpHandler(rotateChargerPasswordRoute, async (req) => {
  const chargerId = req.params.chargerId!;
  const rotated = await rotatePassword(await credentialDeps(), chargerId, closer);
  if (!rotated) throw new ApiProblem(404, `No charger ${chargerId}`);
  return ok({ chargerId, password: rotated.password, ...(rotated.closedConnectionId ? { closedConnectionId: rotated.closedConnectionId } : {}) });
});
