import { getTransaction } from '#shared/transaction/transaction-queries.ts';
import { httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getTransactionRoute } from './routes.ts';

export const handler = httpHandler(getTransactionRoute, async (req) => ok(unwrap(await getTransaction(deps, req.params.chargerId!, req.params.transactionId!))));
