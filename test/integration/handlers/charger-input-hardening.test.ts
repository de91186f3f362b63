/**
 * What a charger's own data can do to tokens, transactions and connectors (issue 8, items 3, 8c, 8d, 12c), through
 * the real $default handler on DynamoDB Local: timestamps it makes up, transaction ids it invents, values the
 * schemas allow but no charger means, and a stop sent again after a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { capacitySnapshot } from '#shared/store/capacity-meter.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';

let h: Harness;
const CP16 = 'CP-HARD-16';
const VICTIM_CP = 'CP-HARD-VICTIM';
const ROGUE = 'CP-HARD-ROGUE';
const ELSEWHERE = 'CP-HARD-ELSEWHERE';
/** Accepted, never sends anything valid: after its refusals it owns no item but its profile and credentials. */
const BOUNDS = 'CP-HARD-BOUNDS';

beforeAll(async () => {
  h = await startHarness({ CSMS_CAPACITY_METER: 'on' });
  for (const chargerId of [CP16, VICTIM_CP, ROGUE, ELSEWHERE, BOUNDS]) await createCharger(h.deps, { chargerId });
  // Connected: their transactions are live, so they count against a start of their token elsewhere (issue 11).
  for (const chargerId of [CP16, VICTIM_CP, ROGUE]) {
    await h.deps.stores.presence.attach({ chargerId, connectionId: `conn-${chargerId}`, protocol: 'ocpp2.0.1', connectedAt: Date.now() });
  }
  for (const value of ['CARD-16', 'CARD-LOCK', 'CARD-HIDE', 'CARD-ORDER', 'CARD-CRASH', 'CARD-COST']) await createIdToken(h.deps, { value });
});
afterAll(async () => h?.close());

const v16 = (action: string, payload: unknown, chargerId = CP16) => h.call(chargerId, 'ocpp1.6', action, payload);
const v2 = (chargerId: string, action: string, payload: unknown) => h.call(chargerId, 'ocpp2.0.1', action, payload);
/** A time within the clock bounds, a little ahead of now: later than anything received before it. */
const soon = () => new Date(Date.now() + 2_000).toISOString();
const transactionIdOf = (reply: unknown[]) => (reply[2] as { transactionId: number }).transactionId;
const connector = async (chargerId: string, evseId: number) => (await h.deps.stores.connectors.list(chargerId)).find((c) => c.evseId === evseId);
const authorize2 = async (chargerId: string, idToken: string) =>
  ((await v2(chargerId, 'Authorize', { idToken: { idToken, type: 'ISO14443' } }))[2] as { idTokenInfo: { status: string } }).idTokenInfo.status;
let starts = 0;
/** The answer to a 2.x Started of the card on ELSEWHERE (ConcurrentTx is only ever answered to a start). */
const startElsewhere = async (idToken: string) => {
  const started = txEvent(`ELSEWHERE-${++starts}`, 'Started', 0, new Date().toISOString(), { idToken: { idToken, type: 'ISO14443' }, evse: { id: 9, connectorId: 1 } });
  return ((await v2(ELSEWHERE, 'TransactionEvent', started))[2] as { idTokenInfo: { status: string } }).idTokenInfo.status;
};
const txEvent = (transactionId: string, eventType: string, seqNo: number, timestamp: string, extra: Record<string, unknown> = {}) => ({
  eventType,
  seqNo,
  timestamp,
  triggerReason: eventType === 'Ended' ? 'StopAuthorized' : 'Authorized',
  transactionInfo: { transactionId, ...(eventType === 'Ended' ? { stoppedReason: 'Local' } : {}) },
  ...extra,
});

