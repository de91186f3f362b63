/**
 * $disconnect: marks the charger offline unless a newer connection has already replaced this one, and fails the
 * command whose CALL was in flight on this connection.
 */
import { closeConnection } from '#shared/charger/connection.ts';
import { failInFlightOnDisconnect } from '#shared/command/dispatch.ts';
import { deps, logger } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';
import { annotateCharger } from '../_common/tracer.ts';
import { chargerIdentity } from '../_common/charger-identity.ts';
import type { WsMessageEvent, WsResult } from '../_common/ws-events.ts';

const disconnect = async (event: WsMessageEvent): Promise<WsResult> => {
  const rc = event.requestContext;
  const identity = chargerIdentity(rc);
  if (!identity) {
    logger.warn('disconnect of a connection without charger context', { connectionId: rc.connectionId });
    return { statusCode: 200 };
  }
  // Independent writes: the presence item, and the CALL of ours in flight on this connection, if any.
  await Promise.all([closeConnection(deps, identity.chargerId, rc.connectionId), failInFlightOnDisconnect(deps, identity.chargerId, rc.connectionId)]);
  logger.info('charger disconnected', { chargerId: identity.chargerId, connectionId: rc.connectionId, code: rc.disconnectStatusCode });
  return { statusCode: 200 };
};

export const handler = withCsms(disconnect).use(annotateCharger((event: WsMessageEvent) => chargerIdentity(event.requestContext)?.chargerId));
