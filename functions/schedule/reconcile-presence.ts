/** Every 10 minutes: marks offline the chargers whose connection closed without a `$disconnect` reaching us. */
import { reconcilePresence } from '#shared/charger/presence.ts';
import { deps } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';

export const handler = withCsms(async (): Promise<{ offline: number }> => ({ offline: (await reconcilePresence(deps)).length }));
