/**
 * Domain bounds: values the JSON schemas allow but no charger means. The schemas say "integer" where the spec
 * means a connector number or a Wh register, and "string" where the spec means printable text; a payload that
 * passes its schema is checked here too (validate.ts `validateRequest`), and a value out of its domain gets the
 * spec's PropertyConstraintViolation, like a schema `minimum` would. One table, so the bounds live in one place.
 *
 * Text is refused, not normalized: a charger's words are kept exactly as sent (identity strings, serial numbers
 * and audit facts must not change on the way in), and text no charger means has no faithful form to keep.
 */
import { fault, type Fault } from './faults.ts';
import type { OcppProtocol } from './frames.ts';

interface IntegerBound {
  /** JSON pointer segments; `*` stands for every item of an array. */
  readonly path: readonly string[];
  readonly min: number;
  readonly max: number;
}

/** Connector and EVSE numbers are stored in four-digit keys; no charger has ten thousand. */
const MAX_CONNECTOR = 9999;
/** OCPP's integer is 32-bit: ids, sequence numbers and reservation ids fit one. */
const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);
/** A Wh register is never negative and must be exact in a JavaScript number. */
const METER_WH = { min: 0, max: Number.MAX_SAFE_INTEGER } as const;
/** Report pages (NotifyReport, NotifyMonitoringReport, NotifyCustomerInformation) are kept in six-digit keys. */
const MAX_REPORT_SEQ_NO = 999_999;

const at = (pointer: string, min: number, max: number): IntegerBound => ({ path: pointer.split('/').slice(1), min, max });

const OCPP16: Readonly<Record<string, readonly IntegerBound[]>> = {
  // 1.6 §4.9: connectorId 0 is the charge point itself; §4.8/§7.x: a transaction runs on a connector > 0.
  StatusNotification: [at('/connectorId', 0, MAX_CONNECTOR)],
  StartTransaction: [at('/connectorId', 1, MAX_CONNECTOR), at('/meterStart', METER_WH.min, METER_WH.max), at('/reservationId', 0, INT32_MAX)],
  StopTransaction: [at('/transactionId', INT32_MIN, INT32_MAX), at('/meterStop', METER_WH.min, METER_WH.max)],
  MeterValues: [at('/connectorId', 0, MAX_CONNECTOR), at('/transactionId', INT32_MIN, INT32_MAX)],
};

const OCPP2: Readonly<Record<string, readonly IntegerBound[]>> = {
  // 2.0.1 Part 2 §2.23 EVSEType: evse id > 0 (0 names the station in StatusNotification/MeterValues); connectors from 1.
  StatusNotification: [at('/evseId', 0, MAX_CONNECTOR), at('/connectorId', 0, MAX_CONNECTOR)],
  MeterValues: [at('/evseId', 0, MAX_CONNECTOR)],
  TransactionEvent: [
    at('/seqNo', 0, INT32_MAX),
    at('/evse/id', 0, MAX_CONNECTOR),
    at('/evse/connectorId', 0, MAX_CONNECTOR),
    at('/reservationId', 0, INT32_MAX),
    at('/transactionInfo/remoteStartId', INT32_MIN, INT32_MAX),
    at('/numberOfPhasesUsed', 0, 3),
    at('/cableMaxCurrent', 0, INT32_MAX),
  ],
  NotifyReport: [at('/requestId', INT32_MIN, INT32_MAX), at('/seqNo', 0, MAX_REPORT_SEQ_NO)],
  NotifyMonitoringReport: [at('/requestId', INT32_MIN, INT32_MAX), at('/seqNo', 0, MAX_REPORT_SEQ_NO)],
  NotifyCustomerInformation: [at('/requestId', INT32_MIN, INT32_MAX), at('/seqNo', 0, MAX_REPORT_SEQ_NO)],
  NotifyDisplayMessages: [at('/requestId', INT32_MIN, INT32_MAX)],
  ReportChargingProfiles: [at('/requestId', INT32_MIN, INT32_MAX)],
  // Reservation ids are kept in ten-digit keys; the CSMS hands out none below zero.
  ReservationStatusUpdate: [at('/reservationId', 0, INT32_MAX)],
};

export const INTEGER_BOUNDS: Readonly<Record<OcppProtocol, Readonly<Record<string, readonly IntegerBound[]>>>> = {
  'ocpp1.6': OCPP16,
  'ocpp2.0.1': OCPP2,
  'ocpp2.1': OCPP2,
};

/**
 * Characters no charger means in any OCPP string: C0 controls other than tab, line feed and carriage return,
 * DEL and C1 controls, the bidirectional embeddings, overrides and isolates (they make stored text display as
 * something else, "Trojan Source"), and UTF-16 surrogates that are not part of a pair (not Unicode text at all;
 * they cannot be written as UTF-8). Left and right marks (U+200E/U+200F) stay: right-to-left text needs them.
 */
