import { chargerRepresentation, getChargerProfile } from '#shared/charger/charger-api.ts';
import { setRegistration } from '#shared/charger/registry.ts';
import { ApiProblem, httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { closer, credentialDeps, requireAdminFor } from './context.ts';
import { setChargerRegistrationRoute } from './routes.ts';

export const handler = httpHandler(setChargerRegistrationRoute, async (req) => {
  const chargerId = req.params.chargerId!;
  const deps = await credentialDeps();
  const before = unwrap(await getChargerProfile(deps, chargerId));
  // Accepting replaces the password with a generated one, answered here once (registry.ts setRegistration).
  if (req.body.status === 'accepted' && before.registrationStatus !== 'accepted') requireAdminFor(req.principal, 'Accepting a charger');
  const change = await setRegistration(deps, chargerId, req.body.status, closer);
  if (!change) throw new ApiProblem(404, `No charger ${chargerId}`);
  return ok({ ...chargerRepresentation(change.profile), ...(change.password ? { password: change.password } : {}) });
});
