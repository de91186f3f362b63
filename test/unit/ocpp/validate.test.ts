import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { faultForSchemaError } from '#shared/ocpp/schema-errors.ts';
import { MAX_FIXES } from '#shared/ocpp/tolerance.ts';
import {
  assertValidOutbound,
  hasAction,
  loadValidators,
  OutboundPayloadError,
  validateRequest,
  validateResponse,
} from '#shared/ocpp/validate.ts';
import { PROTOCOL_PREFERENCE } from '#shared/ocpp/frames.ts';

const NOW = '2024-05-01T12:00:00Z';
const startTx16 = (o: Record<string, unknown> = {}) => ({ connectorId: 1, idTag: 'TAG1', meterStart: 0, timestamp: NOW, ...o });
const boot2 = (station: Record<string, unknown> = {}, o: Record<string, unknown> = {}) =>
  ({ reason: 'PowerUp', chargingStation: { vendorName: 'ACME', model: 'X1', ...station }, ...o });
const ocspData = (serialNumber: string) =>
  ({ hashAlgorithm: 'SHA256', issuerNameHash: 'a', issuerKeyHash: 'b', serialNumber, responderURL: 'http://ocsp' });
const authorize201 = (hashData: unknown[]) =>
  ({ idToken: { idToken: 'T1', type: 'ISO14443' }, iso15118CertificateHashData: hashData });
const evNeeds201 = (stateOfCharge: number) => ({ evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'DC',
  dcChargingParameters: { evMaxCurrent: 100, evMaxVoltage: 400, stateOfCharge } } });
const remoteStart16 = (limit: number) => ({ idTag: 'TAG1', chargingProfile: { chargingProfileId: 1, stackLevel: 0,
  chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Absolute',
  chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] } } });

beforeAll(() => Promise.all(PROTOCOL_PREFERENCE.map(loadValidators)));

