/** $default: one OCPP-J frame in, at most one frame back as the route response. */
import type { Context } from 'aws-lambda';
import { commandReplies } from '#shared/command/replies.ts';
import { handleFrame } from '#shared/inbound/handle-frame.ts';
import { messageBudget } from '#shared/inbound/message-budget.ts';
import { deps, env, logger } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';
import { annotateCharger } from '../_common/tracer.ts';
import { chargerIdentity } from '../_common/charger-identity.ts';
import type { WsMessageEvent, WsResult } from '../_common/ws-events.ts';

const frameConfig = {
  heartbeatIntervalSeconds: env.HEARTBEAT_INTERVAL_SECONDS,
  chargerClock: { aheadMs: env.CHARGER_CLOCK_AHEAD_SECONDS * 1000, behindMs: env.CHARGER_CLOCK_BEHIND_DAYS * 86_400_000 },
  maxSamplesPerMessage: env.MAX_SAMPLES_PER_MESSAGE,
  // Per warm container: see message-budget.ts for why it is not counted in DynamoDB.
  budget: messageBudget({ perMinute: env.MESSAGE_BUDGET_PER_MINUTE, burst: env.MESSAGE_BUDGET_BURST }),
  replies: commandReplies(deps),
  liveTransactionWindowMs: env.LIVE_TRANSACTION_WINDOW_MINUTES * 60_000,
};

/** Time kept back from the Lambda timeout to send the InternalError that replaces an answer not ready in time. */
const ANSWER_MARGIN_MS = 1_000;

const message = async (event: WsMessageEvent, context: Context): Promise<WsResult> => {
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
    deadline: AbortSignal.timeout(Math.max(0, context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS)),
  });
  return reply === undefined ? { statusCode: 200 } : { statusCode: 200, body: reply };
};

export const handler = withCsms(message).use(annotateCharger((event: WsMessageEvent) => chargerIdentity(event.requestContext)?.chargerId));