const UNMEANT_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
const codePoint = (c: string) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The first unmeant character in `text`, named by its code point. */
export const unmeantCharacter = (text: string): string | undefined => {
  // The `u` flag treats a lone surrogate as one character, which is what the pattern needs to see.
  const match = UNMEANT_TEXT.exec(text);
  return match ? codePoint(match[0]) : undefined;
};

/** Bounds the walk: a payload has passed its schema, but 2.x customData may nest anything. */
const MAX_DEPTH = 32;

/**
 * Numbers we can keep: the store's client refuses any beyond JavaScript's exact integers (Number.MAX_SAFE_INTEGER,
 * fractions too), and DynamoDB any nearer zero than 1E-130. No charger means one (9·10^15 Wh is nine petawatt-hours);
 * unrefused, it failed the message's write and the charger, answered InternalError, sent it again for ever.
 */
const MIN_STORABLE_MAGNITUDE = 1e-130;
export const isStorableNumber = (n: number): boolean => n === 0 || (Math.abs(n) <= Number.MAX_SAFE_INTEGER && Math.abs(n) >= MIN_STORABLE_MAGNITUDE);

/**
 * Property names the store's client cannot keep (no OCPP schema has them; only customData and 2.x DataTransfer data
 * could): it tells a plain object by its `constructor`, and writes `__proto__` as the map's prototype. Unrefused, the
 * message's write failed and the charger was answered InternalError on every retry.
 */
const UNSTORABLE_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor']);

/**
 * The first value the payload must not hold, as a fault: a number or property name we cannot keep, and (`text`) a
 * string, value or property name, holding an unmeant character.
 */
const valueFault = (node: unknown, pointer: string, depth: number, text: boolean): Fault | undefined => {
  if (typeof node === 'number') {
    return isStorableNumber(node) ? undefined : fault('PropertyConstraintViolation', `${pointer || '/'}: must be 0 or from 1E-130 to ${Number.MAX_SAFE_INTEGER} in magnitude`);
  }
  if (typeof node === 'string') {
    const bad = text ? unmeantCharacter(node) : undefined;
    return bad === undefined ? undefined : fault('PropertyConstraintViolation', `${pointer || '/'}: must not contain the control or unpaired character ${bad}`);
  }
  if (typeof node !== 'object' || node === null || depth >= MAX_DEPTH) return undefined;
  for (const [key, value] of Array.isArray(node) ? node.entries() : Object.entries(node)) {
    const child = `${pointer}/${escapePointer(String(key))}`;
    const badKey = text && typeof key === 'string' ? unmeantCharacter(key) : undefined;
    if (badKey) return fault('PropertyConstraintViolation', `${child}: property name must not contain the character ${badKey}`);
    if (typeof key === 'string' && UNSTORABLE_NAMES.has(key)) return fault('PropertyConstraintViolation', `${child}: no property may be named ${key}`);
    const found = valueFault(value, child, depth + 1, text);
    if (found) return found;
  }
  return undefined;
};

/**
 * The first number or property name of a payload the store cannot keep, as a fault. For what a charger sends that
 * is never refused (a reply to our CALL): kept as text instead of failing its write on every try.
 */
export const unstorableValue = (payload: unknown): Fault | undefined => valueFault(payload, '', 0, false);

/** Every value at `path` (arrays expanded at `*`), with its JSON pointer. */
const valuesAt = (node: unknown, path: readonly string[], pointer = ''): [string, unknown][] => {
  const [key, ...rest] = path;
  if (key === undefined) return [[pointer, node]];
  if (key === '*') return Array.isArray(node) ? node.flatMap((item, i) => valuesAt(item, rest, `${pointer}/${i}`)) : [];
  if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return [];
  return valuesAt((node as Record<string, unknown>)[key], rest, `${pointer}/${key}`);
};

const integerFault = (payload: unknown, bound: IntegerBound): Fault | undefined => {
  for (const [pointer, value] of valuesAt(payload, bound.path)) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= bound.min && value <= bound.max) continue;
    if (typeof value !== 'number') continue; // the schema's type check owns other types
    return fault('PropertyConstraintViolation', `${pointer}: must be an integer from ${bound.min} to ${bound.max}`);
  }
  return undefined;
};

/** The fault for a charger's request whose values pass the schema but lie outside their domain; undefined if none. */
export const checkBounds = (protocol: OcppProtocol, action: string, payload: unknown): Fault | undefined => {
  const table = INTEGER_BOUNDS[protocol];
  const bounds = Object.hasOwn(table, action) ? table[action] : undefined;
  for (const bound of bounds ?? []) {
    const found = integerFault(payload, bound);
    if (found) return found;
  }
  return valueFault(payload, '', 0, true);
};
