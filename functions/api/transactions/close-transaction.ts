import { closeTransaction } from '#shared/transaction/stale-transactions.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { closeTransactionRoute } from './routes.ts';

export const handler = httpHandler(closeTransactionRoute, async (req) =>
  ok(unwrap(await closeTransaction(deps, req.params.chargerId!, req.params.transactionId!, req.body.reason, principalName(req.principal)))),
);