describe('schema keyword to OCPP fault mapping, through the generated validators', () => {
  const cases = [
    { keyword: 'type', run: () => validateRequest('ocpp1.6', 'StartTransaction', startTx16({ meterStart: 'abc' })),
      code: 'TypeConstraintViolation', description: '/meterStart: must be integer' },
    { keyword: 'required', run: () => validateRequest('ocpp1.6', 'Authorize', {}),
      code: 'OccurrenceConstraintViolation', description: '/idTag: is required but missing' },
    { keyword: 'minItems', run: () => validateRequest('ocpp2.0.1', 'Authorize', authorize201([])),
      code: 'OccurrenceConstraintViolation', description: '/iso15118CertificateHashData: must NOT have fewer than 1 items' },
    { keyword: 'maxItems', run: () => validateRequest('ocpp2.0.1', 'Authorize', authorize201(['1', '2', '3', '4', '5'].map(ocspData))),
      code: 'OccurrenceConstraintViolation', description: '/iso15118CertificateHashData: must NOT have more than 4 items' },
    { keyword: 'maxLength', run: () => validateRequest('ocpp1.6', 'Authorize', { idTag: 'x'.repeat(21) }),
      code: 'PropertyConstraintViolation', description: '/idTag: must NOT have more than 20 characters' },
    { keyword: 'enum', run: () => validateRequest('ocpp1.6', 'DiagnosticsStatusNotification', { status: 'Done' }),
      code: 'PropertyConstraintViolation', description: '/status: must be one of Idle, Uploaded, UploadFailed, Uploading' },
    { keyword: 'format', run: () => validateRequest('ocpp1.6', 'StartTransaction', startTx16({ timestamp: 'yesterday' })),
      code: 'PropertyConstraintViolation', description: '/timestamp: must be a valid date-time' },
    { keyword: 'minimum', run: () => validateRequest('ocpp2.0.1', 'NotifyEVChargingNeeds', evNeeds201(-1)),
      code: 'PropertyConstraintViolation', description: '/chargingNeeds/dcChargingParameters/stateOfCharge: must be >= 0' },
    { keyword: 'maximum', run: () => validateRequest('ocpp2.0.1', 'NotifyEVChargingNeeds', evNeeds201(101)),
      code: 'PropertyConstraintViolation', description: '/chargingNeeds/dcChargingParameters/stateOfCharge: must be <= 100' },
    { keyword: 'multipleOf', run: () => validateRequest('ocpp1.6', 'RemoteStartTransaction', remoteStart16(16.75)),
      code: 'PropertyConstraintViolation',
      description: '/chargingProfile/chargingSchedule/chargingSchedulePeriod/0/limit: must be a multiple of 0.1' },
  ] as const;
  for (const c of cases) {
    it(`maps ${c.keyword} to ${c.code}`, () => {
      expect(c.run()).toEqual({ ok: false, fault: { code: c.code, description: c.description } });
    });
  }
  it('maps an unknown property (outbound, where nothing is tolerated) to FormatViolation', () => {
    expect(() => assertValidOutbound('ocpp1.6', 'Heartbeat', 'request', { extra: 1 }))
      .toThrow(expect.objectContaining({ cause: { code: 'FormatViolation', description: '/extra: is not a known property' } }));
  });
  it('maps the keywords no OCA schema uses yet, and unknown ones', () => {
    const at = (keyword: string, params: Record<string, unknown>) =>
      faultForSchemaError({ instancePath: '/a/b~1c', keyword, params });
    expect(at('minLength', { limit: 1 })).toEqual({ code: 'PropertyConstraintViolation', description: '/a/b~1c: must NOT have fewer than 1 characters' });
    expect(at('pattern', { pattern: '^[0-9]+$' })).toMatchObject({ code: 'PropertyConstraintViolation' });
    expect(at('const', { allowedValue: 'X' })).toMatchObject({ code: 'PropertyConstraintViolation', description: '/a/b~1c: must be X' });
    expect(at('exclusiveMinimum', { comparison: '>', limit: 0 })).toMatchObject({ code: 'PropertyConstraintViolation', description: '/a/b~1c: must be > 0' });
    expect(at('exclusiveMaximum', { comparison: '<', limit: 9 })).toMatchObject({ code: 'PropertyConstraintViolation' });
    expect(at('uniqueItems', {})).toMatchObject({ code: 'FormatViolation' });
    expect(at('constructor', {})).toMatchObject({ code: 'FormatViolation' });
  });
  it('accepts fractional multiples of 0.1 despite floating point (16.7 / 0.1 is not an integer in IEEE 754)', () => {
    expect(validateRequest('ocpp1.6', 'RemoteStartTransaction', remoteStart16(16.7))).toMatchObject({ ok: true });
  });
});

