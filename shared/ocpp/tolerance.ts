import type { GeneratedValidator, SchemaError } from './generated/types.js';
import { errorPath, faultForSchemaError, firstError } from './schema-errors.ts';
import type { ValidationOutcome } from './validate.ts';

/**
 * Inbound tolerance, guided by the validator's errors: validate, and while the first error is one we tolerate,
 * fix it in a copy and validate again. Tolerated: (a) unknown properties (removed), (b) numeric strings where the
 * schema wants a number (converted), and numbers where it wants a string (written as the same digits), (c) `null`
 * for an optional property (removed; OCPP-J forbids null for an absent field, 2.x Part 4 §4.1.5), (d) a date-time
 * without time zone (read as UTC), (e) the 1.6 errata's units the 1.6 schema lacks (UNIT_ERRATA), (f) one object
 * where the schema wants an array of them (wrapped: some firmware sends its one meter value bare), (g) JSON sent
 * as 1.6 DataTransfer `data`, which is text (written as its JSON text), (h) a 1.6 BootNotification serial number
 * over its limit (LONG_SERIAL_NUMBERS, kept as sent). A missing required field, any other bad enum value or any
 * other over-long string is never tolerated. Where a schema allows extra properties (2.x customData) there is no
 * error, so nothing changes.
 * Fixes copy only the containers on the path to the fix: the caller's object is never changed, and untouched
 * subtrees are shared, not cloned.
 *
 * One fix applies at every place of the payload the same schema governs: each item of an OCPP array has one schema
 * (no OCPP schema has tuple `items`, `anyOf` or `oneOf`), so the property `vendorX` found unknown in one sampled
 * value is removed from all of them in one step. So the number of steps grows with the kinds of deviation (which
 * property, where), not with the size of the payload: 500 samples that each carry a vendor field cost one step.
 */

type JsonObject = Record<string, unknown>;
/**
 * `insteadOf`: given the error the next validation reports, the error to answer with in its place when that error
 * is one the fix caused (a null dropped from a required property, a number turned into text outside its enum).
 */
type Fix = { root: unknown; note: string; insteadOf?: (next: SchemaError) => SchemaError | undefined; setAside?: SetAside };
/** Where to fix (the object holding the offending property) and how to fix one such object (undefined: leave it). */
type Change = { at: readonly string[]; fix: (o: JsonObject) => JsonObject | undefined; note: string; insteadOf?: Fix['insteadOf']; setAside?: SetAside };
/** A value taken out for the schema check and put back, exactly as sent, once the rest passes. */
type SetAside = { at: readonly string[]; key: string; value: string };
type Fixer = (root: unknown, error: SchemaError) => Change | undefined;

/**
 * Bounds the work a hostile payload can cause (each step validates the payload again): distinct kinds of
 * deviation, each fixed everywhere at once. Past it the next error is reported as it is (FormatViolation for an
 * unknown property).
 */
export const MAX_FIXES = 64;
/** A JSON number, and short: anything else stays a (wrong) string. */
const NUMERIC = /^-?(?:0|[1-9]\d{0,19})(?:\.\d{1,20})?(?:[eE][+-]?\d{1,3})?$/;

const isRecord = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const segments = (pointer: string) => pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
// Object.fromEntries defines properties, so even a key named "__proto__" stays plain data.
const omit = (o: JsonObject, key: string): JsonObject => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const replace = (o: JsonObject, key: string, value: unknown): JsonObject =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === key ? value : v]));

/** The value at a path, own properties only. */
function resolve(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as JsonObject)[key];
  }
  return node;
}

/** A copy of `node` in which the object at `path` is replaced by `change(object)`. */
function updateAt(node: unknown, path: readonly string[], change: (o: JsonObject) => JsonObject): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return isRecord(node) ? change(node) : node;
  if (Array.isArray(node)) return node.map((item, i) => (String(i) === key ? updateAt(item, rest, change) : item));
  return isRecord(node) && Object.hasOwn(node, key) ? replace(node, key, updateAt(node[key], rest, change)) : node;
}

