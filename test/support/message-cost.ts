/**
 * What one charger message cost, through the handler harness with the capacity meter on (`CSMS_CAPACITY_METER`): the
 * reply and the DynamoDB requests sent meanwhile (round trips are left out: they depend on timing).
 */
import { capacitySnapshot } from '#shared/store/capacity-meter.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import type { Harness } from './handler-harness.ts';

export const measuredCall = async (h: Pick<Harness, 'call'>, chargerId: string, protocol: OcppProtocol, action: string, payload: unknown) => {
  const before = capacitySnapshot().requests;
  const reply = await h.call(chargerId, protocol, action, payload, 'accepted');
  return { reply: reply[2] as Record<string, unknown>, requests: capacitySnapshot().requests - before };
};
