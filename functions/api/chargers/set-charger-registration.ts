import { chargerRepresentation } from '#shared/charger/charger-api.ts';
import { setRegistration } from '#shared/charger/registry.ts';
import { ApiProblem, httpHandler, ok } from '../../_common/http/handler.ts';
import { adminOnlyProblem, isAdmin } from '../../_common/http/require-admin.ts';
import { closer, credentialDeps } from './context.ts';
import { setChargerRegistrationRoute } from './routes.ts';

export const handler = httpHandler(setChargerRegistrationRoute, async (req) => {
  const chargerId = req.params.chargerId!;
  // Accepting a charger that is not accepted replaces its password with a generated one, answered here once. The
  // domain decides that on the status its write replaces (registry.ts setRegistration), so a race cannot skip the check.
  const change = await setRegistration(await credentialDeps(), chargerId, req.body.status, { closer, mayReceivePassword: isAdmin(req.principal) });
  if (change === 'not-found') throw new ApiProblem(404, `No charger ${chargerId}`);
  if (change === 'may-not-receive-password') throw adminOnlyProblem('Accepting a charger');
  if (change === 'changed') throw new ApiProblem(409, `The registration of charger ${chargerId} changed while this request ran: read the charger and decide again`);
  return ok({ ...chargerRepresentation(change.profile), ...(change.password ? { password: change.password } : {}) });
});
