/**
 * Purging a deleted charger's history in bounded steps: however many connectors a charger's reports made up, every
 * Query of a step deletes something, so the steps never slow down as the emptied partitions pile up, and a step reads
 * one page of connectors, never all of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '#shared/log/logger.ts';
import { makeDocumentClient } from '#shared/store/dynamo.ts';
import { messageLogPk, statusHistoryPk, timelinePk } from '#shared/store/keys.ts';
import { makeDomainDeps } from '#shared/store/make-deps.ts';
import { DEFAULT_RETENTION } from '#shared/store/retention.ts';
import { openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const CONNECTORS = 12;

describe('charger history purge', () => {
  it('deletes each connector with its last report: no step queries an emptied partition again', async () => {
    const cp = 'CP-PURGE-MANY';
    const { stores } = f.deps;
    for (let evseId = 1; evseId <= CONNECTORS; evseId++) {
      await stores.connectors.putStatusIfNewer({ chargerId: cp, evseId, connectorId: 1, status: 'Available', timestamp: '2026-03-01T10:00:00.000Z', messageId: `s-${evseId}` });
    }
    await stores.timeline.record({ chargerId: cp, kind: 'SecurityEvent', at: '2026-03-01T10:00:00.000Z', messageId: 't', payload: {} });
    for (const ms of [0, 1]) {
      await stores.messageLog.append({ chargerId: cp, connectionId: 'c', direction: 'in', raw: '[2,"h","Heartbeat",{}]', at: new Date(Date.UTC(2026, 2, 1, 0, 0, 0, ms)) });
    }
    // 12 reports + 12 connectors + 1 timeline entry + 2 frames.
    const total = 2 * CONNECTORS + 3;

    const db = makeDocumentClient(f.env);
    let queries = 0;
    db.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand') queries++;
        return next(args);
      },
      { step: 'initialize', name: 'countQueries' },
    );
    const history = makeDomainDeps({ db, tables: f.tables.names, retention: DEFAULT_RETENTION, now: () => new Date(), log: silentLog }).stores.chargerHistory;

    const budget = 5;
    const steps: { deleted: number; queries: number }[] = [];
    for (let remaining = true; remaining; ) {
      expect(steps.length, 'the purge ends').toBeLessThan(total);
      // A page of connectors, as deleteCharger reads them (its page is the budget): never the whole list.
      const connectors = await stores.connectors.page(cp, { limit: 4 });
      queries = 0;
      const step = await history.purge(cp, connectors.items, budget, connectors.cursor !== undefined);
      steps.push({ deleted: step.deleted, queries });
      remaining = step.remaining;
      // The timeline and the log go only once every connector went: a later page is never skipped.
      if ((await stores.connectors.page(cp, { limit: 1 })).items.length > 0) expect(await f.partition('Csms', timelinePk(cp))).not.toEqual([]);
    }

    for (const step of steps) {
      expect(step.deleted).toBeLessThanOrEqual(budget);
      expect(step.queries, JSON.stringify(steps)).toBeLessThanOrEqual(step.deleted);
    }
    expect(steps.reduce((n, s) => n + s.deleted, 0)).toBe(total);
    expect(await stores.connectors.list(cp)).toEqual([]);
    for (let evseId = 1; evseId <= CONNECTORS; evseId++) expect(await f.partition('Csms', statusHistoryPk(cp, evseId, 1))).toEqual([]);
    expect(await f.partition('Csms', timelinePk(cp))).toEqual([]);
    expect(await f.partition('MessageLog', messageLogPk(cp))).toEqual([]);
    db.destroy();
  });
});