/** `path` with every array index replaced by `*`: the places of the payload the same schema governs. */
function placesOf(root: unknown, path: readonly string[]): string[] {
  let node = root;
  return path.map((key) => {
    const inArray = Array.isArray(node);
    node = typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as JsonObject)[key] : undefined;
    return inArray ? '*' : key;
  });
}

/** A copy of `node` in which every object at `places` is replaced by `fix(object)` where that is defined. */
function updateEverywhere(node: unknown, places: readonly string[], fix: (o: JsonObject) => JsonObject | undefined): unknown {
  const [key, ...rest] = places;
  if (key === undefined) return isRecord(node) ? (fix(node) ?? node) : node;
  if (key === '*') {
    if (!Array.isArray(node)) return node;
    const items = node.map((item: unknown) => updateEverywhere(item, rest, fix));
    return items.some((item, i) => item !== node[i]) ? items : node;
  }
  if (!isRecord(node) || !Object.hasOwn(node, key)) return node;
  const child = updateEverywhere(node[key], rest, fix);
  return child === node[key] ? node : replace(node, key, child);
}

const applyChange = (root: unknown, change: Change): Fix => {
  const places = placesOf(root, change.at);
  const fixed = updateEverywhere(root, places, change.fix);
  // A fix that found nothing to change everywhere still changes the object the error named.
  const next = fixed === root ? updateAt(root, change.at, (o) => change.fix(o) ?? o) : fixed;
  const where = places.includes('*') ? ` (everywhere at /${places.join('/')})` : '';
  return { root: next, note: `${change.note}${where}`, ...(change.insteadOf ? { insteadOf: change.insteadOf } : {}), ...(change.setAside ? { setAside: change.setAside } : {}) };
};

const dropUnknownProperty: Fixer = (root, error) => {
  const path = segments(error.instancePath);
  const parent = resolve(root, path);
  const key = error.params.additionalProperty;
  if (!isRecord(parent) || typeof key !== 'string' || !Object.hasOwn(parent, key)) return undefined;
  return { at: path, fix: (o) => (Object.hasOwn(o, key) ? omit(o, key) : undefined), note: `removed unknown property ${errorPath(error)}` };
};

function toWantedNumber(value: unknown, wanted: readonly string[]): number | undefined {
  if (typeof value !== 'string' || !NUMERIC.test(value)) return undefined;
  const n = Number(value);
  if (wanted.includes('integer') && Number.isSafeInteger(n)) return n;
  return wanted.includes('number') && Number.isFinite(n) ? n : undefined;
}

/** The last name of a JSON pointer: the property, wherever in an array the same schema governs it. */
const lastName = (pointer: string) => pointer.split('/').pop();

/**
 * Dropping a null that turns out to be required: report the null itself, not the property now missing (at the
 * place it went missing, which may be another item of the array the null was removed from).
 */
const nullWasRequired = (removed: SchemaError) => (next: SchemaError): SchemaError | undefined =>
  next.keyword === 'required' && lastName(errorPath(next)) === lastName(removed.instancePath) ? { ...removed, instancePath: errorPath(next) } : undefined;

/** A number turned into text that the property's schema still refuses (an enum, a length): report the wrong type. */
const textStillWrong = (converted: SchemaError) => (next: SchemaError): SchemaError | undefined =>
  next.keyword !== 'required' && next.keyword !== 'additionalProperties' && lastName(next.instancePath) === lastName(converted.instancePath)
    ? { ...converted, instancePath: next.instancePath }
    : undefined;

/**
 * A number as its JSON text where the schema wants a string (embedded stacks send a 1.6 sampled value or an idTag
 * unquoted). Only a number whose text is exactly what was sent: not one JSON rounded or wrote with an exponent.
 */
