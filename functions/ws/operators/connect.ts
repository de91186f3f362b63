/** Operators' `$connect`: records the connection (no subscriptions yet) and answers the live-events subprotocol. */
import { LIVE_SUBPROTOCOL, offersLiveSubprotocol } from '#shared/live/live-event.ts';
import { deps, logger } from '../../_common/runtime.ts';
import { withCsms } from '../../_common/with-csms.ts';
import { header, type WsResult } from '../../_common/ws-events.ts';
import type { OperatorWsEvent } from './events.ts';

const connect = async (event: OperatorWsEvent): Promise<WsResult> => {
  const rc = event.requestContext;
  const principal = rc.authorizer?.principal;
  if (!principal) return { statusCode: 401, body: 'not authorized' };
  // Answering a subprotocol the client did not offer would make it fail the handshake anyway.
  if (!offersLiveSubprotocol(header(event.headers, 'Sec-WebSocket-Protocol'))) return { statusCode: 400, body: `offer the subprotocol ${LIVE_SUBPROTOCOL}` };
  const connectedAt = new Date(rc.connectedAt ?? Date.now()).toISOString();
  await deps.stores.liveSubscriptions.open({ connectionId: rc.connectionId, principal, connectedAt });
  logger.info('operator connected', { principal, connectionId: rc.connectionId });
  return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': LIVE_SUBPROTOCOL } };
};

export const handler = withCsms(connect);
