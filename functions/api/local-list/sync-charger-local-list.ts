import { syncLocalList } from '#shared/local-list/local-list-sync.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { accepted, httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { syncChargerLocalListRoute } from './routes.ts';

const queue = sqsCommandQueue();

export const handler = httpHandler(syncChargerLocalListRoute, async (req) => {
  const sync = unwrap(
    await syncLocalList({ ...deps, queue }, { chargerId: req.params.chargerId!, full: req.query.full === 'true', requestedBy: principalName(req.principal) }),
  );
  const last = sync.commands.at(-1);
  return last ? accepted(sync, `/commands/${last.commandId}`) : ok(sync);
});
