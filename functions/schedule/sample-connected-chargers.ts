/** Every minute: publishes how many chargers are connected (the ConnectedChargers metric). */
import { sampleConnectedChargers } from '#shared/charger/presence.ts';
import { deps } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';

export const handler = withCsms(async (): Promise<{ connected: number }> => ({ connected: await sampleConnectedChargers(deps) }));
