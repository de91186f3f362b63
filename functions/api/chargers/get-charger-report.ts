import { reportOf } from '#shared/charger/charger-api.ts';
import { ApiProblem, httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { getChargerReportRoute } from './routes.ts';

export const handler = httpHandler(getChargerReportRoute, async (req) => {
  const requestId = Number(req.params.requestId);
  // OCPP requestId is an integer (the report's id in GetBaseReport / GetReport).
  if (!Number.isSafeInteger(requestId) || !/^-?\d+$/.test(req.params.requestId ?? '')) {
    throw new ApiProblem(400, 'requestId must be an integer', [{ parameter: 'requestId', detail: 'not an integer' }]);
  }
  return ok(unwrap(await reportOf(deps, req.params.chargerId!, req.query.kind, requestId)));
});
