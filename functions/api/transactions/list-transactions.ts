import type { TransactionPartition } from '#shared/store/transaction-store.ts';
import { listStaleTransactions } from '#shared/transaction/stale-transactions.ts';
import { listTransactions } from '#shared/transaction/transaction-queries.ts';
import { httpHandler, pageOf } from '../../_common/http/handler.ts';
import { deps, env } from '../../_common/runtime.ts';
import { listTransactionsRoute } from './routes.ts';

export const handler = httpHandler(listTransactionsRoute, async (req) => {
  const { from, to, chargerId, idToken, locationId, state } = req.query;
  const options = { ...req.page, ...(from ? { from } : {}), ...(to ? { to } : {}) };
  if (state === 'stale') return pageOf(await listStaleTransactions(deps, options, env.LIVE_TRANSACTION_WINDOW_MINUTES * 60_000));
  // The query schema admits exactly one of these.
  const partition: TransactionPartition =
    chargerId !== undefined ? { chargerId } : idToken !== undefined ? { idToken } : locationId !== undefined ? { locationId } : { state: state! };
  return pageOf(await listTransactions(deps, partition, options));
});
