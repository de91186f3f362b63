/**
 * Id tokens (identified by value and type; their own expiry kept out of the table's TTL attribute) and
 * retention: every kind of history expires after its configured days, counted from when we received it; state
 * never expires; a retention setting out of range fails the start, naming its variable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '#shared/log/logger.ts';
import type { Item } from '#shared/store/dynamo.ts';
import {
  chargerKey,
  connectorKey,
  idTokenKey,
  meterPk,
  messageLogPk,
  presenceKey,
  reportPageKey,
  reportSummaryKey,
  statusHistoryPk,
  timelinePk,
  transactionEventKey,
  transactionKey,
} from '#shared/store/keys.ts';
import type { Retention } from '#shared/store/retention.ts';
import type { Deps } from '#shared/deps.ts';
import { makeDeps, RETENTION_ENV } from '#functions/_common/deps.ts';
import { chargerItem, currentSecond, depsAt, openStoreFixture, transactionRecord, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const token = (value: string, tokenType: string, extra: { blocked?: boolean; groupId?: string; expiresAt?: string } = {}) => ({
  value,
  tokenType,
  blocked: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('id token store', () => {
  it('keeps two tokens of one value and different types apart, and finds both by the value', async () => {
    const idTokens = f.deps.stores.idTokens;
    expect(await idTokens.createIfAbsent(token('TOK-TWIN', 'ISO14443'))).toBe('created');
    expect(await idTokens.createIfAbsent(token('TOK-TWIN', 'eMAID', { blocked: true }))).toBe('created');
    expect(await idTokens.createIfAbsent(token('TOK-TWIN', 'eMAID'))).toBe('exists');
    expect(await idTokens.get('TOK-TWIN', 'ISO14443')).toMatchObject({ tokenType: 'ISO14443', blocked: false });
    expect(await idTokens.get('TOK-TWIN', 'eMAID')).toMatchObject({ tokenType: 'eMAID', blocked: true });
    expect(await idTokens.get('TOK-TWIN', 'Central')).toBeUndefined();
    expect((await idTokens.withValue('TOK-TWIN')).map((t) => t.tokenType).sort()).toEqual(['ISO14443', 'eMAID']);
    expect(await idTokens.withValue('TOK-TWI')).toEqual([]);
  });

  it("stores the token's expiry as validUntil, never in the TTL attribute, and returns it as expiresAt", async () => {
    const idTokens = f.deps.stores.idTokens;
    await idTokens.createIfAbsent(token('TOK-EXPIRING', 'ISO14443', { expiresAt: '2026-06-30T00:00:00.000Z' }));
    const raw = await f.item('Csms', idTokenKey('TOK-EXPIRING', 'ISO14443'));
    expect(raw?.validUntil).toBe('2026-06-30T00:00:00.000Z');
    expect(raw).not.toHaveProperty('expiresAt');
    const read = await idTokens.get('TOK-EXPIRING', 'ISO14443');
    expect(read?.expiresAt).toBe('2026-06-30T00:00:00.000Z');
    expect(read).not.toHaveProperty('validUntil');
    expect((await idTokens.withValue('TOK-EXPIRING'))[0]?.expiresAt).toBe('2026-06-30T00:00:00.000Z');
    const together = await f.deps.stores.readTogether({ token: idTokens.read('TOK-EXPIRING', 'ISO14443') });
    expect(together.token?.expiresAt).toBe('2026-06-30T00:00:00.000Z');
  });

  it('blocks a token of a value and type, and reports an unknown one without creating it', async () => {
    const idTokens = f.deps.stores.idTokens;
    await idTokens.createIfAbsent(token('TOK-BLOCK', 'ISO14443'));
    expect(await idTokens.setBlocked('TOK-BLOCK', 'ISO14443', true)).toBe(true);
    expect((await idTokens.get('TOK-BLOCK', 'ISO14443'))?.blocked).toBe(true);
    expect(await idTokens.setBlocked('TOK-BLOCK', 'eMAID', true)).toBe(false);
    expect(await f.item('Csms', idTokenKey('TOK-BLOCK', 'eMAID'))).toBeUndefined();
  });

  it('lists the tokens of a group, or every token', async () => {
    const idTokens = f.deps.stores.idTokens;
    await idTokens.createIfAbsent(token('TOK-G1-A', 'ISO14443', { groupId: 'GROUP-1' }));
    await idTokens.createIfAbsent(token('TOK-G1-B', 'eMAID', { groupId: 'GROUP-1' }));
    await idTokens.createIfAbsent(token('TOK-G2-A', 'ISO14443', { groupId: 'GROUP-2' }));
    const keys = (page: { items: { value: string; tokenType: string }[] }) => page.items.map((t) => `${t.value}/${t.tokenType}`);
    expect(keys(await idTokens.list({ groupId: 'GROUP-1' }))).toEqual(['TOK-G1-A/ISO14443', 'TOK-G1-B/eMAID']);
    expect(keys(await idTokens.list({ groupId: 'GROUP-2' }))).toEqual(['TOK-G2-A/ISO14443']);
    expect(keys(await idTokens.list()).filter((k) => k.startsWith('TOK-G'))).toEqual(['TOK-G1-A/ISO14443', 'TOK-G1-B/eMAID', 'TOK-G2-A/ISO14443']);
  });
});

/** Records one fact of every kind of history for `cp`, through a unit of work as a charger message would. */
const recordHistory = async (deps: Deps, cp: string, at: Date) => {
  const work = deps.unitOfWork();
  const s = work.stores;
  work.alongside(s.connectors.putStatusIfNewer({ chargerId: cp, evseId: 1, connectorId: 1, status: 'Available', timestamp: '2026-01-01T10:00:00.000Z', messageId: 'm-1' }));
  await s.meterValues.record({ chargerId: cp, source: 'MeterValues', evseId: 1, connectorId: 1, samples: [{ timestamp: '2026-01-01T10:00:00.000Z', sampledValue: [{ value: '1' }] }] });
  await s.timeline.record({ chargerId: cp, kind: 'SecurityEvent', at: '2026-01-01T10:00:00.000Z', messageId: 'm-2', payload: { type: 'StartupOfTheDevice' } });
  await s.reports.recordPage({ chargerId: cp, kind: 'deviceModel', requestId: 1, seqNo: 0, generatedAt: '2026-01-01T10:00:00.000Z', tbc: false, reportData: [] });
  await s.transactions.recordEvent({ chargerId: cp, transactionId: 'TX-H', seqNo: 0, messageId: 'm-3', eventType: 'Started', timestamp: '2026-01-01T10:00:00.000Z', event: {} });
  await s.messageLog.append({ chargerId: cp, connectionId: 'c-1', direction: 'in', raw: '[2,"m-4","Heartbeat",{}]', at });
  await work.commit();
};

