/**
 * Requests whose `requestId` names what the charger sends back later (2.x NotifyReport and the other report pages,
 * log and firmware status notifications, …): when the operator leaves it out, the CSMS allocates one before the
 * payload is checked and recorded, so the command shows it and its report can be found
 * (`GET /chargers/{id}/reports/{requestId}`). One the operator gave is kept.
 *
 * The actions are those whose catalog entry names a field `requestId`. A reservation id (ReserveNow) or a remote
 * start id (RequestStartTransaction) names something the operator manages: their own features decide those.
 */
import { randomInt } from 'node:crypto';
import type { OcppProtocol } from '../ocpp/frames.ts';
import { outboundActions, requestIdField } from './catalog.ts';
import type { CommandEffect } from './effects.ts';

/** OCPP integers are 32-bit signed: a positive one, 1 to 2^31 - 1. */
const REQUEST_ID_LIMIT = 2 ** 31;

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value);

const allocateRequestId = (action: string): CommandEffect => ({
  async prepare(_deps, { protocol, payload }) {
    const field = requestIdField(protocol, action);
    // Anything but an object is left for the schema check to refuse.
    if (field === undefined || !isObject(payload) || payload[field] !== undefined) return payload;
    return { ...payload, [field]: randomInt(1, REQUEST_ID_LIMIT) };
  },
});

const actions = new Set(
  Object.entries(outboundActions).flatMap(([protocol, names]) => names.filter((action) => requestIdField(protocol as OcppProtocol, action) === 'requestId')),
);

export const requestIdEffects: Readonly<Record<string, CommandEffect>> = Object.fromEntries([...actions].map((action) => [action, allocateRequestId(action)]));
