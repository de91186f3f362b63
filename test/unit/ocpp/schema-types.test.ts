import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareProtocols, type PreparedProtocol } from '../../../scripts/build-schemas.mjs';
import { emitTypes, nameDefinitions, type TypeSource } from '../../../scripts/schema-types.mjs';

// The generator, on small schemas and on the real ones. What the generated types mean to the compiler is
// checked in test/unit/inbound/action-types.test.ts (by tsc).

const GENERATED = path.join(import.meta.dirname, '../../../shared/ocpp/generated');

const source = (o: Partial<TypeSource> = {}): TypeSource => ({
  label: 'test',
  prefix: 'T',
  schemas: [],
  directions: { charger: [], csms: [] },
  ...o,
});
type Schema = Record<string, unknown>;
const call = (action: string, request: Schema, response: Schema = { type: 'object', additionalProperties: false }) => [
  { name: `${action}Request`, schema: request },
  { name: `${action}Response`, schema: response },
];

describe('emitTypes', () => {
  it('marks properties outside `required` optional and turns enums into unions of literals', () => {
    const out = emitTypes(source({
      schemas: call('Reset', {
        type: 'object',
        additionalProperties: false,
        properties: { type: { type: 'string', enum: ['Hard', 'Soft'] }, delay: { type: 'integer', minimum: 0 } },
        required: ['type'],
      }),
      directions: { charger: [], csms: ['Reset'] },
    }));
    expect(out).toContain('export interface ResetRequest {\n  type: "Hard" | "Soft";\n  delay?: number;\n}');
    expect(out).toContain('export type ResetResponse = Record<string, never>;');
    expect(out).toContain('export interface TActions {\n  Reset: { request: ResetRequest; response: ResetResponse };\n}');
    expect(out).toContain('export type TChargerAction = never;');
    expect(out).toContain('export type TCsmsAction = "Reset";');
  });

  it('names definitions, follows $refs to them, and gives open objects an index signature', () => {
    const out = emitTypes(source({
      schemas: call('Boot', {
        type: 'object',
        additionalProperties: false,
        properties: { station: { $ref: 'urn:x:defs#/definitions/StationType' }, tags: { type: 'array', items: { type: 'string' } } },
        required: ['station'],
      }),
      defs: {
        StationType: { type: 'object', properties: { model: { type: 'string' }, data: {} }, required: ['model'] },
      },
      directions: { charger: ['Boot'], csms: [] },
    }));
    expect(out).toContain('export interface BootRequest {\n  station: StationType;\n  tags?: string[];\n}');
    expect(out).toContain('export interface StationType {\n  model: string;\n  data?: unknown;\n  [key: string]: unknown;\n}');
  });

  it('resolves name clashes the same way whatever the order: a taken name gets Def, then Def2', () => {
    const taken = ['BootRequest', 'TActions'];
    const names = nameDefinitions(['TActions', 'BootRequest', 'Boot-Request'], taken);
    expect(Object.fromEntries(names)).toEqual({ 'Boot-Request': 'Boot_Request', BootRequest: 'BootRequestDef', TActions: 'TActionsDef' });
    expect(Object.fromEntries(nameDefinitions(['BootRequest', 'Boot-Request', 'TActions'], taken))).toEqual(Object.fromEntries(names));
    expect(Object.fromEntries(nameDefinitions(['A', 'A_', 'A-'], ['A_']))).toEqual({ A: 'A', 'A-': 'A_Def', A_: 'A_Def2' });
  });

  it('refuses a schema it cannot express rather than emitting a wider type', () => {
    const request = { type: 'object', allOf: [{ properties: { a: { type: 'string' } } }] };
    expect(() => emitTypes(source({ schemas: call('X', request), directions: { charger: ['X'], csms: [] } })))
      .toThrow(/XRequest: allOf has no TypeScript form/);
  });

  it('refuses an action that neither side is said to send, and a direction without a schema', () => {
    const schemas = call('X', { type: 'object' });
    expect(() => emitTypes(source({ schemas }))).toThrow(/X is in neither direction/);
    expect(() => emitTypes(source({ schemas, directions: { charger: ['X', 'Y'], csms: [] } }))).toThrow(/Y has no request and response schema/);
  });

  it('puts a request without a response (a 2.1 SEND) in its own map', () => {
    const out = emitTypes(source({ schemas: [{ name: 'StreamRequest', schema: { type: 'object' } }] }));
    expect(out).toContain('export interface TSends {\n  Stream: { request: StreamRequest };\n}');
    expect(out).toContain('export interface TActions {\n}');
  });
});

describe('the generated types of the OCA schemas', () => {
  let protocols: PreparedProtocol[];
  const emit = (p: PreparedProtocol, reorder = (s: PreparedProtocol['prepared']['schemas']) => s) =>
    emitTypes({ label: p.label, prefix: p.prefix, directions: p.directions, defs: p.prepared.defs, schemas: reorder(p.prepared.schemas) });
  const generated = (module: string) => readFileSync(path.join(GENERATED, `${module}.types.ts`), 'utf8');
  beforeAll(async () => {
    protocols = await prepareProtocols();
  });

  it('are what `npm run postinstall` wrote, and come out the same on every run and in any input order', () => {
    expect(protocols.map((p) => p.module)).toEqual(['ocpp16', 'ocpp201', 'ocpp21']);
    for (const p of protocols) {
      const once = emit(p);
      expect(emit(p), p.module).toBe(once);
      expect(emit(p, (s) => [...s].reverse()), p.module).toBe(once);
      expect(generated(p.module), `${p.module}.types.ts is stale: run npm run postinstall`).toBe(once);
    }
  });

  it('type 1.6 StartTransaction.req as the spec does: four required fields and an optional reservationId', () => {
    expect(generated('ocpp16')).toContain(`export interface StartTransactionRequest {
  connectorId: number;
  idTag: string;
  meterStart: number;
  reservationId?: number;
  timestamp: string;
}`);
  });

  it('type 2.0.1 TransactionEvent transactionInfo through its named definition and enums', () => {
    const out = generated('ocpp201');
    expect(out).toContain('  transactionInfo: TransactionType;\n');
    expect(out).toContain(`export interface TransactionType {
  customData?: CustomDataType;
  transactionId: string;
  chargingState?: ChargingStateEnumType;
  timeSpentCharging?: number;
  stoppedReason?: ReasonEnumType;
  remoteStartId?: number;
}`);
    expect(out).toContain('export type ChargingStateEnumType = "Charging" | "EVConnected" | "SuspendedEV" | "SuspendedEVSE" | "Idle";');
  });

  it('include what is new in 2.1: its V2X and payment messages, the SEND, and a free-form IdToken type', () => {
    const out = generated('ocpp21');
    expect(out).toMatch(/export interface VatNumberValidationRequest \{\n {2}vatNumber: string;\n {2}evseId\?: number;/);
    expect(out).toContain('  NotifyAllowedEnergyTransfer: { request: NotifyAllowedEnergyTransferRequest; response: NotifyAllowedEnergyTransferResponse };');
    expect(out).toContain('  NotifyPeriodicEventStream: { request: NotifyPeriodicEventStreamRequest };');
    expect(out).toMatch(/export interface IdTokenType \{[^}]*\n {2}type: string;/);
  });
});