const numberAsText = (value: unknown, wanted: readonly string[]): string | undefined => {
  if (typeof value !== 'number' || !Number.isFinite(value) || !wanted.includes('string')) return undefined;
  const text = String(value);
  return /^-?\d{1,15}(?:\.\d{1,15})?$/.test(text) ? text : undefined;
};

/** The property an error names, in the object holding it. Only properties of objects are fixed, never array items. */
const offendingProperty = (root: unknown, error: SchemaError): { path: string[]; key: string; value: unknown } | undefined => {
  const path = segments(error.instancePath);
  const key = path.pop();
  const parent = resolve(root, path);
  return key === undefined || !isRecord(parent) || !Object.hasOwn(parent, key) ? undefined : { path, key, value: parent[key] };
};

/**
 * A change that rewrites the property `key` of the object at `path`, and of every object the same schema governs,
 * wherever `rewrite` has a new value for it (`undefined`: leave it; `DROP`: remove the property).
 */
const DROP = Symbol('drop');
const rewriting = (path: string[], key: string, rewrite: (value: unknown) => unknown, note: string, insteadOf?: Fix['insteadOf']): Change => ({
  at: path,
  fix: (o) => {
    const next = Object.hasOwn(o, key) ? rewrite(o[key]) : undefined;
    return next === undefined ? undefined : next === DROP ? omit(o, key) : replace(o, key, next);
  },
  note,
  ...(insteadOf ? { insteadOf } : {}),
});

const fixType: Fixer = (root, error) => {
  const found = offendingProperty(root, error);
  if (found === undefined) return undefined;
  const { path, key, value } = found;
  if (value === null) return rewriting(path, key, (v) => (v === null ? DROP : undefined), `removed null property ${error.instancePath}`, nullWasRequired(error));
  const wanted = String(error.params.type).split(',');
  if (wanted.includes('array') && isRecord(value)) {
    return rewriting(path, key, (v) => (isRecord(v) ? [v] : undefined), `wrapped the single object at ${error.instancePath} in an array`);
  }
  if (key === 'data' && wanted.includes('string') && typeof value === 'object') {
    // 1.6 DataTransfer's data is text; embedded stacks send their JSON as an object. Its JSON text is what they mean.
    return rewriting(path, key, (v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : undefined), `wrote the JSON at ${error.instancePath} as its text`);
  }
  if (numberAsText(value, wanted) !== undefined) {
    const note = `converted number ${String(value)} to a string at ${error.instancePath}`;
    return rewriting(path, key, (v) => numberAsText(v, wanted), note, textStillWrong(error));
  }
  if (toWantedNumber(value, wanted) === undefined) return undefined;
  return rewriting(path, key, (v) => toWantedNumber(v, wanted), `converted numeric string "${String(value)}" to a number at ${error.instancePath}`);
};

/** A local date-time with no offset: RFC 3339 (and so OCPP) requires one, many chargers omit it. */
const NO_OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?$/;

/** Reads a date-time without time zone as UTC, which is what OCPP chargers are told to use. */
const fixDateTime: Fixer = (root, error) => {
  const found = error.params.format === 'date-time' ? offendingProperty(root, error) : undefined;
  if (found === undefined || typeof found.value !== 'string' || !NO_OFFSET_DATE_TIME.test(found.value)) return undefined;
  const note = `read date-time "${found.value}" without time zone as UTC at ${error.instancePath}`;
  return rewriting(found.path, found.key, (v) => (typeof v === 'string' && NO_OFFSET_DATE_TIME.test(v) ? `${v}Z` : undefined), note);
};

/**
 * 1.6 units the 1.6 JSON schema lacks, which chargers send: the errata's corrected spelling of Celsius (the schema
 * has "Celcius"), read as the schema's; and a frequency unit (the errata adds Hertz; some firmware writes Hz), which
 * the schema has no value for, so it is removed: the measurand Frequency says it. Only in the 1.6 unit enum.
 */
