/**
 * Request ids the CSMS allocates for an operator who leaves them out (a reservation's id, a remote start's id): the
 * field is the one the catalog names (`requestIdField`), the value a random positive 31-bit integer (OCPP's integer
 * ids are signed 32-bit). Random rather than counted: uniqueness per charger is all the charger's later messages
 * need, and one in 2^31 per pair of live ids of one charger is far below that bar, with no counter item to write.
 */
import { createHash, randomInt } from 'node:crypto';
import type { OcppProtocol } from '../ocpp/frames.ts';
import { requestIdField } from './catalog.ts';

/** Largest OCPP integer id (2^31 - 1); `randomInt`'s upper bound is exclusive. */
const LARGEST_ID = 2 ** 31 - 1;

export const allocateRequestId = (): number => randomInt(1, LARGEST_ID + 1);

/**
 * The `attempt`-th id (1 … 2^31 - 1) a seed walks: deterministic, so a retry of the same request walks the same ids
 * (a 1.6 transaction id from its start's fingerprint, a reservation id from its request key).
 */
export const idFromSeed = (seed: string, attempt: number): number =>
  (createHash('sha256').update(`${seed}#${attempt}`).digest().readUInt32BE(0) % LARGEST_ID) + 1;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The payload with its request id filled in when the action has one and the payload lacks it; any other payload as
 * given (an invalid one then fails its schema check, naming what the operator sent).
 */
export const withRequestId = (protocol: OcppProtocol, action: string, payload: unknown): unknown => {
  const field = requestIdField(protocol, action);
  if (field === undefined || !isObject(payload) || payload[field] !== undefined) return payload;
  return { ...payload, [field]: allocateRequestId() };
};
