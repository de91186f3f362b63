/**
 * Operators' `$default`: the only messages taken are subscription changes; the answer (ack or error) goes back as
 * the route response. Nothing a client sends is ever passed on to others: there is no way to publish.
 */
import { answerLiveMessage } from '#shared/live/subscriptions.ts';
import { deps } from '../../_common/runtime.ts';
import { withCsms } from '../../_common/with-csms.ts';
import type { WsResult } from '../../_common/ws-events.ts';
import type { OperatorWsEvent } from './events.ts';

const message = async (event: OperatorWsEvent): Promise<WsResult> => {
  const reply = await answerLiveMessage(deps.stores.liveSubscriptions, event.requestContext.connectionId, event.body);
  return { statusCode: 200, body: JSON.stringify(reply) };
};

export const handler = withCsms(message);