const UNIT_ERRATA: ReadonlyMap<string, string | typeof DROP> = new Map<string, string | typeof DROP>([['Celsius', 'Celcius'], ['Hertz', DROP], ['Hz', DROP]]);
const isUnitOfMeasure16 = (allowed: unknown) => Array.isArray(allowed) && allowed.includes('Celcius') && allowed.includes('kWh');

const fixUnitErrata: Fixer = (root, error) => {
  const found = isUnitOfMeasure16(error.params.allowedValues) ? offendingProperty(root, error) : undefined;
  const sent = found?.value;
  const read = typeof sent === 'string' ? UNIT_ERRATA.get(sent) : undefined;
  if (found === undefined || read === undefined) return undefined;
  const note = read === DROP ? `removed unit "${String(sent)}" the 1.6 schema lacks at ${error.instancePath}` : `read unit "${String(sent)}" as "${read}" at ${error.instancePath}`;
  return rewriting(found.path, found.key, (v) => (v === sent ? read : undefined), note, nullWasRequired(error));
};

/**
 * 1.6 BootNotification serial numbers a charger model writes longer than the schema's 25 characters (a widespread
 * wallbox sends 26 and 34, fixed): refused, the charger can never boot. Kept exactly as sent, up to twice the limit;
 * any other over-long string, and these beyond that, are still refused.
 */
const LONG_SERIAL_NUMBERS: ReadonlySet<string> = new Set(['/chargePointSerialNumber', '/chargeBoxSerialNumber']);

const keepLongSerialNumber: Fixer = (root, error) => {
  const found = LONG_SERIAL_NUMBERS.has(error.instancePath) ? offendingProperty(root, error) : undefined;
  const limit = Number(error.params.limit);
  if (found === undefined || typeof found.value !== 'string' || !(found.value.length <= 2 * limit)) return undefined;
  const { path, key, value } = found;
  const note = `kept the ${value.length}-character ${key} over its ${limit}-character limit`;
  return { ...rewriting(path, key, (v) => (v === value ? DROP : undefined), note), setAside: { at: path, key, value } };
};

const FIXERS: Readonly<Record<string, Fixer>> = {
  additionalProperties: dropUnknownProperty,
  type: fixType,
  format: fixDateTime,
  enum: fixUnitErrata,
  maxLength: keepLongSerialNumber,
};

/** `root` with each set-aside value back in its place. */
const putBack = (root: unknown, setAside: readonly SetAside[]): unknown =>
  setAside.reduce((node, s) => updateAt(node, s.at, (o) => Object.fromEntries([...Object.entries(o), [s.key, s.value]])), root);

export function validateTolerant(validate: GeneratedValidator, payload: unknown): ValidationOutcome {
  const tolerated: string[] = [];
  const setAside: SetAside[] = [];
  let current = payload;
  let lastFix: Fix | undefined;
  for (let fixes = 0; ; fixes += 1) {
    if (validate(current)) return { ok: true, payload: putBack(current, setAside), tolerated };
    const error = firstError(validate);
    const caused = lastFix?.insteadOf?.(error);
    if (caused) return { ok: false, fault: faultForSchemaError(caused) };
    const fixer = Object.hasOwn(FIXERS, error.keyword) ? FIXERS[error.keyword] : undefined;
    const change = fixer?.(current, error);
    if (change && fixes >= MAX_FIXES) {
      const refused = faultForSchemaError(error);
      return { ok: false, fault: { ...refused, description: `${refused.description}; more than ${MAX_FIXES} kinds of non-conforming content are not tolerated` } };
    }
    lastFix = change && applyChange(current, change);
    if (lastFix === undefined) return { ok: false, fault: faultForSchemaError(error) };
    tolerated.push(lastFix.note);
    if (lastFix.setAside) setAside.push(lastFix.setAside);
    current = lastFix.root;
  }
}
