/** $default: one OCPP-J frame in, at most one frame back as the route response. */
import { handleFrame } from '#shared/inbound/handle-frame.ts';
import { deps, env, logger } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';
import { chargerIdentity } from '../_common/charger-identity.ts';
import type { WsMessageEvent, WsResult } from '../_common/ws-events.ts';

const frameConfig = {
  heartbeatIntervalSeconds: env.HEARTBEAT_INTERVAL_SECONDS,
  chargerClock: { aheadMs: env.CHARGER_CLOCK_AHEAD_SECONDS * 1000, behindMs: env.CHARGER_CLOCK_BEHIND_DAYS * 86_400_000 },
};

const message = async (event: WsMessageEvent): Promise<WsResult> => {
  const rc = event.requestContext;
  const identity = chargerIdentity(rc);
  if (!identity) {
    logger.error('frame on a connection without charger context', { connectionId: rc.connectionId });
    return { statusCode: 200 };
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  const reply = await handleFrame(deps, frameConfig, {
    ...identity,
    connectionId: rc.connectionId,
    raw,
    receivedAt: new Date(rc.requestTimeEpoch ?? Date.now()),
  });
  return reply === undefined ? { statusCode: 200 } : { statusCode: 200, body: reply };
};

export const handler = withCsms(message);
