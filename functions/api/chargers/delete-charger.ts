import { deleteCharger, PURGE_BUDGET } from '#shared/charger/charger-api.ts';
import { httpHandler, noContent, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { closer } from './context.ts';
import { deleteChargerRoute } from './routes.ts';

export const handler = httpHandler(deleteChargerRoute, async (req) => {
  const outcome = unwrap(await deleteCharger(deps, req.params.chargerId!, req.ifMatch!, req.query.history, closer));
  if (outcome.state === 'deleted') return noContent();
  // A purge erases at most PURGE_BUDGET history items per request; the charger stays until its history is gone.
  return {
    status: 202,
    body: { state: 'purging', deleted: outcome.deleted, detail: `Erased ${outcome.deleted} history items (at most ${PURGE_BUDGET} per request); send the same DELETE again` },
  };
});