describe('inbound tolerance', () => {
  it('removes unknown properties, at any depth, and says so', () => {
    expect(validateRequest('ocpp1.6', 'Heartbeat', { vendorClock: 1 }))
      .toEqual({ ok: true, payload: {}, tolerated: ['removed unknown property /vendorClock'] });
    expect(validateRequest('ocpp2.0.1', 'BootNotification', boot2({ colour: 'red' })))
      .toEqual({ ok: true, payload: boot2(), tolerated: ['removed unknown property /chargingStation/colour'] });
  });
  it('keeps vendor fields inside 2.x customData, which the schema allows', () => {
    const payload = boot2({ customData: { vendorId: 'com.acme', firmwareChannel: 'beta' } });
    expect(validateRequest('ocpp2.0.1', 'BootNotification', payload)).toEqual({ ok: true, payload, tolerated: [] });
  });
  it('converts numeric strings where the schema wants an integer or a number', () => {
    expect(validateRequest('ocpp1.6', 'StartTransaction', startTx16({ connectorId: '1' })))
      .toEqual({ ok: true, payload: startTx16(), tolerated: ['converted numeric string "1" to a number at /connectorId'] });
    const meterValues = (value: unknown) => ({ evseId: 1, meterValue: [{ timestamp: NOW, sampledValue: [{ value }] }] });
    expect(validateRequest('ocpp2.0.1', 'MeterValues', meterValues('230.5')))
      .toMatchObject({ ok: true, payload: meterValues(230.5) });
  });
  it('writes a number as its digits where the schema wants a string (a 1.6 sampled value or idTag sent unquoted)', () => {
    const meterValues = (value: unknown) => ({ connectorId: 1, meterValue: [{ timestamp: NOW, sampledValue: [{ value }, { value }] }] });
    expect(validateRequest('ocpp1.6', 'MeterValues', meterValues(604.213))).toEqual({
      ok: true,
      payload: meterValues('604.213'),
      tolerated: ['converted number 604.213 to a string at /meterValue/0/sampledValue/0/value (everywhere at /meterValue/*/sampledValue/*)'],
    });
    expect(validateRequest('ocpp1.6', 'Authorize', { idTag: 4711 })).toMatchObject({ ok: true, payload: { idTag: '4711' } });
  });
  it('keeps refusing a number as the wrong type where its digits would not be what was sent or still not fit', () => {
    // Rounded by JSON (and over 20 characters as text), or outside an enum: the type was wrong, and is reported so.
    expect(validateRequest('ocpp1.6', 'Authorize', { idTag: 123456789012345678901234 }))
      .toEqual({ ok: false, fault: { code: 'TypeConstraintViolation', description: '/idTag: must be string' } });
    expect(validateRequest('ocpp1.6', 'Authorize', { idTag: 123456789012345678901 }))
      .toEqual({ ok: false, fault: { code: 'TypeConstraintViolation', description: '/idTag: must be string' } });
    expect(validateRequest('ocpp1.6', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 1 }))
      .toEqual({ ok: false, fault: { code: 'TypeConstraintViolation', description: '/status: must be string' } });
  });
  it('does not convert strings that are not whole numbers where an integer is wanted', () => {
    for (const meterStart of ['12.5', 'abc', '', '1e400', ' 1']) {
      expect(validateRequest('ocpp1.6', 'StartTransaction', startTx16({ meterStart })))
        .toMatchObject({ ok: false, fault: { code: 'TypeConstraintViolation' } });
    }
  });
  it('reads a date-time without time zone as UTC, and still refuses one that is not a date-time', () => {
    expect(validateRequest('ocpp1.6', 'StartTransaction', startTx16({ timestamp: '2026-01-01T10:00:00' })))
      .toEqual({
        ok: true,
        payload: startTx16({ timestamp: '2026-01-01T10:00:00Z' }),
        tolerated: ['read date-time "2026-01-01T10:00:00" without time zone as UTC at /timestamp'],
      });
    for (const timestamp of ['2026-01-01', 'yesterday', '2026-01-01T10:00']) {
      expect(validateRequest('ocpp1.6', 'StartTransaction', startTx16({ timestamp })))
        .toMatchObject({ ok: false, fault: { code: 'PropertyConstraintViolation' } });
    }
  });
  it('takes the 1.6 errata units the 1.6 schema lacks: Celsius as its Celcius, a frequency unit removed', () => {
    const sample = (unit: string, measurand: string) => ({ value: '1', measurand, unit });
    const meterValues = (...sampledValue: object[]) => ({ connectorId: 1, meterValue: [{ timestamp: NOW, sampledValue }] });
    const { unit: _hz, ...frequency } = sample('Hz', 'Frequency');
    expect(validateRequest('ocpp1.6', 'MeterValues', meterValues(sample('Celsius', 'Temperature'), sample('Hertz', 'Frequency'), sample('Hz', 'Frequency'))))
      .toEqual({
        ok: true,
        payload: meterValues(sample('Celcius', 'Temperature'), frequency, frequency),
        tolerated: [
          'read unit "Celsius" as "Celcius" at /meterValue/0/sampledValue/0/unit (everywhere at /meterValue/*/sampledValue/*)',
          'removed unit "Hertz" the 1.6 schema lacks at /meterValue/0/sampledValue/1/unit (everywhere at /meterValue/*/sampledValue/*)',
          'removed unit "Hz" the 1.6 schema lacks at /meterValue/0/sampledValue/2/unit (everywhere at /meterValue/*/sampledValue/*)',
        ],
      });
    // Any other unit, and these spellings in any other enum, are still refused.
    expect(validateRequest('ocpp1.6', 'MeterValues', meterValues(sample('celsius', 'Temperature'))))
      .toMatchObject({ ok: false, fault: { code: 'PropertyConstraintViolation' } });
    expect(validateRequest('ocpp1.6', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Hertz' }))
      .toMatchObject({ ok: false, fault: { code: 'PropertyConstraintViolation' } });
  });
  it('wraps one object sent where the schema wants an array of them (a bare meter value)', () => {
    const meterValue = { timestamp: NOW, sampledValue: [{ value: '0.00', unit: 'kWh' }] };
    expect(validateRequest('ocpp1.6', 'MeterValues', { connectorId: 1, transactionId: 1, meterValue }))
      .toEqual({ ok: true, payload: { connectorId: 1, transactionId: 1, meterValue: [meterValue] }, tolerated: ['wrapped the single object at /meterValue in an array'] });
    // A wrapped object is checked like any item: a wrong one is still refused.
    expect(validateRequest('ocpp1.6', 'MeterValues', { connectorId: 1, meterValue: { sampledValue: [] } }))
      .toMatchObject({ ok: false, fault: { code: 'OccurrenceConstraintViolation' } });
  });
  it('writes JSON sent as 1.6 DataTransfer data as its text (the schema wants text there)', () => {
    const data = { connectorId: 1, vin: 'WVW123', flags: [true, null] };
    expect(validateRequest('ocpp1.6', 'DataTransfer', { vendorId: 'com.acme', messageId: 'CarId', data }))
      .toEqual({ ok: true, payload: { vendorId: 'com.acme', messageId: 'CarId', data: JSON.stringify(data) }, tolerated: ['wrote the JSON at /data as its text'] });
    expect(validateResponse('ocpp1.6', 'DataTransfer', { status: 'Accepted', data: [1, 2] }))
      .toEqual({ ok: true, payload: { status: 'Accepted', data: '[1,2]' }, tolerated: ['wrote the JSON at /data as its text'] });
    // Any other property that wants text still refuses an object.
    expect(validateRequest('ocpp1.6', 'Authorize', { idTag: { uid: '04A1' } })).toMatchObject({ ok: false, fault: { code: 'TypeConstraintViolation' } });
  });
  it('keeps a 1.6 BootNotification serial number a little over its limit exactly as sent (a wallbox model sends 26 and 34)', () => {
    const boot = { chargePointVendor: 'Schneider Electric', chargePointModel: 'EVlink', chargePointSerialNumber: 'S'.repeat(26), chargeBoxSerialNumber: 'B'.repeat(34) };
    expect(validateRequest('ocpp1.6', 'BootNotification', boot)).toEqual({
      ok: true,
      payload: boot,
      tolerated: ['kept the 26-character chargePointSerialNumber over its 25-character limit', 'kept the 34-character chargeBoxSerialNumber over its 25-character limit'],
    });
    // Beyond twice the limit, or any other field, is still too long; and the kept value is checked for what it holds.
    for (const over of [{ chargeBoxSerialNumber: 'B'.repeat(51) }, { firmwareVersion: 'F'.repeat(51) }, { chargePointModel: 'M'.repeat(21) }, { chargeBoxSerialNumber: `${'B'.repeat(30)}\u202E` }]) {
      expect(validateRequest('ocpp1.6', 'BootNotification', { ...boot, ...over }), JSON.stringify(over)).toMatchObject({ ok: false, fault: { code: 'PropertyConstraintViolation' } });
    }
  });
  it('removes null for an optional property', () => {
    expect(validateRequest('ocpp1.6', 'StartTransaction', startTx16({ reservationId: null })))
      .toEqual({ ok: true, payload: startTx16(), tolerated: ['removed null property /reservationId'] });
  });
  it('reports null for a required property as a type violation of that property', () => {
    expect(validateRequest('ocpp1.6', 'StartTransaction', startTx16({ connectorId: null })))
      .toEqual({ ok: false, fault: { code: 'TypeConstraintViolation', description: '/connectorId: must be integer' } });
  });
  it('does not drop null items from arrays', () => {
    expect(validateRequest('ocpp1.6', 'MeterValues', { connectorId: 1, meterValue: [null] }))
      .toMatchObject({ ok: false, fault: { code: 'TypeConstraintViolation', description: '/meterValue/0: must be object' } });
  });
  it('never tolerates a missing required field, a wrong enum value or an over-long string', () => {
    expect(validateRequest('ocpp1.6', 'StartTransaction', { connectorId: 1, idTag: 'T', timestamp: NOW, extra: 1 }))
      .toMatchObject({ ok: false, fault: { code: 'OccurrenceConstraintViolation' } });
    expect(validateRequest('ocpp2.0.1', 'BootNotification', boot2({}, { reason: 'Bored' })))
      .toMatchObject({ ok: false, fault: { code: 'PropertyConstraintViolation' } });
    expect(validateRequest('ocpp2.0.1', 'BootNotification', boot2({ model: 'x'.repeat(21), extra: 1 })))
      .toMatchObject({ ok: false, fault: { code: 'PropertyConstraintViolation' } });
  });
  it('applies several fixes in one payload and reports each', () => {
    const result = validateRequest('ocpp1.6', 'StartTransaction', startTx16({ connectorId: '2', reservationId: null, vendor: 'x' }));
    expect(result).toEqual({ ok: true, payload: startTx16({ connectorId: 2 }), tolerated: expect.arrayContaining([
      'removed unknown property /vendor', 'converted numeric string "2" to a number at /connectorId', 'removed null property /reservationId',
    ]) });
  });
  it('never changes the caller\'s object', () => {
    const payload = boot2({ colour: 'red', serialNumber: null }, { reason: 'PowerUp' });
    const before = structuredClone(payload);
    expect(validateRequest('ocpp2.0.1', 'BootNotification', payload)).toMatchObject({ ok: true });
    expect(payload).toEqual(before);
  });
  it('drops a deeply nested unknown property without walking into it', () => {
    const vendorBlob = JSON.parse(`${'['.repeat(16000)}${']'.repeat(16000)}`) as unknown;
    expect(validateRequest('ocpp1.6', 'Heartbeat', { vendorBlob }))
      .toEqual({ ok: true, payload: {}, tolerated: ['removed unknown property /vendorBlob'] });
  });
  it('removes an unknown property and converts a numeric string in every item of an array, in one step each', () => {
    const meterValue = Array.from({ length: 500 }, (_, i) => ({
      timestamp: NOW,
      sampledValue: [{ value: String(i), vendorPhaseAngle: 12 }, { value: '1.5', vendorPhaseAngle: 3 }],
    }));
    const outcome = validateRequest('ocpp2.0.1', 'MeterValues', { evseId: '1', meterValue });
    expect(outcome).toMatchObject({ ok: true, payload: { evseId: 1 } });
    const payload = (outcome as { payload: { meterValue: { sampledValue: object[] }[] } }).payload;
    expect(payload.meterValue.map((m) => m.sampledValue)).toEqual(meterValue.map((_, i) => [{ value: i }, { value: 1.5 }]));
    expect((outcome as { tolerated: string[] }).tolerated).toEqual([
      'converted numeric string "1" to a number at /evseId',
      'removed unknown property /meterValue/0/sampledValue/0/vendorPhaseAngle (everywhere at /meterValue/*/sampledValue/*)',
      'converted numeric string "0" to a number at /meterValue/0/sampledValue/0/value (everywhere at /meterValue/*/sampledValue/*)',
    ]);
  });
  it(`stops tolerating after ${MAX_FIXES} kinds of non-conforming content, so a hostile payload costs bounded work`, () => {
    const payload = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`vendor${i}`, i]));
    expect(validateRequest('ocpp1.6', 'Heartbeat', payload)).toEqual({
      ok: false,
      fault: { code: 'FormatViolation', description: `/vendor${MAX_FIXES}: is not a known property; more than ${MAX_FIXES} kinds of non-conforming content are not tolerated` },
    });
  });
  it('tolerates in CALLRESULTs too', () => {
    expect(validateResponse('ocpp1.6', 'Reset', { status: 'Accepted', reason: 'ok' }))
      .toEqual({ ok: true, payload: { status: 'Accepted' }, tolerated: ['removed unknown property /reason'] });
  });
});

