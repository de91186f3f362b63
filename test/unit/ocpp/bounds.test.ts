import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBounds, unmeantCharacter } from '#shared/ocpp/bounds.ts';
import { PROTOCOL_PREFERENCE } from '#shared/ocpp/frames.ts';
import { loadValidators, validateRequest } from '#shared/ocpp/validate.ts';

const NOW = '2024-05-01T12:00:00Z';
const start16 = (o: Record<string, unknown> = {}) => ({ connectorId: 1, idTag: 'TAG1', meterStart: 0, timestamp: NOW, ...o });
const boot16 = (o: Record<string, unknown> = {}) => ({ chargePointVendor: 'ACME', chargePointModel: 'X1', ...o });
const status2 = (o: Record<string, unknown> = {}) => ({ timestamp: NOW, connectorStatus: 'Available', evseId: 1, connectorId: 1, ...o });
const event2 = (o: Record<string, unknown> = {}) => ({
  eventType: 'Updated', timestamp: NOW, triggerReason: 'MeterValuePeriodic', seqNo: 1,
  transactionInfo: { transactionId: 'T1' }, ...o,
});

beforeAll(() => Promise.all(PROTOCOL_PREFERENCE.map(loadValidators)));

describe('domain bounds the schemas cannot express', () => {
  const refused = [
    ['1.6 connectorId -1', 'ocpp1.6', 'StatusNotification', { connectorId: -1, errorCode: 'NoError', status: 'Available' }, '/connectorId'],
    ['1.6 connectorId 2^31', 'ocpp1.6', 'StartTransaction', start16({ connectorId: 2 ** 31 }), '/connectorId'],
    ['1.6 connectorId 1e300', 'ocpp1.6', 'StartTransaction', start16({ connectorId: 1e300 }), '/connectorId'],
    ['1.6 transaction on connector 0', 'ocpp1.6', 'StartTransaction', start16({ connectorId: 0 }), '/connectorId'],
    ['negative meterStart', 'ocpp1.6', 'StartTransaction', start16({ meterStart: -1 }), '/meterStart'],
    ['meterStop beyond exact integers', 'ocpp1.6', 'StopTransaction', { transactionId: 1, meterStop: 2 ** 60, timestamp: NOW }, '/meterStop'],
    ['2.x connectorId -1', 'ocpp2.0.1', 'StatusNotification', status2({ connectorId: -1 }), '/connectorId'],
    ['2.x evse id 2^31', 'ocpp2.1', 'TransactionEvent', event2({ evse: { id: 2 ** 31 } }), '/evse/id'],
    ['2.x negative seqNo', 'ocpp2.0.1', 'TransactionEvent', event2({ seqNo: -1 }), '/seqNo'],
    ['NUL in a Boot field', 'ocpp1.6', 'BootNotification', boot16({ firmwareVersion: '1.0\u0000' }), '/firmwareVersion'],
    ['a lone surrogate', 'ocpp1.6', 'BootNotification', boot16({ chargePointModel: 'X\uDC00' }), '/chargePointModel'],
    ['a bidi override', 'ocpp2.0.1', 'BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'A\u202EB', model: 'M' } }, '/chargingStation/vendorName'],
  ] as const;
  for (const [name, protocol, action, payload, pointer] of refused) {
    it(`refuses ${name} with PropertyConstraintViolation naming ${pointer}`, () => {
      const outcome = validateRequest(protocol, action, payload);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) {
        expect(outcome.fault.code).toBe('PropertyConstraintViolation');
        expect(outcome.fault.description.startsWith(`${pointer}:`)).toBe(true);
      }
    });
  }

  it('accepts the values chargers mean: connector 0 status, right-to-left text with marks, emoji, tabs and new lines', () => {
    expect(validateRequest('ocpp1.6', 'StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' }).ok).toBe(true);
    expect(validateRequest('ocpp1.6', 'BootNotification', boot16({ chargePointModel: 'שלום\u200F 🚗' })).ok).toBe(true);
    expect(validateRequest('ocpp1.6', 'DataTransfer', { vendorId: 'ACME', data: 'a\tb\r\nc' }).ok).toBe(true);
  });

  it('passes every in-range integer and refuses every out-of-range one (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (connectorId) => {
        const fault = checkBounds('ocpp1.6', 'StartTransaction', start16({ connectorId }));
        expect(fault === undefined).toBe(connectorId >= 1 && connectorId <= 9999);
      }),
    );
  });

  it('finds an unmeant character wherever it is in a string, and none in well-formed printable text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.constantFrom('\u0000', '\u001B', '\u0085', '\u202E', '\u2067', '\uD800', '\uDFFF'), fc.string({ unit: 'grapheme' }), (a, bad, b) => {
        const clean = (s: string) => unmeantCharacter(s) === undefined;
        fc.pre(clean(a) && clean(b));
        expect(unmeantCharacter(`${a}${bad}${b}`)).toBe(`U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
      }),
    );
  });
});
