/**
 * Which charger and OCPP version an event belongs to: the $connect authorizer's context, which API Gateway
 * repeats in `requestContext.authorizer` on every later event of the connection.
 */
import type { RegistrationStatus } from '#shared/charger/registry.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import type { WsRequestContext } from './ws-events.ts';

export interface ChargerIdentity {
  chargerId: string;
  protocol: OcppProtocol;
  /**
   * The registration the authorizer found at connect. Any change of it closes the connection (registry.ts
   * `setRegistration`), so it is current for every frame, without a read. Absent on connections opened before the
   * context carried it: the gate then reads it.
   */
  registration?: RegistrationStatus;
}

const REGISTRATIONS: ReadonlySet<string> = new Set<RegistrationStatus>(['accepted', 'pending', 'rejected']);

export const chargerIdentity = (rc: WsRequestContext): ChargerIdentity | undefined => {
  const auth = rc.authorizer;
  if (!auth?.chargeBoxId || !auth.protocol) return undefined;
  const registration = auth.registration && REGISTRATIONS.has(auth.registration) ? auth.registration : undefined;
  return { chargerId: auth.chargeBoxId, protocol: auth.protocol, ...(registration ? { registration } : {}) };
};
