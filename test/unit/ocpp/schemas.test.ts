import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import * as ocpp16 from '#shared/ocpp/generated/ocpp16.js';
import * as ocpp201 from '#shared/ocpp/generated/ocpp201.js';
import * as ocpp21 from '#shared/ocpp/generated/ocpp21.js';
import * as typedOcpp21 from 'typed-ocpp/dist/ocpp21/schemas.js';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { hasAction, loadValidators, validateRequest, validateResponse } from '#shared/ocpp/validate.ts';
import { PROTOCOL_PREFERENCE } from '#shared/ocpp/frames.ts';

beforeAll(() => Promise.all(PROTOCOL_PREFERENCE.map(loadValidators)));

// Constraints read from the specification text, checked through the generated validators (not the schema files).

const NOW = '2024-05-01T12:00:00Z';
const str = (n: number) => 'x'.repeat(n);
const boot16 = (o: Record<string, unknown> = {}) => ({ chargePointVendor: 'ACME', chargePointModel: 'X1', ...o });
const startTx16 = (o: Record<string, unknown> = {}) => ({ connectorId: 1, idTag: 'TAG1', meterStart: 0, timestamp: NOW, ...o });
const boot2 = (station: Record<string, unknown> = {}) =>
  ({ reason: 'PowerUp', chargingStation: { vendorName: 'ACME', model: 'X1', ...station } });
const txEvent2 = (o: Record<string, unknown> = {}) => ({ eventType: 'Started', timestamp: NOW, triggerReason: 'Authorized',
  seqNo: 0, transactionInfo: { transactionId: 'tx-1' }, ...o });
const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

/** `payload` passes, and `over` (one character too long at `path`) fails with a PropertyConstraintViolation there. */
function expectMaxLength(protocol: OcppProtocol, action: string, fits: unknown, over: unknown, path: string, max: number) {
  expect(validateRequest(protocol, action, fits)).toMatchObject({ ok: true, tolerated: [] });
  expect(validateRequest(protocol, action, over)).toEqual({ ok: false,
    fault: { code: 'PropertyConstraintViolation', description: `${path}: must NOT have more than ${max} characters` } });
}

function expectRequired(protocol: OcppProtocol, action: string, full: Record<string, unknown>, keys: string[]) {
  expect(validateRequest(protocol, action, full)).toMatchObject({ ok: true });
  for (const key of keys) {
    expect(validateRequest(protocol, action, without(full, key))).toEqual({ ok: false,
      fault: { code: 'OccurrenceConstraintViolation', description: `/${key}: is required but missing` } });
  }
}

describe('OCPP 1.6 constraints from the spec', () => {
  it('limits BootNotification chargePointVendor to 20, chargeBoxSerialNumber to 25, firmwareVersion to 50', () => {
    expectMaxLength('ocpp1.6', 'BootNotification', boot16({ chargePointVendor: str(20) }), boot16({ chargePointVendor: str(21) }), '/chargePointVendor', 20);
    // Up to twice that is kept as a quirk a wallbox model has (tolerance.ts); the schema's limit is still the one named.
    expectMaxLength('ocpp1.6', 'BootNotification', boot16({ chargeBoxSerialNumber: str(25) }), boot16({ chargeBoxSerialNumber: str(51) }), '/chargeBoxSerialNumber', 25);
    expectMaxLength('ocpp1.6', 'BootNotification', boot16({ firmwareVersion: str(50) }), boot16({ firmwareVersion: str(51) }), '/firmwareVersion', 50);
  });
  it('requires StartTransaction connectorId, idTag, meterStart and timestamp', () => {
    expectRequired('ocpp1.6', 'StartTransaction', startTx16(), ['connectorId', 'idTag', 'meterStart', 'timestamp']);
  });
  it('limits idTag (IdToken) to 20 characters', () => {
    expectMaxLength('ocpp1.6', 'StartTransaction', startTx16({ idTag: str(20) }), startTx16({ idTag: str(21) }), '/idTag', 20);
    expectMaxLength('ocpp1.6', 'Authorize', { idTag: str(20) }, { idTag: str(21) }, '/idTag', 20);
  });
});