describe('charger timestamps: bounded, the receive time for ordering and keys, the charger time kept', () => {
  it('a 1.6 start dated 9999 does not hold its connector against the next genuine start', async () => {
    const live = transactionIdOf(await v16('StartTransaction', { connectorId: 1, idTag: 'CARD-16', meterStart: 0, timestamp: new Date().toISOString() }));
    const future = transactionIdOf(await v16('StartTransaction', { connectorId: 1, idTag: 'CARD-16', meterStart: 10, timestamp: '9999-12-31T23:59:59Z' }));
    const genuine = transactionIdOf(await v16('StartTransaction', { connectorId: 1, idTag: 'CARD-16', meterStart: 20, timestamp: soon() }));
    expect((await connector(CP16, 1))?.activeTransactionId).toBe(String(genuine));
    const dated = await h.deps.stores.transactions.get(CP16, String(future));
    expect(dated).toMatchObject({ status: 'ended', stopReason: 'Superseded', chargerStartedAt: '9999-12-31T23:59:59Z' });
    expect(dated?.startedAt?.startsWith('9999')).toBe(false);
    expect(await h.deps.stores.transactions.get(CP16, String(live))).toMatchObject({ status: 'ended', stopReason: 'Superseded' });
  });

  it('a start dated in year 9999 west of UTC is stored with a four-digit year and stays listed', async () => {
    const sent = '9999-12-31T23:30:00-01:00';
    const id = String(transactionIdOf(await v16('StartTransaction', { connectorId: 2, idTag: 'CARD-16', meterStart: 0, timestamp: sent })));
    const stored = await h.deps.stores.transactions.get(CP16, id);
    expect(stored?.startedAt).toMatch(/^\d{4}-/);
    expect(stored?.chargerStartedAt).toBe(sent);
    const listed = await h.deps.stores.transactions.listOfCharger(CP16, { limit: 50 });
    expect(listed.items.map((t) => t.transactionId)).toContain(id);
  });

  for (const sent of ['1970-01-01T00:00:00Z', '0000-01-01T00:00:00Z']) {
    it(`a status dated ${sent.slice(0, 4)} is current when it is the latest received, and keeps the charger's time as a fact`, async () => {
      const evseId = sent.startsWith('1970') ? 3 : 4;
      await v2(ELSEWHERE, 'StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId, connectorId: 1 });
      const reply = await v2(ELSEWHERE, 'StatusNotification', { timestamp: sent, connectorStatus: 'Faulted', evseId, connectorId: 1 });
      expect(reply[0]).toBe(3);
      const current = await connector(ELSEWHERE, evseId);
      expect(current?.status).toBe('Faulted');
      expect(current?.statusTimestamp?.startsWith(sent.slice(0, 4))).toBe(false);
      const history = await h.deps.stores.connectors.history(ELSEWHERE, { evseId, connectorId: 1 });
      expect(history.items.find((r) => r.status === 'Faulted')).toMatchObject({ chargerTimestamp: sent });
    });
  }
});

describe('a charger cannot lock or unlock a card fleet-wide', () => {
  it('an Updated for an invented transaction, dated 9999, carrying a card does not make the card ConcurrentTx', async () => {
    const reply = await v2(ROGUE, 'TransactionEvent', txEvent('INVENTED-1', 'Updated', 7, '9999-12-31T23:59:59Z', { idToken: { idToken: 'CARD-LOCK', type: 'ISO14443' } }));
    expect(reply[0]).toBe(3);
    // An Ended for another invented id neither.
    await v2(ROGUE, 'TransactionEvent', txEvent('INVENTED-2', 'Ended', 3, '9999-12-31T23:59:59Z', { idToken: { idToken: 'CARD-LOCK', type: 'ISO14443' } }));
    expect(await startElsewhere('CARD-LOCK')).toBe('Accepted');
  });

  it('ten Ended events dated 9999 for the same card do not hide its real open transaction', async () => {
    const started = await v2(VICTIM_CP, 'TransactionEvent', txEvent('REAL-1', 'Started', 0, new Date().toISOString(), { idToken: { idToken: 'CARD-HIDE', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 } }));
    expect(started[2]).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    for (let i = 0; i < 10; i++) {
      await v2(ROGUE, 'TransactionEvent', txEvent(`HIDE-${i}`, 'Ended', 0, '9999-12-31T23:59:59Z', { idToken: { idToken: 'CARD-HIDE', type: 'ISO14443' } }));
    }
    expect(await startElsewhere('CARD-HIDE')).toBe('ConcurrentTx');
    // Authorize never answers ConcurrentTx (OCPP 1.6: only relevant for a StartTransaction; 2.x: a TransactionEvent).
    expect(await authorize2(ELSEWHERE, 'CARD-HIDE')).toBe('Accepted');
    await v2(VICTIM_CP, 'TransactionEvent', txEvent('REAL-1', 'Ended', 1, soon()));
    expect(await startElsewhere('CARD-HIDE')).toBe('Accepted');
  });

  it('out of order: the card is held from when the Started arrives after its Updated, and free after the Ended', async () => {
    const token = { idToken: { idToken: 'CARD-ORDER', type: 'ISO14443' } };
    await v2(VICTIM_CP, 'TransactionEvent', txEvent('ORDER-1', 'Updated', 1, soon(), token));
    expect(await startElsewhere('CARD-ORDER')).toBe('Accepted');
    // That start holds the card on ELSEWHERE itself: it never counts against the next start there.
    await v2(VICTIM_CP, 'TransactionEvent', txEvent('ORDER-1', 'Started', 0, new Date().toISOString(), { evse: { id: 2, connectorId: 1 } }));
    expect(await startElsewhere('CARD-ORDER')).toBe('ConcurrentTx');
    await v2(VICTIM_CP, 'TransactionEvent', txEvent('ORDER-1', 'Ended', 2, soon()));
    expect(await startElsewhere('CARD-ORDER')).toBe('Accepted');
  });

  it('reads a token and its open uses in one query: Authorize costs 3 requests on 1.6 (was 4) and 3 on 2.x', async () => {
    const cost = async (call: () => Promise<unknown>) => {
      const before = capacitySnapshot().requests;
      await call();
      return capacitySnapshot().requests - before;
    };
    expect(await cost(() => v16('Authorize', { idTag: 'CARD-COST' }))).toBe(3);
    expect(await cost(() => v2(ELSEWHERE, 'Authorize', { idToken: { idToken: 'CARD-COST', type: 'ISO14443' } }))).toBe(3);
  });
});

describe('a StopTransaction sent again after a crash', () => {
  it('releases the connector and the card although the transaction was already ended', async () => {
    const id = String(transactionIdOf(await v16('StartTransaction', { connectorId: 5, idTag: 'CARD-CRASH', meterStart: 0, timestamp: new Date().toISOString() })));
    expect((await connector(CP16, 5))?.activeTransactionId).toBe(id);
    // The first attempt of the stop wrote the ended transaction, then the process died before anything else.
    const open = (await h.deps.stores.transactions.get(CP16, id))!;
    const stopAt = soon();
    await h.deps.stores.transactions.putIfVersion({ ...open, status: 'ended', endedAt: stopAt, stopReason: 'Local', meterStopWh: 100, version: open.version + 1 });
    const reply = await v16('StopTransaction', { transactionId: Number(id), meterStop: 100, timestamp: stopAt });
    expect(reply[0]).toBe(3);
    expect((await connector(CP16, 5))?.activeTransactionId).toBeUndefined();
    expect(await startElsewhere('CARD-CRASH')).toBe('Accepted');
  });
});

describe('values the schemas allow but no charger means', () => {
  const refused = async (raw: string, chargerId = CP16) => JSON.parse((await h.send(chargerId, 'ocpp1.6', raw)) ?? 'null') as unknown[];
  it('refuses connector ids -1, 2^31 and 1e300 and a negative meterStart with PropertyConstraintViolation, storing nothing', async () => {
    const status = (connectorId: string) => `[2,"s${connectorId}","StatusNotification",{"connectorId":${connectorId},"errorCode":"NoError","status":"Available"}]`;
    for (const id of ['-1', '2147483648', '1e300']) {
      expect((await refused(status(id), BOUNDS)).slice(0, 3)).toEqual([4, `s${id}`, 'PropertyConstraintViolation']);
    }
    const start = '[2,"neg","StartTransaction",{"connectorId":1,"idTag":"CARD-16","meterStart":-5,"timestamp":"2026-01-01T00:00:00Z"}]';
    expect((await refused(start, BOUNDS)).slice(0, 3)).toEqual([4, 'neg', 'PropertyConstraintViolation']);
    const items = (await h.scanCsms()).filter((i) => String(i.pk).toUpperCase().includes(BOUNDS) && i.sk !== 'CHARGER' && i.sk !== 'CREDENTIALS');
    expect(items).toEqual([]);
  });

  it('refuses a BootNotification with NUL, a lone surrogate or a bidi override and keeps the profile as it was', async () => {
    await v16('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1' });
    for (const model of ['X1\\u0000', 'X1\\ud800', 'X1\\u202e']) {
      const reply = await refused(`[2,"b","BootNotification",{"chargePointVendor":"ACME","chargePointModel":"${model}"}]`);
      expect(reply.slice(0, 3)).toEqual([4, 'b', 'PropertyConstraintViolation']);
    }
    expect(await h.deps.stores.chargers.get(CP16)).toMatchObject({ model: 'X1' });
  });
});
