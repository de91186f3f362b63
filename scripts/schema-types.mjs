// TypeScript declarations for the OCPP payloads, written from the same normalised schemas that build-schemas.mjs
// compiles into validators, so a payload's type says exactly what its validator checked. Pure: schemas in, text out.
// Shape keywords become types (type, properties, required, additionalProperties, items, enum, const, anyOf/oneOf,
// $ref to a definition); value constraints (maxLength, minimum, format...) have no TypeScript form and are left to the
// validators. A keyword that would change the shape and is not handled here fails the build instead of being dropped.

const UNSUPPORTED = ['allOf', 'patternProperties', 'dependencies', 'if', 'then', 'else'];
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const INDENT = '  ';

const key = (name) => (IDENTIFIER.test(name) ? name : JSON.stringify(name));
const literal = (value) => JSON.stringify(value);
const union = (members) => [...new Set(members)].join(' | ') || 'never';
/** `T[]` needs parentheses around a union. */
const arrayOf = (type) => (/^[\w$.]+$/.test(type) || type.endsWith('}') ? `${type}[]` : `(${type})[]`);

/**
 * TypeScript names for the definitions, in sorted order so that a clash always resolves the same way: a name
 * that is no identifier is cleaned, and a name already taken (by a message, a map type or an earlier
 * definition) gets the suffix `Def`, then `Def2`, `Def3`...
 */
export function nameDefinitions(defNames, taken) {
  const used = new Set(taken);
  const names = new Map();
  for (const defName of [...defNames].sort()) {
    const base = defName.replace(/[^\w$]/g, '_').replace(/^(?=\d)/, '_');
    let name = base;
    for (let n = 1; used.has(name); n += 1) name = `${base}Def${n === 1 ? '' : n}`;
    used.add(name);
    names.set(defName, name);
  }
  return names;
}

function makeRenderer(where, typeNameOfRef) {
  const render = (schema, depth, path) => {
    const bad = UNSUPPORTED.find((k) => schema[k] !== undefined) ?? (Array.isArray(schema.items) ? 'items (tuple)' : undefined);
    if (bad) throw new Error(`${where}${path}: ${bad} has no TypeScript form here; extend scripts/schema-types.mjs`);
    if (schema.$ref !== undefined) return typeNameOfRef(schema.$ref, `${where}${path}`);
    if (schema.const !== undefined) return literal(schema.const);
    if (schema.enum !== undefined) return union(schema.enum.map(literal));
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives !== undefined) return union(alternatives.map((s, i) => render(s, depth, `${path}/${i}`)));
    const types = [schema.type ?? (schema.properties ? 'object' : undefined)].flat();
    return union(types.map((type) => renderType(type, schema, depth, path)));
  };
  const renderType = (type, schema, depth, path) => {
    switch (type) {
      case undefined: return 'unknown';
      case 'string': return 'string';
      case 'integer': case 'number': return 'number';
      case 'boolean': return 'boolean';
      case 'null': return 'null';
      case 'array': return arrayOf(schema.items === undefined ? 'unknown' : render(schema.items, depth, `${path}/items`));
      case 'object': return renderObject(schema, depth, path);
      default: throw new Error(`${where}${path}: unknown type ${type}`);
    }
  };
  const renderObject = (schema, depth, path) => {
    const required = new Set(schema.required ?? []);
    const pad = INDENT.repeat(depth + 1);
    const lines = Object.entries(schema.properties ?? {}).map(([name, prop]) =>
      `${pad}${key(name)}${required.has(name) ? '' : '?'}: ${render(prop, depth + 1, `${path}/${name}`)};`);
    const extra = schema.additionalProperties;
    // An open object (the schema's default) may carry any other key, as its validator allows.
    if (extra !== false) {
      // A schema for the other keys types them only if no declared property has to fit the same index signature.
    const typed = typeof extra === 'object' && lines.length === 0;
    const value = typed ? render(extra, depth + 1, `${path}/additionalProperties`) : 'unknown';
      lines.push(`${pad}[key: string]: ${value};`);
    }
    // A closed object without properties: `{}` would accept any object, Record<string, never> only an empty one.
    if (lines.length === 0) return 'Record<string, never>';
    return `{\n${lines.join('\n')}\n${INDENT.repeat(depth)}}`;
  };
  return render;
}

/** `export interface` for an object type (better error messages), `export type` for anything else. */
const declaration = (name, type) => {
  if (type.startsWith('{\n')) return `export interface ${name} ${type}`;
  // Only a flat union (of literals or names) is split over lines; anything nested stays as rendered.
  const members = /[\n(){}<>[\]]/.test(type) ? [type] : type.split(' | ');
  return `export type ${name} =${wrapped(members)};`;
};

