/**
 * ocpp-rpc's own copy of the OCA schemas (lib/schemas/*.json, `$id` `urn:<Action>.req|.conf`): a set independent of
 * the one this project compiles, and the one ocpp-rpc's strict mode checks test chargers against. Plus sample
 * payloads built from a schema, to call every action without writing each request by hand.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createValidator } from 'ocpp-rpc';

export type OcppRpcProtocol = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';
const FILES: Record<OcppRpcProtocol, string> = { 'ocpp1.6': 'ocpp1_6', 'ocpp2.0.1': 'ocpp2_0_1', 'ocpp2.1': 'ocpp2_1' };

export interface JsonSchema {
  $id?: string;
  $ref?: string;
  type?: string;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  definitions?: Record<string, JsonSchema>;
}

const schemaFiles: Partial<Record<OcppRpcProtocol, ReadonlyMap<string, JsonSchema>>> = {};
const validators: Partial<Record<OcppRpcProtocol, ReturnType<typeof createValidator>>> = {};

/**
 * The key of a schema: `<Action>.req` / `<Action>.conf`. The 1.6 and 2.0.1 files' `$id`s are `urn:<Action>.req` /
 * `.conf`; the 2.1 file's are `urn:<Action>Request` / `Response`.
 */
const keyOf = (id: string): string => id.replace(/^urn:/, '').replace(/Request$/, '.req').replace(/Response$/, '.conf');

/** Every schema in ocpp-rpc's file for `protocol`, by `<Action>.req` / `<Action>.conf`. Read once. */
export function ocppRpcSchemas(protocol: OcppRpcProtocol): ReadonlyMap<string, JsonSchema> {
  const cached = schemaFiles[protocol];
  if (cached !== undefined) return cached;
  const file = createRequire(import.meta.url).resolve(`ocpp-rpc/lib/schemas/${FILES[protocol]}.json`);
  const schemas = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema[];
  return (schemaFiles[protocol] = new Map(schemas.map((schema) => [keyOf(schema.$id ?? ''), schema])));
}

/** The actions ocpp-rpc knows for `protocol`, both directions. */
export const ocppRpcActions = (protocol: OcppRpcProtocol): string[] =>
  [...ocppRpcSchemas(protocol).keys()].filter((id) => id.endsWith('.req')).map((id) => id.slice(0, -'.req'.length));

/**
 * The schema without `additionalProperties` beside a type other than object, where it checks nothing: the 2.1 file
 * puts it on every string enum, and Ajv would log a strict-mode warning for each as it compiles them.
 */
const withoutNoOps = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(withoutNoOps);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { type } = schema as JsonSchema;
  return Object.fromEntries(Object.entries(schema)
    .filter(([key]) => !(key === 'additionalProperties' && typeof type === 'string' && type !== 'object'))
    .map(([key, value]) => [key, withoutNoOps(value)]));
};

/**
 * Checks `payload` as ocpp-rpc's strict mode does (its Ajv setup, its schema file): the first failure as a message,
 * or undefined when it passes.
 */
export function ocppRpcCheck(protocol: OcppRpcProtocol, action: string, kind: 'req' | 'conf', payload: unknown): string | undefined {
  validators[protocol] ??= createValidator(protocol, [...ocppRpcSchemas(protocol).values()].map(withoutNoOps));
  const id = ocppRpcSchemas(protocol).get(`${action}.${kind}`)?.$id;
  if (id === undefined) return `ocpp-rpc has no ${protocol} ${action}.${kind} schema`;
  try {
    // ocpp-rpc types `validate` as possibly async; OCPP schemas have no async keyword, so it answers true or throws.
    return validators[protocol].validate(id, payload) === true ? undefined : 'not validated synchronously';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const SAMPLE_TIME = '2025-01-01T00:00:00.000Z';

/**
 * A payload that fits `schema`: the first enum value, the smallest number allowed (at least 1), one item per array,
 * short strings. `fields: 'required'` fills only required properties, `'all'` every property, so that optional
 * fields a reply echoes are exercised too. Enough for OCPP's schemas (no oneOf, patterns or recursion).
 */
export function samplePayload(schema: JsonSchema, fields: 'required' | 'all', root: JsonSchema = schema): unknown {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace(/^#\/definitions\//, '');
    const target = root.definitions?.[name];
    if (target === undefined) throw new Error(`unresolved $ref ${schema.$ref}`);
    return samplePayload(target, fields, root);
  }
  if (schema.enum !== undefined) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const chosen = Object.entries(schema.properties ?? {}).filter(([name]) => fields === 'all' || schema.required?.includes(name));
      return Object.fromEntries(chosen.map(([name, property]) => [name, samplePayload(property, fields, root)]));
    }
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 1, 1) }, () => samplePayload(schema.items ?? {}, fields, root));
    case 'string':
      if (schema.format === 'date-time') return SAMPLE_TIME;
      if (schema.format === 'uri') return 'https://example.com/file';
      return 'x'.repeat(Math.min(Math.max(schema.minLength ?? 1, 1), schema.maxLength ?? Infinity));
    case 'integer':
    case 'number':
      return Math.min(Math.max(schema.minimum ?? 1, 1), schema.maximum ?? Infinity);
    case 'boolean':
      return false;
    default:
      // customData-like open objects without a type
      return {};
  }
}
