/** $connect: registers the live connection (replacing an older one) and echoes the negotiated subprotocol. */
import { offeredSpelling, openConnection } from '#shared/charger/connection.ts';
import { deps, env, logger } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';
import { annotateCharger } from '../_common/tracer.ts';
import { connectionCloser, managementEndpoint } from '../_common/connections.ts';
import { passwordKeys } from '../_common/secrets.ts';
import { header, type WsConnectEvent, type WsResult } from '../_common/ws-events.ts';

const pendingLimits = { maxPending: env.AUTO_REGISTER_MAX_PENDING, pendingHours: env.AUTO_REGISTER_PENDING_HOURS };

const connect = async (event: WsConnectEvent): Promise<WsResult> => {
  const rc = event.requestContext;
  const auth = rc.authorizer;
  if (!auth?.chargeBoxId) return { statusCode: 401, body: 'not authorized' };
  if (!auth.protocol) {
    logger.warn('no supported OCPP subprotocol offered', {
      chargerId: auth.chargeBoxId,
      offered: header(event.headers, 'Sec-WebSocket-Protocol'),
    });
    return { statusCode: 400, body: 'offer one of the subprotocols ocpp2.1, ocpp2.0.1, ocpp1.6' };
  }
  const enrolment = auth.enrolment === 'true';
  const promotesPassword = auth.promotesPassword === 'true';
  // Only a charger registering by an enrolment code needs the pepper (the code's MAC, its first password's hash).
  const ports = enrolment ? { ...deps, ...(await passwordKeys()) } : deps;
  const opened = await openConnection(ports, connectionCloser(managementEndpoint(env.WS_MANAGEMENT_ENDPOINT, rc)), {
    chargerId: auth.chargeBoxId,
    connectionId: rc.connectionId,
    protocol: auth.protocol,
    connectedAt: rc.connectedAt ?? Date.now(),
    register: auth.register === 'true',
    enrolment,
    promotesPassword,
    // Behind CloudFront the source IP is CloudFront's; the viewer's address travels in this header.
    sourceIp: header(event.headers, 'CloudFront-Viewer-Address') ?? rc.identity?.sourceIp,
    authorization: header(event.headers, 'X-Ocpp-Authorization'),
  }, pendingLimits);
  if (!opened.opened) {
    logger.warn('connection refused', { chargerId: auth.chargeBoxId, reason: opened.reason });
    return { statusCode: 409, body: opened.reason };
  }
  logger.info('charger connected', { chargerId: auth.chargeBoxId, protocol: auth.protocol, connectionId: rc.connectionId });
  return auth.echoProtocol === 'true'
    ? { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': offeredSpelling(header(event.headers, 'Sec-WebSocket-Protocol'), auth.protocol) } }
    : { statusCode: 200 };
};

export const handler = withCsms(connect).use(annotateCharger((event: WsConnectEvent) => event.requestContext.authorizer?.chargeBoxId));
