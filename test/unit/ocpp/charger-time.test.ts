import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chargerTime, DEFAULT_CHARGER_CLOCK, sentInUtc } from '#shared/ocpp/charger-time.ts';

const RECEIVED = new Date('2026-06-01T12:00:00.000Z');
const bounds = { aheadMs: 300_000, behindMs: 30 * 86_400_000 };

describe('charger timestamps', () => {
  it('keeps a time within the bounds, in UTC', () => {
    expect(chargerTime('2026-06-01T13:04:00+01:00', RECEIVED, bounds)).toEqual({ at: '2026-06-01T12:04:00.000Z' });
    expect(chargerTime('2026-05-03T12:00:00Z', RECEIVED, bounds)).toEqual({ at: '2026-05-03T12:00:00.000Z' });
  });

  it('reads every offset form ISO 8601 allows: whole hours (as some chargers send), hours and minutes with or without colon', () => {
    for (const sent of ['2026-06-01T14:04:00+02', '2026-06-01T14:04:00+0200', '2026-06-01T14:04:00.000+02:00', '2026-06-01T10:04:00-02']) {
      expect(chargerTime(sent, RECEIVED, bounds), sent).toEqual({ at: '2026-06-01T12:04:00.000Z' });
      expect(sentInUtc(sent), sent).toBe('2026-06-01T12:04:00.000Z');
    }
  });

  it('puts the receive time in place of one too far ahead, too far behind or unreadable, keeping what was sent', () => {
    for (const [sent, verdict] of [
      ['9999-12-31T23:59:59Z', 'ahead'],
      ['9999-12-31T23:30:00-01:00', 'ahead'],
      ['2026-06-01T12:05:01Z', 'ahead'],
      ['1970-01-01T00:00:00Z', 'behind'],
      ['0000-01-01T00:00:00Z', 'behind'],
      ['yesterday', 'unreadable'],
    ] as const) {
      expect(chargerTime(sent, RECEIVED, bounds), sent).toEqual({ at: RECEIVED.toISOString(), replaced: { sent, verdict } });
    }
  });

  it('dates an undated fact on arrival', () => {
    expect(chargerTime(undefined, RECEIVED, bounds)).toEqual({ at: RECEIVED.toISOString() });
  });

  it('always stores a four-digit-year UTC time no later than the bound, whatever the charger sends (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }), (sent) => {
        const { at } = chargerTime(sent.toISOString(), RECEIVED, DEFAULT_CHARGER_CLOCK);
        expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(Date.parse(at)).toBeLessThanOrEqual(RECEIVED.getTime() + DEFAULT_CHARGER_CLOCK.aheadMs);
        expect(Date.parse(at)).toBeGreaterThanOrEqual(RECEIVED.getTime() - DEFAULT_CHARGER_CLOCK.behindMs);
      }),
    );
  });

  it('identifies a sent time the same way whatever its bounds (a retry of a start gets its first id)', () => {
    expect(sentInUtc('9999-12-31T23:30:00-01:00')).toBe('+010000-01-01T00:30:00.000Z');
    expect(sentInUtc('2026-06-01T13:04:00+01:00')).toBe('2026-06-01T12:04:00.000Z');
  });
});
