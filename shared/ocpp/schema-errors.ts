import type { GeneratedValidator, SchemaError } from './generated/types.js';
import type { Fault, FaultCode } from './faults.ts';

type Params = SchemaError['params'];

/**
 * Which OCPP error a failed JSON-schema keyword is (2.x Part 4 §4.3 wording): a wrong JSON type is a type
 * constraint, a missing or surplus element an occurrence constraint, a bad value a property constraint. Anything
 * else (e.g. an unknown property) is a FormatViolation.
 */
const FAULT_BY_KEYWORD: Readonly<Record<string, FaultCode>> = {
  type: 'TypeConstraintViolation',
  required: 'OccurrenceConstraintViolation',
  minItems: 'OccurrenceConstraintViolation',
  maxItems: 'OccurrenceConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  enum: 'PropertyConstraintViolation',
  const: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
  format: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
};

const own = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined =>
  (Object.hasOwn(table, key) ? table[key] : undefined);
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));
const list = (v: unknown): string => (Array.isArray(v) ? v.map(text).join(', ') : text(v));

/** Our own wording (the generated code carries no messages, which keeps it smaller). */
const MESSAGE_BY_KEYWORD: Readonly<Record<string, (p: Params) => string>> = {
  type: (p) => `must be ${list(p.type)}`,
  required: () => 'is required but missing',
  additionalProperties: () => 'is not a known property',
  minItems: (p) => `must NOT have fewer than ${text(p.limit)} items`,
  maxItems: (p) => `must NOT have more than ${text(p.limit)} items`,
  minLength: (p) => `must NOT have fewer than ${text(p.limit)} characters`,
  maxLength: (p) => `must NOT have more than ${text(p.limit)} characters`,
  enum: (p) => `must be one of ${list(p.allowedValues)}`,
  const: (p) => `must be ${text(p.allowedValue)}`,
  pattern: (p) => `must match pattern ${text(p.pattern)}`,
  format: (p) => `must be a valid ${text(p.format)}`,
  minimum: (p) => `must be ${text(p.comparison)} ${text(p.limit)}`,
  maximum: (p) => `must be ${text(p.comparison)} ${text(p.limit)}`,
  exclusiveMinimum: (p) => `must be ${text(p.comparison)} ${text(p.limit)}`,
  exclusiveMaximum: (p) => `must be ${text(p.comparison)} ${text(p.limit)}`,
  multipleOf: (p) => `must be a multiple of ${text(p.multipleOf)}`,
};

/** JSON pointer of the offending property: for required/additionalProperties Ajv points at the parent object. */
export function errorPath(error: SchemaError): string {
  const child = error.params.missingProperty ?? error.params.additionalProperty;
  const escaped = typeof child === 'string' ? child.replace(/~/g, '~0').replace(/\//g, '~1') : undefined;
  const path = escaped === undefined ? error.instancePath : `${error.instancePath}/${escaped}`;
  return path === '' ? '/' : path;
}

export function describeSchemaError(error: SchemaError): string {
  const message = own(MESSAGE_BY_KEYWORD, error.keyword)?.(error.params) ?? `violates the schema keyword "${error.keyword}"`;
  return `${errorPath(error)}: ${message}`;
}

/** The fault to answer with for a schema violation, e.g. `/idTag: must NOT have more than 20 characters`. */
export function faultForSchemaError(error: SchemaError): Fault {
  return { code: own(FAULT_BY_KEYWORD, error.keyword) ?? 'FormatViolation', description: describeSchemaError(error) };
}

/** The error a failed validator reports; every failed run sets one, the fallback only satisfies the type. */
export const firstError = (validate: GeneratedValidator): SchemaError =>
  validate.errors?.[0] ?? { instancePath: '', keyword: 'unknown', params: {} };
