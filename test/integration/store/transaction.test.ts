/**
 * Transactions (optimistic concurrency on `version`, create-or-get in one request, ending a superseded one
 * without reading it, raw events through the message's batch; token uses: token-uses.test.ts) and meter
 * values (one item per reading, whichever message brings it).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterPk, transactionEventKey, transactionKey } from '#shared/store/keys.ts';
import { DEFAULT_RETENTION } from '#shared/store/retention.ts';
import type { MeterSample } from '#shared/transaction/meter-values.ts';
import type { TransactionRecord } from '#shared/transaction/transaction.ts';
import { countingRequests, currentSecond, depsAt, openStoreFixture, STORAGE_ATTRIBUTES, transactionRecord, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const CP = 'CP-TRANSACTIONS';

describe('transaction store', () => {
  it('writes version 1 only where no transaction is, and version n only over version n-1', async () => {
    const transactions = f.deps.stores.transactions;
    const v = (version: number, chargingState: string) => transactionRecord({ chargerId: CP, transactionId: 'TX-OCC', version, chargingState });
    expect(await transactions.putIfVersion(v(1, 'EVConnected'))).toBe(true);
    expect(await transactions.putIfVersion(v(1, 'Idle'))).toBe(false);
    expect(await transactions.putIfVersion(v(3, 'Idle'))).toBe(false);
    expect(await transactions.putIfVersion(v(2, 'Charging'))).toBe(true);
    expect(await transactions.putIfVersion(v(2, 'SuspendedEV'))).toBe(false);
    expect(await transactions.get(CP, 'TX-OCC')).toMatchObject({ version: 2, chargingState: 'Charging' });
  });

  it('creates a transaction whose key is free, and otherwise returns what holds the key as a plain record', async () => {
    const transactions = f.deps.stores.transactions;
    const first = transactionRecord({
      chargerId: CP,
      transactionId: 'TX-CREATE',
      protocol: 'ocpp1.6',
      connectorId: 1,
      meterStartWh: 100,
      startFingerprint: 'fingerprint-of-the-first-start',
      startDecision: { verdict: 'Accepted', groupId: 'G-1' },
      seqNos: [0, 1],
    });
    expect(await transactions.createOrGetExisting(first)).toEqual({ created: true });

    const outcome = await transactions.createOrGetExisting({ ...first, startFingerprint: 'another-start', meterStartWh: 7 });
    expect(outcome.created).toBe(false);
    const existing = outcome.created ? undefined : outcome.existing;
    expect(existing).toEqual(first);
    expect(typeof existing?.startFingerprint).toBe('string');
    expect(typeof existing?.meterStartWh).toBe('number');
    for (const attribute of [...STORAGE_ATTRIBUTES, 'type']) expect(existing).not.toHaveProperty(attribute);
    expect(await transactions.get(CP, 'TX-CREATE')).toEqual(first);
  });

  it('ends an active transaction as superseded once, counting a version, and nothing that is not there', async () => {
    const transactions = f.deps.stores.transactions;
    await transactions.putIfVersion(transactionRecord({ chargerId: CP, transactionId: 'TX-SUPER', version: 1 }));
    expect(await transactions.endAsSuperseded(CP, 'TX-SUPER', '2026-01-01T11:00:00.000Z')).toMatchObject({ status: 'ended', inferredEnd: true });
    const ended = await transactions.get(CP, 'TX-SUPER');
    expect(ended).toMatchObject({ status: 'ended', endedAt: '2026-01-01T11:00:00.000Z', stopReason: 'Superseded', inferredEnd: true, version: 2 });

    expect(await transactions.endAsSuperseded(CP, 'TX-SUPER', '2026-01-01T12:00:00.000Z')).toBeUndefined();
    expect(await transactions.get(CP, 'TX-SUPER')).toEqual(ended);

    expect(await transactions.endAsSuperseded(CP, 'TX-NOWHERE', '2026-01-01T12:00:00.000Z')).toBeUndefined();
    expect(await f.item('Csms', transactionKey(CP, 'TX-NOWHERE'))).toBeUndefined();
  });

  it('lists from keys-only indexes: the page read by key, newest first, without one that ended between the reads', async () => {
    // Prepare: two active transactions of one charger, received a minute apart
    const transactions = f.deps.stores.transactions;
    const cp = 'CP-TX-LIST';
    const at = (minute: number) => `2026-01-02T10:0${minute}:00.000Z`;
    for (const [id, minute] of [['TX-L1', 1], ['TX-L2', 2]] as const) {
      expect(await transactions.putIfVersion(transactionRecord({ chargerId: cp, transactionId: id, receivedAt: at(minute), startedAt: at(minute) }))).toBe(true);
    }
    // The index holds keys only: updates that change no index key leave it alone
    const stored = await f.item('Csms', transactionKey(cp, 'TX-L1'));
    expect(stored).toMatchObject({ gsi5pk: `CHARGER#${cp}#TX`, gsi8pk: 'TXS#ACTIVE', gsi5sk: `${at(1)}#TX-L1` });
    expect(stored).not.toHaveProperty('gsi1pk');
    // TX-L1 ends after the index was read and before its item is: here, its item ends, its index entry not yet
    await f.raw.send(new UpdateCommand({ TableName: f.tables.names.Csms, Key: transactionKey(cp, 'TX-L1'), UpdateExpression: 'SET #s = :ended', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':ended': 'ended' } }));
    // Act
    const byCharger = await countingRequests(() => transactions.list({ chargerId: cp }));
    const active = await transactions.list({ state: 'active' }, { from: at(0), to: at(9) });
    // Assess: the Query, then one BatchGetItem of the page; records without storage attributes
    expect(byCharger.requests).toBe(2);
    expect(byCharger.result.items.map((t) => [t.transactionId, t.status])).toEqual([['TX-L2', 'active'], ['TX-L1', 'ended']]);
    for (const a of STORAGE_ATTRIBUTES) expect(byCharger.result.items[0]).not.toHaveProperty(a);
    expect(active.items.filter((t) => t.chargerId === cp).map((t) => t.transactionId)).toEqual(['TX-L2']);
  });

  it('records a raw event through the message batch, with its expiry from the retention', async () => {
    const now = currentSecond();
    const retention = { ...DEFAULT_RETENTION, transactionEventDays: 11 };
    const work = depsAt(f, now, retention).unitOfWork();
    const fact = { chargerId: CP, transactionId: 'TX-EVENTS', seqNo: 3, messageId: 'm-3', eventType: 'Updated', timestamp: '2026-03-01T11:59:00.000Z', event: { seqNo: 3 } };
    await work.stores.transactions.recordEvent(fact);
    expect(await f.item('Csms', transactionEventKey(CP, 'TX-EVENTS', 3))).toBeUndefined();
    await work.commit();
    expect(await f.item('Csms', transactionEventKey(CP, 'TX-EVENTS', 3))).toMatchObject({
      ...fact,
      receivedAt: now.toISOString(),
      expiresAt: now.getTime() / 1000 + 11 * 86_400,
    });
  });
});

describe('meter value store', () => {
  const sample = (timestamp: string, value: string, extra: Partial<MeterSample['sampledValue'][number]> = {}): MeterSample => ({
    timestamp,
    sampledValue: [{ value, ...extra }],
  });

  it('stores a reading once when MeterValues and the StopTransaction data both carry it', async () => {
    const cp = 'CP-METER-ONCE';
    const reading = sample('2026-01-05T10:05:00.000Z', '500');
    await f.deps.stores.meterValues.record({ chargerId: cp, source: 'MeterValues', transactionId: '17', evseId: 1, connectorId: 1, samples: [reading] });
    await f.deps.stores.meterValues.record({ chargerId: cp, source: 'StopTransaction', transactionId: '17', samples: [reading, sample('2026-01-05T10:10:00.000Z', '900')] });
    expect(await f.deps.stores.meterValues.listOfTransaction(cp, '17')).toHaveLength(2);
    expect(await f.partition('Csms', meterPk(cp))).toHaveLength(2);
  });

  it("lists a transaction's readings in time order, and only that transaction's", async () => {
    const cp = 'CP-METER-ORDER';
    const meterValues = f.deps.stores.meterValues;
    await meterValues.record({ chargerId: cp, source: 'TransactionEvent', transactionId: 'TX-A', samples: [sample('2026-01-06T10:10:00.000Z', '30')] });
    await meterValues.record({
      chargerId: cp,
      source: 'TransactionEvent',
      transactionId: 'TX-A',
      samples: [sample('2026-01-06T10:05:00.000Z', '20'), sample('2026-01-06T10:00:00.000Z', '10')],
    });
    await meterValues.record({ chargerId: cp, source: 'TransactionEvent', transactionId: 'TX-B', samples: [sample('2026-01-06T10:07:00.000Z', '99')] });
    const readings = await meterValues.listOfTransaction(cp, 'TX-A');
    expect(readings.map((r) => r.timestamp)).toEqual(['2026-01-06T10:00:00.000Z', '2026-01-06T10:05:00.000Z', '2026-01-06T10:10:00.000Z']);
    expect(readings.map((r) => r.energyWh)).toEqual([10, 20, 30]);
    for (const attribute of STORAGE_ATTRIBUTES) expect(readings[0]).not.toHaveProperty(attribute);
  });

  it('derives the energy register in Wh, and none where the sample has no energy register', async () => {
    const cp = 'CP-METER-ENERGY';
    await f.deps.stores.meterValues.record({
      chargerId: cp,
      source: 'MeterValues',
      transactionId: 'TX-E',
      samples: [
        sample('2026-01-07T10:00:00.000Z', '1.5', { unit: 'kWh', measurand: 'Energy.Active.Import.Register' }),
        sample('2026-01-07T10:01:00.000Z', '230', { measurand: 'Voltage', unit: 'V' }),
      ],
    });
    const [energy, voltage] = await f.deps.stores.meterValues.listOfTransaction(cp, 'TX-E');
    expect(energy).toMatchObject({ energyWh: 1500, source: 'MeterValues', transactionId: 'TX-E' });
    expect(voltage).not.toHaveProperty('energyWh');
  });
});
