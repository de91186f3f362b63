import { registerCharger } from '#shared/charger/charger-api.ts';
import { created, httpHandler, unwrap } from '../../_common/http/handler.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { credentialDeps, requireAdminFor } from './context.ts';
import { createChargerRoute } from './routes.ts';

export const handler = httpHandler(createChargerRoute, async (req) => {
  if (req.body.password !== undefined) requireAdminFor(req.principal, 'Registering a charger with a chosen password');
  const { charger, password } = unwrap(await registerCharger(await credentialDeps(), { ...req.body, createdBy: principalName(req.principal) }));
  // The generated password is answered once: a replay of this create answers the charger without it.
  return created({ ...charger, ...(password ? { password } : {}) }, `/chargers/${encodeURIComponent(charger.chargerId)}`, { replayOmits: ['password'] });
});
