import { transactionMeterValues } from '#shared/transaction/transaction-queries.ts';
import { httpHandler, pageOf, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { listMeterValuesRoute } from './routes.ts';

export const handler = httpHandler(listMeterValuesRoute, async (req) => {
  const { measurand, from, to } = req.query;
  const options = { ...req.page, ...(measurand ? { measurand } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
  return pageOf(unwrap(await transactionMeterValues(deps, req.params.chargerId!, req.params.transactionId!, options)));
});