// Derived from ocpp-rpc's 1.6 file (SCHEMAS.md): each limit below is the one the whitepaper "Improved security for
// OCPP 1.6-J" states for the field.
describe('OCPP 1.6 security extension constraints from the whitepaper', () => {
  const validate = { request: validateRequest, response: validateResponse };
  /** Every value of `values` passes at `path`, and nothing else: the fault lists exactly `values`. */
  function expectEnum(kind: 'request' | 'response', action: string, make: (v: string) => unknown, path: string, values: string[]) {
    for (const value of values) expect(validate[kind]('ocpp1.6', action, make(value)), value).toMatchObject({ ok: true, tolerated: [] });
    expect(validate[kind]('ocpp1.6', action, make('Other'))).toEqual({ ok: false,
      fault: { code: 'PropertyConstraintViolation', description: `${path}: must be one of ${values.join(', ')}` } });
  }
  const hashData = (o: Record<string, unknown> = {}) =>
    ({ hashAlgorithm: 'SHA256', issuerNameHash: 'a1', issuerKeyHash: 'b2', serialNumber: 'c3', ...o });
  const getLog = (o: Record<string, unknown> = {}) =>
    ({ logType: 'SecurityLog', requestId: 1, log: { remoteLocation: 'ftp://logs.example/' }, ...o });
  const signedUpdate = (firmware: Record<string, unknown> = {}) => ({ requestId: 1,
    firmware: { location: 'https://fw.example/1.bin', retrieveDateTime: NOW, signingCertificate: 'PEM', signature: 'SIG', ...firmware } });

  it('has a schema for every message of the extension, in both directions', () => {
    const messages = ['CertificateSigned', 'DeleteCertificate', 'ExtendedTriggerMessage', 'GetInstalledCertificateIds', 'GetLog',
      'InstallCertificate', 'LogStatusNotification', 'SecurityEventNotification', 'SignCertificate',
      'SignedFirmwareStatusNotification', 'SignedUpdateFirmware'];
    for (const action of messages) {
      expect(hasAction('ocpp1.6', action), action).toBe(true);
      expect(Object.keys(ocpp16), action).toEqual(expect.arrayContaining([`${action}Request`, `${action}Response`]));
    }
  });
  it('limits CertificateSigned certificateChain to 10000, SignCertificate csr and InstallCertificate certificate to 5500', () => {
    expectMaxLength('ocpp1.6', 'CertificateSigned', { certificateChain: str(10000) }, { certificateChain: str(10001) }, '/certificateChain', 10000);
    expectMaxLength('ocpp1.6', 'SignCertificate', { csr: str(5500) }, { csr: str(5501) }, '/csr', 5500);
    const install = (certificate: string) => ({ certificateType: 'CentralSystemRootCertificate', certificate });
    expectMaxLength('ocpp1.6', 'InstallCertificate', install(str(5500)), install(str(5501)), '/certificate', 5500);
  });
  it('limits SecurityEventNotification type to 50 and techInfo to 255, and requires type and timestamp', () => {
    const event = (o: Record<string, unknown> = {}) => ({ type: 'FirmwareUpdated', timestamp: NOW, ...o });
    expectMaxLength('ocpp1.6', 'SecurityEventNotification', event({ type: str(50) }), event({ type: str(51) }), '/type', 50);
    expectMaxLength('ocpp1.6', 'SecurityEventNotification', event({ techInfo: str(255) }), event({ techInfo: str(256) }), '/techInfo', 255);
    expectRequired('ocpp1.6', 'SecurityEventNotification', event(), ['type', 'timestamp']);
  });
  it('allows GetLog logType DiagnosticsLog and SecurityLog only, remoteLocation up to 512, and answers with LogStatusEnumType', () => {
    expectEnum('request', 'GetLog', (logType) => getLog({ logType }), '/logType', ['DiagnosticsLog', 'SecurityLog']);
    expectRequired('ocpp1.6', 'GetLog', getLog(), ['logType', 'requestId', 'log']);
    const at = (remoteLocation: string) => getLog({ log: { remoteLocation } });
    expectMaxLength('ocpp1.6', 'GetLog', at(str(512)), at(str(513)), '/log/remoteLocation', 512);
    expectEnum('response', 'GetLog', (status) => ({ status }), '/status', ['Accepted', 'Rejected', 'AcceptedCanceled']);
  });
  it('has the seven LogStatusNotification statuses (UploadLogStatusEnumType)', () => {
    expectEnum('request', 'LogStatusNotification', (status) => ({ status, requestId: 1 }), '/status',
      ['BadMessage', 'Idle', 'NotSupportedOperation', 'PermissionDenied', 'Uploaded', 'UploadFailure', 'Uploading']);
  });
  it('identifies a certificate by hashAlgorithm SHA256/SHA384/SHA512, 128-character hashes and a 40-character serial number', () => {
    expectEnum('request', 'DeleteCertificate', (hashAlgorithm) => ({ certificateHashData: hashData({ hashAlgorithm }) }),
      '/certificateHashData/hashAlgorithm', ['SHA256', 'SHA384', 'SHA512']);
    const del = (o: Record<string, unknown>) => ({ certificateHashData: hashData(o) });
    expectMaxLength('ocpp1.6', 'DeleteCertificate', del({ issuerNameHash: str(128) }), del({ issuerNameHash: str(129) }), '/certificateHashData/issuerNameHash', 128);
    expectMaxLength('ocpp1.6', 'DeleteCertificate', del({ serialNumber: str(40) }), del({ serialNumber: str(41) }), '/certificateHashData/serialNumber', 40);
    expectEnum('request', 'GetInstalledCertificateIds', (certificateType) => ({ certificateType }), '/certificateType',
      ['CentralSystemRootCertificate', 'ManufacturerRootCertificate']);
  });
  it('limits SignedUpdateFirmware signature to 800 and signingCertificate to 5500, with the signed firmware statuses', () => {
    expectMaxLength('ocpp1.6', 'SignedUpdateFirmware', signedUpdate({ signature: str(800) }), signedUpdate({ signature: str(801) }), '/firmware/signature', 800);
    expectMaxLength('ocpp1.6', 'SignedUpdateFirmware', signedUpdate({ signingCertificate: str(5500) }), signedUpdate({ signingCertificate: str(5501) }), '/firmware/signingCertificate', 5500);
    expectEnum('response', 'SignedUpdateFirmware', (status) => ({ status }), '/status',
      ['Accepted', 'Rejected', 'AcceptedCanceled', 'InvalidCertificate', 'RevokedCertificate']);
    expectEnum('request', 'SignedFirmwareStatusNotification', (status) => ({ status }), '/status', ['Downloaded', 'DownloadFailed',
      'Downloading', 'DownloadScheduled', 'DownloadPaused', 'Idle', 'InstallationFailed', 'Installing', 'Installed', 'InstallRebooting',
      'InstallScheduled', 'InstallVerificationFailed', 'InvalidSignature', 'SignatureVerified']);
  });
  it('lets ExtendedTriggerMessage ask for SignChargePointCertificate and LogStatusNotification', () => {
    expectEnum('request', 'ExtendedTriggerMessage', (requestedMessage) => ({ requestedMessage }), '/requestedMessage', ['BootNotification',
      'LogStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'SignChargePointCertificate', 'StatusNotification']);
  });
});

describe('OCPP 2.0.1 and 2.1 constraints from the spec', () => {
  for (const protocol of ['ocpp2.0.1', 'ocpp2.1'] as const) {
    it(`${protocol}: limits BootNotification chargingStation.vendorName to 50 and model to 20`, () => {
      expectMaxLength(protocol, 'BootNotification', boot2({ vendorName: str(50) }), boot2({ vendorName: str(51) }), '/chargingStation/vendorName', 50);
      expectMaxLength(protocol, 'BootNotification', boot2({ model: str(20) }), boot2({ model: str(21) }), '/chargingStation/model', 20);
    });
    const idTokenMax = protocol === 'ocpp2.0.1' ? 36 : 255; // 2.1 widened IdToken.idToken to string[255]
    it(`${protocol}: limits IdToken idToken to ${idTokenMax} characters`, () => {
      const authorize = (idToken: string) => ({ idToken: { idToken, type: 'ISO14443' } });
      expectMaxLength(protocol, 'Authorize', authorize(str(idTokenMax)), authorize(str(idTokenMax + 1)), '/idToken/idToken', idTokenMax);
    });
    it(`${protocol}: requires TransactionEvent eventType, timestamp, triggerReason, seqNo and transactionInfo`, () => {
      expectRequired(protocol, 'TransactionEvent', txEvent2(), ['eventType', 'timestamp', 'triggerReason', 'seqNo', 'transactionInfo']);
    });
  }
});

describe('generated validators', () => {
  const actions = (module: object) => new Set(Object.keys(module).map((k) => k.replace(/(Request|Response)$/, '')));
  it('cover the 28 OCPP 1.6 actions plus the 11 of its security extension, and the 64 OCPP 2.0.1 actions, both directions', () => {
    expect(actions(ocpp16).size).toBe(28 + 11);
    expect(Object.keys(ocpp16)).toHaveLength(78);
    expect(actions(ocpp201).size).toBe(64);
    expect(Object.keys(ocpp201)).toHaveLength(128);
  });
  it('cover every OCPP 2.1 message, including the NotifyPeriodicEventStream SEND', () => {
    expect(Object.keys(ocpp21)).toHaveLength(181);
    expect(Object.keys(ocpp21)).toContain('NotifyPeriodicEventStreamRequest');
    expect(Object.keys(ocpp21)).not.toContain('NotifyPeriodicEventStreamResponse');
  });
});

// typed-ocpp re-generated the 2.1 files and merged their definitions by name. ocpp-rpc ships its own copy of the OCA
// 2.1 files with per-file definitions; resolving every $ref in both must give the same constraints.
describe('OCPP 2.1 derived schemas', () => {
  type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
  const ANNOTATIONS = new Set(['description', 'javaType', 'comment', '$comment', '$id', '$schema', 'definitions']);
  const deref = (node: Json, defs: Record<string, Json>, depth = 0): Json => {
    if (Array.isArray(node)) return node.map((n) => deref(n, defs, depth));
    if (node === null || typeof node !== 'object') return node;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      const target = defs[ref.replace('#/definitions/', '')];
      if (target === undefined || depth > 40) throw new Error(`cannot resolve ${ref}`);
      return deref(target, defs, depth + 1);
    }
    return Object.fromEntries(Object.keys(node).sort().filter((k) => !ANNOTATIONS.has(k))
      .map((k) => [k, deref(node[k] as Json, defs, depth)]));
  };
  const definitionsOf = (s: Json) => ((s as { definitions?: Record<string, Json> }).definitions ?? {});

  it('state exactly the constraints of an independent copy of the OCA 2.1 files', () => {
    const file = createRequire(import.meta.url).resolve('ocpp-rpc/lib/schemas/ocpp2_1.json');
    const independent = JSON.parse(readFileSync(file, 'utf8')) as Json[];
    const derived = typedOcpp21 as unknown as Record<string, Json>;
    expect(independent).toHaveLength(181);
    for (const schema of independent) {
      const name = String((schema as { $id: string }).$id).replace('urn:', '');
      const ours = derived[name];
      expect(ours, name).toBeDefined();
      expect(deref(ours as Json, definitionsOf(ours as Json)), name).toEqual(deref(schema, definitionsOf(schema)));
    }
  });
});
