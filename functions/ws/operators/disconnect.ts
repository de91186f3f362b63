/** Operators' `$disconnect`: forgets the connection and its subscriptions (their TTL covers a lost one). */
import { deps, logger } from '../../_common/runtime.ts';
import { withCsms } from '../../_common/with-csms.ts';
import type { WsResult } from '../../_common/ws-events.ts';
import type { OperatorWsEvent } from './events.ts';

const disconnect = async (event: OperatorWsEvent): Promise<WsResult> => {
  const rc = event.requestContext;
  await deps.stores.liveSubscriptions.close(rc.connectionId);
  logger.info('operator disconnected', { principal: rc.authorizer?.principal, connectionId: rc.connectionId });
  return { statusCode: 200 };
};

export const handler = withCsms(disconnect);