/** ` A | B` on one line when short, else one member per line. Only for unions of literals and names. */
const wrapped = (members) => {
  const line = ` ${union(members)}`;
  return line.length <= 100 ? line : members.map((m) => `\n  | ${m}`).join('');
};

/**
 * The declarations of one OCPP version.
 * - `prefix`: of the map types, e.g. `Ocpp201` → `Ocpp201Actions`.
 * - `schemas`: `{ name, schema }` with names `<Action>Request` / `<Action>Response`; an action with a request and
 *   no response is a SEND (2.1).
 * - `defs`: shared definitions, the target of every `$ref` (`…#/definitions/<name>`).
 * - `directions`: `{ charger, csms }`, the CALL actions each side sends; together they must cover every action.
 */
export function emitTypes({ label, prefix, schemas, defs = {}, directions }) {
  const byName = new Map([...schemas].sort((a, b) => (a.name < b.name ? -1 : 1)).map((s) => [s.name, s.schema]));
  const actions = new Map();
  for (const name of byName.keys()) {
    const [, action, kind] = /^(.+)(Request|Response)$/.exec(name) ?? [];
    if (action === undefined) throw new Error(`${label} ${name}: a message name ends in Request or Response`);
    actions.set(action, { ...actions.get(action), [kind]: name });
  }
  const calls = [...actions].filter(([, a]) => a.Request && a.Response).map(([action]) => action);
  const sends = [...actions].filter(([, a]) => !a.Response).map(([action]) => action);
  const orphan = [...actions].find(([, a]) => !a.Request);
  if (orphan) throw new Error(`${label} ${orphan[0]}: a response without a request`);
  checkDirections(label, calls, directions);

  const mapNames = ['Actions', 'ChargerAction', 'CsmsAction', 'ChargerActions', 'CsmsActions', 'Sends'].map((n) => prefix + n);
  const defNames = nameDefinitions(Object.keys(defs), [...byName.keys(), ...mapNames]);
  const typeNameOfRef = (ref, at) => {
    const target = /#\/definitions\/(.+)$/.exec(ref)?.[1];
    const name = target === undefined ? undefined : defNames.get(target);
    if (name === undefined) throw new Error(`${label} ${at}: cannot resolve $ref ${ref}`);
    return name;
  };
  const declare = (name, schema, source) => declaration(name, makeRenderer(`${label} ${source}`, typeNameOfRef)(schema, 0, ''));

  const entry = (action) => `  ${action}: { request: ${actions.get(action).Request}; response: ${actions.get(action).Response} };`;
  const both = directions.charger.filter((a) => directions.csms.includes(a)).sort();
  const bothWays = both.length === 0 ? '' : ` (${both.join(', ')}: both ways)`;
  const out = [
    `// Generated by scripts/build-schemas.mjs from the ${label} schemas. Do not edit.`,
    '// Types only: nothing here exists at run time. See shared/ocpp/SCHEMAS.md.',
    '',
    ...[...byName].map(([name, schema]) => declare(name, schema, name)),
    '',
    ...[...defNames].sort(([, a], [, b]) => (a < b ? -1 : 1))
      .map(([defName, name]) => declare(name, defs[defName], `#/definitions/${defName}`)),
    '',
    `/** Every ${label} CALL by action: its request and its response (CALLRESULT) payload. */`,
    `export interface ${prefix}Actions {`,
    ...calls.map(entry),
    '}',
    '',
    `/** The CALLs a charging station sends to the CSMS${bothWays}. */`,
    `export type ${prefix}ChargerAction =${wrapped([...directions.charger].sort().map(literal))};`,
    `/** The CALLs the CSMS sends to a charging station${bothWays}. */`,
    `export type ${prefix}CsmsAction =${wrapped([...directions.csms].sort().map(literal))};`,
    `export type ${prefix}ChargerActions = Pick<${prefix}Actions, ${prefix}ChargerAction>;`,
    `export type ${prefix}CsmsActions = Pick<${prefix}Actions, ${prefix}CsmsAction>;`,
    ...(sends.length === 0 ? [] : [
      '',
      '/** SEND messages (OCPP 2.1 Part 4 §4.2.4): a request that gets no response, not even an error. */',
      `export interface ${prefix}Sends {`,
      ...sends.map((action) => `  ${action}: { request: ${actions.get(action).Request} };`),
      '}',
    ]),
  ];
  return `${out.join('\n')}\n`;
}

function checkDirections(label, calls, { charger, csms }) {
  const known = new Set(calls);
  const problems = [
    ...calls.filter((a) => !charger.includes(a) && !csms.includes(a)).map((a) => `${a} is in neither direction`),
    ...[...charger, ...csms].filter((a) => !known.has(a)).map((a) => `${a} has no request and response schema`),
  ];
  if (problems.length > 0) throw new Error(`${label} action directions (scripts/build-schemas.mjs): ${problems.join('; ')}`);
}
