/** Which charger and OCPP version an event belongs to: from the authorizer context, else the connection record. */
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { getConnection } from '#shared/charger/presence.ts';
import type { StoreDeps } from '#shared/deps.ts';
import type { WsRequestContext } from './ws-events.ts';

export interface ChargerIdentity {
  chargerId: string;
  protocol: OcppProtocol;
}

export const chargerIdentity = async (store: StoreDeps, rc: WsRequestContext): Promise<ChargerIdentity | undefined> => {
  const auth = rc.authorizer;
  if (auth?.chargeBoxId && auth.protocol) return { chargerId: auth.chargeBoxId, protocol: auth.protocol };
  const connection = await getConnection(store, rc.connectionId);
  return connection && { chargerId: connection.chargerId, protocol: connection.protocol };
};
