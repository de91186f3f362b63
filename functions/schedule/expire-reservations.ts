/** Every minute: reservations past their expiry become `expired` and free the EVSE they held. */
import { expireReservations } from '#shared/reservation/reservation-ends.ts';
import { deps } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';

export const handler = withCsms(async (): Promise<{ expired: number }> => ({ expired: await expireReservations(deps) }));