/** The one history item of each kind recorded by `recordHistory`. */
const historyItems = async (cp: string): Promise<Record<keyof Retention, Item | undefined>> => ({
  statusHistoryDays: (await f.partition('Csms', statusHistoryPk(cp, 1, 1)))[0],
  meterValuesDays: (await f.partition('Csms', meterPk(cp)))[0],
  timelineDays: (await f.partition('Csms', timelinePk(cp)))[0],
  deviceReportDays: await f.item('Csms', reportPageKey(cp, 'deviceModel', 1, 0)),
  transactionEventDays: await f.item('Csms', transactionEventKey(cp, 'TX-H', 0)),
  messageLogDays: (await f.partition('MessageLog', messageLogPk(cp)))[0],
});

const DAY = 86_400;

describe('retention', () => {
  it('dates every kind of history to expire its configured days after it was received', async () => {
    const now = currentSecond();
    const retention: Retention = { statusHistoryDays: 3, meterValuesDays: 5, timelineDays: 7, deviceReportDays: 11, transactionEventDays: 13, messageLogDays: 17 };
    await recordHistory(depsAt(f, now, retention), 'CP-RETAIN', new Date('2020-01-01T00:00:00.000Z'));
    const items = await historyItems('CP-RETAIN');
    const nowSeconds = now.getTime() / 1000;
    for (const kind of Object.keys(retention) as (keyof Retention)[]) {
      expect(items[kind]?.expiresAt, kind).toBe(nowSeconds + retention[kind] * DAY);
    }
    expect((await f.item('Csms', reportSummaryKey('CP-RETAIN', 'deviceModel', 1)))?.expiresAt).toBe(nowSeconds + 11 * DAY);
  });

  it('takes the retention of each kind from its environment variable', async () => {
    const days: Record<keyof Retention, number> = { statusHistoryDays: 2, meterValuesDays: 4, timelineDays: 6, deviceReportDays: 8, transactionEventDays: 10, messageLogDays: 12 };
    const env = { ...f.env, ...Object.fromEntries((Object.keys(days) as (keyof Retention)[]).map((k) => [RETENTION_ENV[k], String(days[k])])) };
    const before = Math.floor(Date.now() / 1000);
    await recordHistory(makeDeps(env, silentLog), 'CP-RETAIN-ENV', new Date());
    const after = Math.floor(Date.now() / 1000);
    const items = await historyItems('CP-RETAIN-ENV');
    for (const kind of Object.keys(days) as (keyof Retention)[]) {
      const item = items[kind];
      // Items that carry their time of receipt expire exactly `days` after it; the others within the call.
      if (typeof item?.receivedAt === 'string') {
        expect(item.expiresAt, kind).toBe(Math.floor(Date.parse(item.receivedAt) / 1000) + days[kind] * DAY);
      } else {
        expect(item?.expiresAt, kind).toBeGreaterThanOrEqual(before + days[kind] * DAY);
        expect(item?.expiresAt, kind).toBeLessThanOrEqual(after + days[kind] * DAY);
      }
    }
  });

  it('keeps state: chargers, presence, connectors, transactions and id tokens get no expiry', async () => {
    const cp = 'CP-STATE';
    const deps = depsAt(f, currentSecond());
    const s = deps.stores;
    await s.chargers.createIfAbsent(chargerItem({ chargerId: cp }));
    await s.chargers.recordBoot(cp, { vendor: 'V', model: 'M' }, deps.now());
    await s.presence.attach({ chargerId: cp, connectionId: 'c-1', connectedAt: 1, protocol: 'ocpp2.0.1' });
    await s.presence.setLatestUploadStatus(cp, 'FirmwareStatus', 'Installed');
    await s.connectors.putStatusIfNewer({ chargerId: cp, evseId: 1, connectorId: 1, status: 'Occupied', timestamp: '2026-04-01T08:30:00.000Z', messageId: 'm-1' });
    await s.connectors.claim(cp, { evseId: 1, connectorId: 1 }, 'TX-S', '2026-04-01T08:30:00.000Z');
    await s.transactions.putIfVersion(transactionRecord({ chargerId: cp, transactionId: 'TX-S', idToken: 'TOK-STATE' }));
    await s.transactions.endAsSuperseded(cp, 'TX-S', '2026-04-01T09:00:00.000Z');
    await s.idTokens.createIfAbsent(token('TOK-STATE', 'ISO14443', { expiresAt: '2026-05-01T00:00:00.000Z' }));
    await s.idTokens.setBlocked('TOK-STATE', 'ISO14443', true);
    const state = {
      charger: await f.item('Csms', chargerKey(cp)),
      presence: await f.item('Csms', presenceKey(cp)),
      connector: await f.item('Csms', connectorKey(cp, 1, 1)),
      transaction: await f.item('Csms', transactionKey(cp, 'TX-S')),
      idToken: await f.item('Csms', idTokenKey('TOK-STATE', 'ISO14443')),
    };
    for (const [name, item] of Object.entries(state)) {
      expect(item, name).toBeDefined();
      expect(item, name).not.toHaveProperty('expiresAt');
    }
  });

  it('refuses a retention that is not a whole number of days from 1 to 3650, naming the variable', () => {
    for (const variable of Object.values(RETENTION_ENV)) {
      for (const bad of ['0', 'abc', '5000', '-3', '2.5']) {
        expect(() => makeDeps({ ...f.env, [variable]: bad }, silentLog), `${variable}=${bad}`).toThrow(variable);
      }
      expect(() => makeDeps({ ...f.env, [variable]: '3650' }, silentLog)).not.toThrow();
    }
  });
});
