/**
 * A charger's settings and composite schedules against DynamoDB Local: one item per setting (names compared in any
 * case, parts that cannot run together), one per EVSE; of two answers the later one stays whichever is written last;
 * lists in key order without storage attributes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompositeSchedule } from '#shared/charger/composite-schedule.ts';
import type { ChargerSetting, ComponentRef } from '#shared/charger/configuration.ts';
import { MAX_SETTINGS_PER_ANSWER } from '#shared/command/configuration-effects.ts';
import { effectOf } from '#shared/command/effects.ts';
import { compositeScheduleKey, configurationKey } from '#shared/store/keys.ts';
import { countingRequests, openStoreFixture, STORAGE_ATTRIBUTES, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const answered = (commandId: string, reportedAt: string) => ({ commandId, reportedAt, action: 'GetConfiguration' });
const key16 = (chargerId: string, key: string, value: string, at = answered('c-1', '2026-03-01T10:00:00.000Z')): ChargerSetting => ({
  chargerId,
  protocol: 'ocpp1.6',
  key,
  value,
  readonly: false,
  ...at,
});
const variable = (chargerId: string, component: ComponentRef, name: string, value: string): ChargerSetting => ({
  chargerId,
  protocol: 'ocpp2.0.1',
  component,
  variable: { name },
  attributeType: 'Actual',
  value,
  ...answered('c-2', '2026-03-01T10:00:00.000Z'),
  action: 'GetVariables',
});

describe('configuration store', () => {
  it('keeps one item per setting, its key in any case, and lists them without storage attributes', async () => {
    const cp = 'CP-SET-1';
    const configuration = f.deps.stores.configuration;
    expect(await configuration.keep([key16(cp, 'HeartbeatInterval', '300'), key16(cp, 'MeterValueSampleInterval', '60')])).toEqual({ kept: 2, superseded: 0 });
    const later = answered('c-3', '2026-03-01T11:00:00.000Z');
    expect(await configuration.keep([key16(cp, 'heartbeatinterval', '120', later)])).toEqual({ kept: 1, superseded: 0 });
    const { items } = await configuration.list(cp);
    expect(items.map((s) => ('key' in s ? [s.key, s.value] : []))).toEqual([
      ['heartbeatinterval', '120'],
      ['MeterValueSampleInterval', '60'],
    ]);
    for (const attribute of [...STORAGE_ATTRIBUTES, 'type']) expect(items[0]).not.toHaveProperty(attribute);
    expect(await f.item('Csms', configurationKey(cp, { key: 'HEARTBEATINTERVAL' }))).toMatchObject({ type: 'ChargerSetting', commandId: 'c-3' });
  });

  it('leaves a setting a later answer set, whichever is written last, and says how many it left', async () => {
    const cp = 'CP-SET-2';
    const configuration = f.deps.stores.configuration;
    await configuration.keep([key16(cp, 'HeartbeatInterval', '60', answered('c-new', '2026-03-01T12:00:00.000Z'))]);
    const older = answered('c-old', '2026-03-01T11:59:59.000Z');
    expect(await configuration.keep([key16(cp, 'HeartbeatInterval', '300', older), key16(cp, 'ConnectionTimeOut', '30', older)])).toEqual({ kept: 1, superseded: 1 });
    const { items } = await configuration.list(cp);
    expect(items.map((s) => [s.commandId, s.value])).toEqual([
      ['c-old', '30'],
      ['c-new', '60'],
    ]);
  });

  it('keeps 2.x variables of components, instances and EVSEs apart, even with # in a name', async () => {
    const cp = 'CP-SET-3';
    const configuration = f.deps.stores.configuration;
    const settings = [
      variable(cp, { name: 'EVSE', evse: { id: 1 } }, 'Power', '11000'),
      variable(cp, { name: 'EVSE', evse: { id: 2 } }, 'Power', '22000'),
      variable(cp, { name: 'EVSE', evse: { id: 1, connectorId: 1 } }, 'Power', '7400'),
      variable(cp, { name: 'A#B' }, 'C', 'one'),
      variable(cp, { name: 'A', instance: 'B#' }, 'C', 'two'),
      { ...variable(cp, { name: 'EVSE', evse: { id: 1 } }, 'Power', '16000'), attributeType: 'MaxSet' as const },
    ];
    expect(await configuration.keep(settings)).toEqual({ kept: 6, superseded: 0 });
    expect((await configuration.list(cp)).items).toHaveLength(6);
  });

  it('writes one conditional PutItem per setting, and lists in pages', async () => {
    const cp = 'CP-SET-4';
    const configuration = f.deps.stores.configuration;
    const many = Array.from({ length: 100 }, (_, i) => key16(cp, `Key${String(i).padStart(3, '0')}`, String(i)));
    const { requests } = await countingRequests(() => configuration.keep(many));
    expect(requests).toBe(100);
    const first = await configuration.list(cp, { limit: 60 });
    const second = await configuration.list(cp, { limit: 60, ...(first.cursor ? { cursor: first.cursor } : {}) });
    expect([first.items.length, second.items.length, second.cursor]).toEqual([60, 40, undefined]);
  });
});

describe('settings an answer may write', () => {
  it(`keeps at most ${MAX_SETTINGS_PER_ANSWER} settings of one answer, and says so in the log`, async () => {
    const cp = 'CP-SET-CAP';
    const warned: unknown[] = [];
    const deps = { ...f.deps, log: { ...f.deps.log, warn: (message: string, fields?: unknown) => void warned.push([message, fields]) } };
    const configurationKey = Array.from({ length: MAX_SETTINGS_PER_ANSWER + 5 }, (_, i) => ({ key: `Invented${String(i).padStart(4, '0')}`, readonly: true, value: String(i) }));
    const command = { commandId: 'c-cap', chargerId: cp, protocol: 'ocpp1.6', action: 'GetConfiguration', payload: {}, status: 'answered', timeoutSeconds: 30, requestedBy: 'operator@example.com', createdAt: '2026-03-01T10:00:00.000Z', completedAt: '2026-03-01T10:00:01.000Z' } as const;
    await effectOf('GetConfiguration')!.answered!(deps, { command, result: { configurationKey } });
    const first = await f.deps.stores.configuration.list(cp, { limit: 500 });
    expect(first.cursor).toBeDefined();
    let total = first.items.length;
    for (let cursor = first.cursor; cursor; ) {
      const page = await f.deps.stores.configuration.list(cp, { limit: 500, cursor });
      total += page.items.length;
      cursor = page.cursor;
    }
    expect(total).toBe(MAX_SETTINGS_PER_ANSWER);
    expect(warned).toEqual([[expect.stringContaining('left out'), expect.objectContaining({ chargerId: cp, told: MAX_SETTINGS_PER_ANSWER + 5, kept: MAX_SETTINGS_PER_ANSWER })]]);
  });
});

describe('composite schedule store', () => {
  const schedule = (chargerId: string, evseId: number, commandId: string, reportedAt: string): CompositeSchedule => ({
    chargerId,
    protocol: 'ocpp2.0.1',
    evseId,
    scheduleStart: '2026-03-01T10:00:00.000Z',
    duration: 3600,
    chargingRateUnit: 'A',
    chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }],
    commandId,
    reportedAt,
  });

  it('keeps the latest schedule per EVSE and leaves one answered later', async () => {
    const cp = 'CP-SCHED';
    const schedules = f.deps.stores.compositeSchedules;
    expect(await schedules.keep(schedule(cp, 1, 'c-1', '2026-03-01T10:00:00.000Z'))).toBe('kept');
    expect(await schedules.keep(schedule(cp, 0, 'c-2', '2026-03-01T10:00:01.000Z'))).toBe('kept');
    expect(await schedules.keep(schedule(cp, 1, 'c-3', '2026-03-01T10:00:02.000Z'))).toBe('kept');
    expect(await schedules.keep(schedule(cp, 1, 'c-late', '2026-03-01T10:00:01.500Z'))).toBe('superseded');
    const { items } = await schedules.list(cp);
    expect(items.map((s) => [s.evseId, s.commandId])).toEqual([
      [0, 'c-2'],
      [1, 'c-3'],
    ]);
    expect(items[1]).toEqual(schedule(cp, 1, 'c-3', '2026-03-01T10:00:02.000Z'));
    expect(await f.item('Csms', compositeScheduleKey(cp, 1))).toMatchObject({ type: 'CompositeSchedule' });
  });
});