describe('actions', () => {
  it('knows which actions each version has', () => {
    expect(hasAction('ocpp1.6', 'StartTransaction')).toBe(true);
    expect(hasAction('ocpp1.6', 'TransactionEvent')).toBe(false);
    expect(hasAction('ocpp2.0.1', 'TransactionEvent')).toBe(true);
    expect(hasAction('ocpp2.0.1', 'NotifyPeriodicEventStream')).toBe(false);
    expect(hasAction('ocpp2.1', 'NotifyPeriodicEventStream')).toBe(true);
    expect(hasAction('ocpp2.1', 'constructor')).toBe(false);
  });
  it('answers NotImplemented for an action without a schema', () => {
    expect(validateRequest('ocpp1.6', 'TransactionEvent', {})).toMatchObject({ ok: false, fault: { code: 'NotImplemented' } });
    expect(validateResponse('ocpp2.1', 'NotifyPeriodicEventStream', {})).toMatchObject({ ok: false, fault: { code: 'NotImplemented' } });
  });
});

describe('outbound strictness', () => {
  const bootConf = { status: 'Accepted', currentTime: NOW, interval: 300 };
  it('passes a valid payload', () => {
    expect(() => assertValidOutbound('ocpp1.6', 'BootNotification', 'response', bootConf)).not.toThrow();
    expect(() => assertValidOutbound('ocpp2.0.1', 'Reset', 'request', { type: 'Immediate' })).not.toThrow();
  });
  it('tolerates nothing: unknown properties, numeric strings and nulls all throw', () => {
    for (const payload of [{ ...bootConf, extra: 1 }, { ...bootConf, interval: '300' }, { ...bootConf, interval: null }]) {
      expect(() => assertValidOutbound('ocpp1.6', 'BootNotification', 'response', payload)).toThrow(OutboundPayloadError);
    }
  });
  it('throws an OutboundPayloadError naming the violation, with the fault as cause', () => {
    let thrown: unknown;
    try {
      assertValidOutbound('ocpp2.0.1', 'Reset', 'request', { type: 'Eventually' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OutboundPayloadError);
    expect(thrown).toMatchObject({ name: 'OutboundPayloadError', message: expect.stringContaining('/type: must be one of Immediate, OnIdle'),
      cause: { code: 'PropertyConstraintViolation' } });
  });
  it('throws for an action the version does not have', () => {
    expect(() => assertValidOutbound('ocpp1.6', 'GetVariables', 'request', {})).toThrow(OutboundPayloadError);
  });
});

describe('validation properties', () => {
  const target = fc.constantFrom<[OcppProtocol, string]>(['ocpp1.6', 'StartTransaction'], ['ocpp1.6', 'MeterValues'], ['ocpp1.6', 'BootNotification'],
    ['ocpp2.0.1', 'BootNotification'], ['ocpp2.1', 'TransactionEvent']);
  const almostValid = fc.record({ connectorId: fc.oneof(fc.constant('1'), fc.constant(null), fc.integer()),
    idTag: fc.string({ maxLength: 22 }), meterStart: fc.oneof(fc.integer(), fc.constant('7')),
    chargePointVendor: fc.constant('ACME'), chargePointModel: fc.constant('X'), chargeBoxSerialNumber: fc.string({ maxLength: 60 }),
    timestamp: fc.constant(NOW), extra: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] });
  const payload = fc.oneof(fc.jsonValue({ maxDepth: 4 }), almostValid);

  it('never throws and never changes its input', () => {
    fc.assert(fc.property(target, payload, ([protocol, action], p) => {
      const before = JSON.stringify(p);
      validateRequest(protocol, action, p);
      return JSON.stringify(p) === before;
    }), { numRuns: 500 });
  });
  it('returns payloads that validate again with nothing left to tolerate but what is kept as sent', () => {
    fc.assert(fc.property(target, payload, ([protocol, action], p) => {
      const first = validateRequest(protocol, action, p);
      if (!first.ok) return true;
      const again = validateRequest(protocol, action, first.payload);
      return again.ok && isDeepStrictEqual(again.payload, first.payload) && again.tolerated.every((note) => note.startsWith('kept '));
    }), { numRuns: 500 });
  });
});

describe('loading', () => {
  it('loads each version on demand, once', async () => {
    await loadValidators('ocpp1.6');
    await loadValidators('ocpp1.6');
    expect(hasAction('ocpp1.6', 'Heartbeat')).toBe(true);
  });
});
