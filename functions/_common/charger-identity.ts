/**
 * Which charger and OCPP version an event belongs to: the $connect authorizer's context, which API Gateway
 * repeats in `requestContext.authorizer` on every later event of the connection.
 */
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import type { WsRequestContext } from './ws-events.ts';

export interface ChargerIdentity {
  chargerId: string;
  protocol: OcppProtocol;
}

export const chargerIdentity = (rc: WsRequestContext): ChargerIdentity | undefined => {
  const auth = rc.authorizer;
  return auth?.chargeBoxId && auth.protocol ? { chargerId: auth.chargeBoxId, protocol: auth.protocol } : undefined;
};
