import { ApiProblem } from '../../_common/http/handler.ts';

/** A reservation id in a path: an OCPP integer, 0 … 2^31 - 1 (ocpp/bounds.ts bounds what chargers send alike). */
export const reservationIdParam = (raw: string | undefined): number => {
  const id = Number(raw);
  if (!/^\d{1,10}$/.test(raw ?? '') || id > 2 ** 31 - 1) throw new ApiProblem(400, 'reservationId must be an integer from 0 to 2147483647', [{ parameter: 'reservationId', detail: 'not a reservation id' }]);
  return id;
};
