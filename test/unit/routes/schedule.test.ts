import { describe, expect, it } from 'vitest';
import { type CronFields, nextCronTime, parseSchedule } from '#functions/_routes/schedule.ts';

const cron = (expression: string): CronFields => {
  const parsed = parseSchedule(expression);
  if (parsed.kind !== 'cron') throw new Error('not cron');
  return parsed.fields;
};
const at = (iso: string) => Date.parse(iso);
const next = (expression: string, after: string) => new Date(nextCronTime(cron(expression), at(after)) ?? 0).toISOString();

describe('rate expressions', () => {
  it('reads minutes, hours and days, singular for 1', () => {
    expect(parseSchedule('rate(1 minute)')).toEqual({ kind: 'rate', periodMs: 60_000 });
    expect(parseSchedule('rate(5 minutes)')).toEqual({ kind: 'rate', periodMs: 300_000 });
    expect(parseSchedule('rate(2 hours)')).toEqual({ kind: 'rate', periodMs: 7_200_000 });
    expect(parseSchedule('rate(1 day)')).toEqual({ kind: 'rate', periodMs: 86_400_000 });
  });

  it('refuses what EventBridge refuses', () => {
    expect(() => parseSchedule('rate(1 minutes)')).toThrow(/rate\(1 minute\)/);
    expect(() => parseSchedule('rate(5 minute)')).toThrow(/rate\(5 minutes\)/);
    expect(() => parseSchedule('rate(0 minutes)')).toThrow(/at least 1/);
    expect(() => parseSchedule('rate(5 seconds)')).toThrow(/expected rate/);
    expect(() => parseSchedule('every 5 minutes')).toThrow(/expected rate\(\.\.\.\) or cron/);
  });
});

describe('cron expressions (UTC)', () => {
  it('finds the next matching minute, strictly after the given time', () => {
    expect(next('cron(0 3 * * ? *)', '2026-01-01T02:59:30Z')).toBe('2026-01-01T03:00:00.000Z');
    expect(next('cron(0 3 * * ? *)', '2026-01-01T03:00:00Z')).toBe('2026-01-02T03:00:00.000Z');
    expect(next('cron(*/15 * * * ? *)', '2026-01-01T10:16:00Z')).toBe('2026-01-01T10:30:00.000Z');
  });

  it('reads day-of-week names (1 = Sunday), month names, ranges and lists', () => {
    // 2026-01-01 is a Thursday.
    expect(next('cron(30 8 ? * MON-FRI *)', '2026-01-02T09:00:00Z')).toBe('2026-01-05T08:30:00.000Z');
    expect(next('cron(0 0 ? * 1 *)', '2026-01-01T00:00:00Z')).toBe('2026-01-04T00:00:00.000Z');
    expect(next('cron(0 12 1,15 JUN ? *)', '2026-01-01T00:00:00Z')).toBe('2026-06-01T12:00:00.000Z');
  });

  it('ends when the named years are over', () => {
    expect(nextCronTime(cron('cron(0 0 1 1 ? 2020)'), at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('refuses malformed fields, both day fields set, and the L/W/# forms', () => {
    expect(() => parseSchedule('cron(0 3 * * *)')).toThrow(/6 fields/);
    expect(() => parseSchedule('cron(0 3 * * * *)')).toThrow(/exactly one of day-of-month and day-of-week/);
    expect(() => parseSchedule('cron(60 3 * * ? *)')).toThrow(/minutes: "60" is not in 0-59/);
    expect(() => parseSchedule('cron(0 3 L * ? *)')).toThrow(/L, W and # forms/);
    expect(() => parseSchedule('cron(0 3 ? * 2#1 *)')).toThrow(/L, W and # forms/);
    expect(() => parseSchedule('cron(0 3 ? * WED *)')).not.toThrow();
  });
});
