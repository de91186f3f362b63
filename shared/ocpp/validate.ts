import type { GeneratedValidator } from './generated/types.js';
import { fault } from './faults.ts';
import type { Fault } from './faults.ts';
import type { OcppProtocol } from './frames.ts';
import { checkBounds } from './bounds.ts';
import { errorPath, faultForSchemaError, firstError } from './schema-errors.ts';
import { validateTolerant } from './tolerance.ts';

export type ValidationOutcome =
  /** `payload` after tolerance fixes (copied along each fix; the input is never changed); `tolerated`: what, for the log. */
  | { ok: true; payload: unknown; tolerated: string[] }
  | { ok: false; fault: Fault };

type Kind = 'request' | 'response';
type ValidatorTable = Readonly<Record<string, GeneratedValidator | undefined>>;

/**
 * Compiled ahead of time by scripts/build-schemas.mjs: nothing is compiled at cold start. Each version is its
 * own module, loaded on first use, so a container only parses the versions its chargers speak (2.1's alone is
 * over half of all the validator code). The Lambda bundle ships them as separate files (lib/route-function.ts).
 */
const LOADERS: Record<OcppProtocol, () => Promise<ValidatorTable>> = {
  'ocpp1.6': () => import('./generated/ocpp16.js'),
  'ocpp2.0.1': () => import('./generated/ocpp201.js'),
  'ocpp2.1': () => import('./generated/ocpp21.js'),
};
const loaded: Partial<Record<OcppProtocol, ValidatorTable>> = {};

/** Makes `protocol`'s validators available to the synchronous checks below; cheap after the first call. */
export const loadValidators = async (protocol: OcppProtocol): Promise<void> => {
  loaded[protocol] ??= await LOADERS[protocol]();
};

const SUFFIX: Record<Kind, string> = { request: 'Request', response: 'Response' };

function validatorFor(protocol: OcppProtocol, action: string, kind: Kind): GeneratedValidator | undefined {
  const table = loaded[protocol];
  if (table === undefined) throw new Error(`${protocol} validators are not loaded: await loadValidators('${protocol}') first`);
  const key = `${action}${SUFFIX[kind]}`;
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function validateInbound(protocol: OcppProtocol, action: string, kind: Kind, payload: unknown): ValidationOutcome {
  const validate = validatorFor(protocol, action, kind);
  if (validate === undefined) return { ok: false, fault: fault('NotImplemented', `${action} is not an ${protocol} action`) };
  return validateTolerant(validate, payload);
}

/** Whether `action` has a schema in `protocol` (a 2.1 SEND such as NotifyPeriodicEventStream counts). */
export function hasAction(protocol: OcppProtocol, action: string): boolean {
  return validatorFor(protocol, action, 'request') !== undefined;
}

/**
 * Checks the payload of a charger's CALL (or 2.1 SEND), with the inbound tolerances of tolerance.ts, then the
 * domain bounds the schema cannot express (bounds.ts).
 */
export function validateRequest(protocol: OcppProtocol, action: string, payload: unknown): ValidationOutcome {
  const checked = validateInbound(protocol, action, 'request', payload);
  if (!checked.ok) return checked;
  const outOfBounds = checkBounds(protocol, action, checked.payload);
  return outOfBounds ? { ok: false, fault: outOfBounds } : checked;
}

/** Checks the payload of a charger's CALLRESULT to our CALL of `action`, with the inbound tolerances. */
export function validateResponse(protocol: OcppProtocol, action: string, payload: unknown): ValidationOutcome {
  return validateInbound(protocol, action, 'response', payload);
}

/** Our own payload failed its schema: a bug on our side, never sent. `cause` is the Fault. */
export class OutboundPayloadError extends Error {
  override readonly name = 'OutboundPayloadError';
}

export type OutboundCheck =
  | { readonly ok: true }
  /** `pointer`: the JSON pointer into the payload of the first failing property ('/' for the payload itself). */
  | { readonly ok: false; readonly pointer: string; readonly fault: Fault };

/** Strict check of a payload we are about to send (no tolerance: we are strict in what we send). */
export function checkOutbound(protocol: OcppProtocol, action: string, kind: Kind, payload: unknown): OutboundCheck {
  const validate = validatorFor(protocol, action, kind);
  if (validate === undefined) return { ok: false, pointer: '/', fault: fault('NotImplemented', `${action} has no ${protocol} ${kind} schema`) };
  if (validate(payload)) return { ok: true };
  const error = firstError(validate);
  return { ok: false, pointer: errorPath(error), fault: faultForSchemaError(error) };
}

/** Strict check of a payload we are about to send: no tolerance; throws OutboundPayloadError. */
export function assertValidOutbound(protocol: OcppProtocol, action: string, kind: Kind, payload: unknown): void {
  const checked = checkOutbound(protocol, action, kind, payload);
  if (checked.ok) return;
  throw new OutboundPayloadError(`invalid ${protocol} ${action} ${kind}: ${checked.fault.description}`, { cause: checked.fault });
}
