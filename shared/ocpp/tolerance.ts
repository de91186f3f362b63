import type { GeneratedValidator, SchemaError } from './generated/types.js';
import { errorPath, faultForSchemaError, firstError } from './schema-errors.ts';
import type { ValidationOutcome } from './validate.ts';

/**
 * Inbound tolerance, guided by the validator's errors: validate, and while the first error is one we tolerate,
 * fix it in a copy and validate again. Tolerated: (a) unknown properties (removed), (b) numeric strings where the
 * schema wants a number (converted), (c) `null` for an optional property (removed; OCPP-J forbids null for an
 * absent field, 2.x Part 4 §4.1.5), (d) a date-time without time zone (read as UTC). A missing required field, a bad enum value or an over-long string is never
 * tolerated. Where a schema allows extra properties (2.x customData) there is no error, so nothing changes.
 * Fixes copy only the containers on the path to the fix: the caller's object is never changed, and untouched
 * subtrees are shared, not cloned.
 */

type JsonObject = Record<string, unknown>;
type Fix = { root: unknown; note: string; removedNull?: SchemaError };
type Fixer = (root: unknown, error: SchemaError) => Fix | undefined;

/** Bounds the work a hostile payload can cause; past it the next error is reported as it is. */
const MAX_FIXES = 64;
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

const dropUnknownProperty: Fixer = (root, error) => {
  const path = segments(error.instancePath);
  const parent = resolve(root, path);
  const key = error.params.additionalProperty;
  if (!isRecord(parent) || typeof key !== 'string' || !Object.hasOwn(parent, key)) return undefined;
  return { root: updateAt(root, path, (o) => omit(o, key)), note: `removed unknown property ${errorPath(error)}` };
};

function toWantedNumber(value: unknown, wanted: readonly string[]): number | undefined {
  if (typeof value !== 'string' || !NUMERIC.test(value)) return undefined;
  const n = Number(value);
  if (wanted.includes('integer') && Number.isSafeInteger(n)) return n;
  return wanted.includes('number') && Number.isFinite(n) ? n : undefined;
}

/** Only properties of objects are fixed: array items are never dropped or converted. */
const fixType: Fixer = (root, error) => {
  const path = segments(error.instancePath);
  const key = path.pop();
  const parent = resolve(root, path);
  if (key === undefined || !isRecord(parent) || !Object.hasOwn(parent, key)) return undefined;
  const value = parent[key];
  if (value === null) {
    const note = `removed null property ${error.instancePath}`;
    return { root: updateAt(root, path, (o) => omit(o, key)), note, removedNull: error };
  }
  const n = toWantedNumber(value, String(error.params.type).split(','));
  if (n === undefined) return undefined;
  const note = `converted numeric string "${String(value)}" to a number at ${error.instancePath}`;
  return { root: updateAt(root, path, (o) => replace(o, key, n)), note };
};

/** A local date-time with no offset: RFC 3339 (and so OCPP) requires one, many chargers omit it. */
const NO_OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?$/;

/** Reads a date-time without time zone as UTC, which is what OCPP chargers are told to use. */
const fixDateTime: Fixer = (root, error) => {
  if (error.params.format !== 'date-time') return undefined;
  const path = segments(error.instancePath);
  const key = path.pop();
  const parent = resolve(root, path);
  if (key === undefined || !isRecord(parent) || !Object.hasOwn(parent, key)) return undefined;
  const value = parent[key];
  if (typeof value !== 'string' || !NO_OFFSET_DATE_TIME.test(value)) return undefined;
  const note = `read date-time "${value}" without time zone as UTC at ${error.instancePath}`;
  return { root: updateAt(root, path, (o) => replace(o, key, `${value}Z`)), note };
};

const FIXERS: Readonly<Record<string, Fixer>> = {
  additionalProperties: dropUnknownProperty,
  type: fixType,
  format: fixDateTime,
};

/** Dropping a null that turns out to be required: report the null itself, not the property now missing. */
const nullWasRequired = (error: SchemaError, fix: Fix | undefined): SchemaError | undefined =>
  fix?.removedNull && error.keyword === 'required' && errorPath(error) === fix.removedNull.instancePath
    ? fix.removedNull
    : undefined;

export function validateTolerant(validate: GeneratedValidator, payload: unknown): ValidationOutcome {
  const tolerated: string[] = [];
  let current = payload;
  let lastFix: Fix | undefined;
  for (let fixes = 0; ; fixes += 1) {
    if (validate(current)) return { ok: true, payload: current, tolerated };
    const error = firstError(validate);
    const requiredNull = nullWasRequired(error, lastFix);
    if (requiredNull) return { ok: false, fault: faultForSchemaError(requiredNull) };
    const fixer = Object.hasOwn(FIXERS, error.keyword) ? FIXERS[error.keyword] : undefined;
    lastFix = fixes < MAX_FIXES ? fixer?.(current, error) : undefined;
    if (lastFix === undefined) return { ok: false, fault: faultForSchemaError(error) };
    tolerated.push(lastFix.note);
    current = lastFix.root;
  }
}
