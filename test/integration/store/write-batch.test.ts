/**
 * The unit of work's write batch (plain puts collected and written by `commit()` in as few requests as
 * DynamoDB allows, work alongside awaited) and `readTogether` (one BatchGetItem across aggregates).
 */
import type { BatchGetCommandInput } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '#shared/log/logger.ts';
import { makeDocumentClient, PARALLEL_BATCHES } from '#shared/store/dynamo.ts';
import { messageLogPk, meterPk, timelinePk, transactionEventKey } from '#shared/store/keys.ts';
import { makeDomainDeps } from '#shared/store/make-deps.ts';
import { DEFAULT_RETENTION } from '#shared/store/retention.ts';
import type { MeterSample } from '#shared/transaction/meter-values.ts';
import { chargerItem, countingRequests, openStoreFixture, STORAGE_ATTRIBUTES, transactionRecord, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const eventFact = (chargerId: string, seqNo: number, messageId: string) => ({
  chargerId,
  transactionId: 'TX-1',
  seqNo,
  messageId,
  eventType: 'Updated',
  timestamp: '2026-01-01T10:00:00.000Z',
  event: { seqNo },
});

const samples = (count: number): MeterSample[] =>
  Array.from({ length: count }, (_, i) => ({
    timestamp: `2026-01-01T10:${String(i).padStart(2, '0')}:00.000Z`,
    sampledValue: [{ value: String(1000 + i) }],
  }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a unit of work', () => {
  it('writes nothing before commit, then writes the puts of both tables in one request', async () => {
    const cp = 'CP-WB-TABLES';
    const work = f.deps.unitOfWork();
    await work.stores.transactions.recordEvent(eventFact(cp, 0, 'm-0'));
    await work.stores.timeline.record({ chargerId: cp, kind: 'SecurityEvent', at: '2026-01-01T10:00:00.000Z', messageId: 'm-1', payload: { type: 'X' } });
    await work.stores.messageLog.append({ chargerId: cp, connectionId: 'c-1', direction: 'in', raw: '[2,"m-1","Heartbeat",{}]', at: new Date('2026-01-01T10:00:00.000Z') });

    expect(await f.item('Csms', transactionEventKey(cp, 'TX-1', 0))).toBeUndefined();
    expect(await f.partition('Csms', timelinePk(cp))).toEqual([]);
    expect(await f.partition('MessageLog', messageLogPk(cp))).toEqual([]);

    const { requests } = await countingRequests(() => work.commit());
    expect(requests).toBe(1);
    expect(await f.item('Csms', transactionEventKey(cp, 'TX-1', 0))).toMatchObject({ messageId: 'm-0' });
    expect(await f.partition('Csms', timelinePk(cp))).toHaveLength(1);
    expect(await f.partition('MessageLog', messageLogPk(cp))).toHaveLength(1);
  });

  it('writes 25 puts in one request and 30 in two, every item stored', async () => {
    for (const [count, expectedRequests] of [[25, 1], [30, 2]] as const) {
      const cp = `CP-WB-${count}`;
      const work = f.deps.unitOfWork();
      await work.stores.meterValues.record({ chargerId: cp, source: 'MeterValues', evseId: 1, connectorId: 1, samples: samples(count) });
      const { requests } = await countingRequests(() => work.commit());
      expect(requests, `${count} puts`).toBe(expectedRequests);
      expect(await f.partition('Csms', meterPk(cp))).toHaveLength(count);
    }
  });

  it('writes a large batch with at most PARALLEL_BATCHES requests in flight, every item stored', async () => {
    const cp = 'CP-WB-300';
    const db = makeDocumentClient(f.env);
    let inFlight = 0;
    let most = 0;
    db.middlewareStack.add(
      (next) => async (args) => {
        most = Math.max(most, ++inFlight);
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: 'initialize', name: 'countInFlight' },
    );
    const work = makeDomainDeps({ db, tables: f.tables.names, retention: DEFAULT_RETENTION, now: () => new Date(), log: silentLog }).unitOfWork();
    await work.stores.meterValues.record({ chargerId: cp, source: 'MeterValues', evseId: 1, connectorId: 1, samples: samples(300) });
    const { requests } = await countingRequests(() => work.commit());
    expect(requests).toBe(12);
    expect(most).toBe(PARALLEL_BATCHES);
    expect(await f.partition('Csms', meterPk(cp))).toHaveLength(300);
    db.destroy();
  });

  it('writes a key named twice once, the later put winning', async () => {
    const cp = 'CP-WB-TWICE';
    const work = f.deps.unitOfWork();
    await work.stores.transactions.recordEvent(eventFact(cp, 0, 'first'));
    await work.stores.transactions.recordEvent(eventFact(cp, 1, 'other'));
    await work.stores.transactions.recordEvent(eventFact(cp, 0, 'second'));
    const { requests } = await countingRequests(() => work.commit());
    expect(requests).toBe(1);
    expect(await f.item('Csms', transactionEventKey(cp, 'TX-1', 0))).toMatchObject({ messageId: 'second' });
    expect(await f.item('Csms', transactionEventKey(cp, 'TX-1', 1))).toMatchObject({ messageId: 'other' });
  });

  it('does not finish committing before the work alongside has finished', async () => {
    const cp = 'CP-WB-ALONGSIDE';
    const order: string[] = [];
    const work = f.deps.unitOfWork();
    await work.stores.transactions.recordEvent(eventFact(cp, 0, 'm-0'));
    work.alongside(
      (async () => {
        // Finishes well after the batch's own write: once the put is visible, and then some more.
        while (!(await f.item('Csms', transactionEventKey(cp, 'TX-1', 0)))) await sleep(10);
        await sleep(100);
        order.push('alongside');
      })(),
    );
    await work.commit();
    order.push('commit');
    expect(order).toEqual(['alongside', 'commit']);
  });

  it('rejects the commit when work alongside failed, and still writes the puts', async () => {
    const cp = 'CP-WB-FAILED';
    const work = f.deps.unitOfWork();
    await work.stores.transactions.recordEvent(eventFact(cp, 0, 'm-0'));
    work.alongside(Promise.reject(new Error('lost the race')));
    await expect(work.commit()).rejects.toThrow('lost the race');
    expect(await f.item('Csms', transactionEventKey(cp, 'TX-1', 0))).toMatchObject({ messageId: 'm-0' });
  });
});

describe('readTogether', () => {
  const cp = 'CP-READ-TOGETHER';
  beforeAll(async () => {
    await f.deps.stores.chargers.createIfAbsent(chargerItem({ chargerId: cp, locationId: 'LOC-1' }));
    await f.deps.stores.idTokens.createIfAbsent({ value: 'TOK-RT', tokenType: 'ISO14443', blocked: false, groupId: 'G-RT', createdAt: '2026-01-01T00:00:00.000Z' });
    await f.deps.stores.transactions.putIfVersion(transactionRecord({ chargerId: cp, transactionId: 'TX-RT', idToken: 'TOK-RT' }));
  });

  it('reads a charger, an id token and a transaction in one request, as records without storage attributes', async () => {
    const s = f.deps.stores;
    const { result, requests } = await countingRequests(() =>
      s.readTogether({ charger: s.chargers.read(cp), token: s.idTokens.read('TOK-RT', 'ISO14443'), tx: s.transactions.read(cp, 'TX-RT') }),
    );
    expect(requests).toBe(1);
    expect(result.charger).toMatchObject({ chargerId: cp, locationId: 'LOC-1', registrationStatus: 'accepted' });
    expect(result.charger).not.toHaveProperty('passwordHash');
    expect(result.token).toMatchObject({ value: 'TOK-RT', tokenType: 'ISO14443', groupId: 'G-RT' });
    expect(result.tx).toMatchObject({ chargerId: cp, transactionId: 'TX-RT', status: 'active', version: 1 });
    for (const record of [result.charger, result.token, result.tx]) {
      for (const attribute of STORAGE_ATTRIBUTES) expect(record).not.toHaveProperty(attribute);
    }
  });

  it('gives undefined for the items that do not exist', async () => {
    const s = f.deps.stores;
    const { result, requests } = await countingRequests(() =>
      s.readTogether({ charger: s.chargers.read('CP-NOBODY'), token: s.idTokens.read('TOK-RT', 'eMAID'), tx: s.transactions.read(cp, 'TX-RT') }),
    );
    expect(requests).toBe(1);
    expect(result.charger).toBeUndefined();
    expect(result.token).toBeUndefined();
    expect(result.tx?.transactionId).toBe('TX-RT');
  });

  it('reads the transaction strongly consistent: a version just written is the one it returns', async () => {
    const db = makeDocumentClient(f.env);
    const batchGets: BatchGetCommandInput[] = [];
    db.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchGetItemCommand') batchGets.push(args.input as BatchGetCommandInput);
        return next(args);
      },
      { step: 'initialize', name: 'recordBatchGets' },
    );
    const s = makeDomainDeps({ db, tables: f.tables.names, retention: DEFAULT_RETENTION, now: () => new Date(), log: silentLog }).stores;
    const next = transactionRecord({ chargerId: cp, transactionId: 'TX-RT', idToken: 'TOK-RT', version: 2, chargingState: 'Charging' });
    expect(await s.transactions.putIfVersion(next)).toBe(true);

    const read = await s.readTogether({ charger: s.chargers.read(cp), tx: s.transactions.read(cp, 'TX-RT') });
    expect(read.tx).toMatchObject({ version: 2, chargingState: 'Charging' });
    expect(batchGets).toHaveLength(1);
    expect(batchGets[0]?.RequestItems?.[f.tables.names.Csms]?.ConsistentRead).toBe(true);
    db.destroy();
  });
});
