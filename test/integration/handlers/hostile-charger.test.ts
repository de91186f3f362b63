/**
 * A charger authenticated as itself but hostile: what its own messages may do to others' data and to our costs,
 * through the real $default handler on DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { capacitySnapshot } from '#shared/store/capacity-meter.ts';
import { USES_KEPT_PER_CHARGER } from '#shared/store/token-use-store.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { SEQNOS_KEPT } from '#shared/transaction/transaction-event.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';
import { startedPayload } from '../../support/transaction-events.ts';

let h: Harness;
beforeAll(async () => {
  // A long session's 400 events in a few seconds: past a charger's budget, which is not what is tested here.
  h = await startHarness({ CSMS_CAPACITY_METER: 'on', MESSAGE_BUDGET_BURST: '1000' });
});
afterAll(async () => h?.close());

const protocol = 'ocpp2.0.1';
const connected = async (chargerId: string) => {
  await createCharger(h.deps, { chargerId });
  await h.deps.stores.presence.attach({ chargerId, connectionId: `conn-${chargerId}`, protocol, connectedAt: Date.now() });
};
const start = async (chargerId: string, transactionId: string, card: string, evseId = 1) => {
  const reply = (await h.call(chargerId, protocol, 'TransactionEvent', startedPayload(transactionId, card, evseId)))[2] as { idTokenInfo: { status: string } };
  return reply.idTokenInfo.status;
};

describe('a driver card used by a hostile charger', () => {
  /** Starts on its own charger are all Accepted (it knows what it runs); each names another EVSE, so none supersedes. */
  const startMany = async (chargerId: string, card: string, count: number) => {
    for (let n = 1; n <= count; n++) expect(await start(chargerId, `${card}-${n}`, card, n)).toBe('Accepted');
  };

  it('keeps at most a bounded number of one charger\'s transactions as uses of a card, so a start elsewhere reads only those', async () => {
    await connected('CP-HOSTILE-1');
    await connected('CP-HONEST-1');
    await createIdToken(h.deps, { value: 'CARD-VICTIM-1' });
    await startMany('CP-HOSTILE-1', 'CARD-VICTIM-1', USES_KEPT_PER_CHARGER + 8);
    const { uses } = await h.deps.stores.tokenUses.read('CARD-VICTIM-1');
    // The newest of them are kept: the charger still holds the card against other chargers while it runs them.
    expect(uses.map((u) => u.transactionId).sort()).toEqual(
      Array.from({ length: USES_KEPT_PER_CHARGER }, (_, i) => `CARD-VICTIM-1-${i + 9}`).sort(),
    );
    expect(await start('CP-HONEST-1', 'FAIR-1', 'CARD-VICTIM-1')).toBe('ConcurrentTx');
  });

  it('bounds them for a card of unlimited concurrent use too (recorded without a decision)', async () => {
    await connected('CP-HOSTILE-2');
    await createIdToken(h.deps, { value: 'CARD-FLEET-2', maxConcurrentTransactions: 'unlimited' });
    await startMany('CP-HOSTILE-2', 'CARD-FLEET-2', USES_KEPT_PER_CHARGER + 4);
    expect((await h.deps.stores.tokenUses.read('CARD-FLEET-2')).uses).toHaveLength(USES_KEPT_PER_CHARGER);
  });
});

describe('connectors a hostile charger makes up', () => {
  it('takes any connector number a StatusNotification names (0-9999), each an item of its own', async () => {
    await connected('CP-HOSTILE-3');
    for (const connectorId of [1, 2, 9_999]) {
      const reply = await h.call('CP-HOSTILE-3', protocol, 'StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId });
      expect(reply[0]).toBe(3);
    }
    expect((await h.deps.stores.connectors.list('CP-HOSTILE-3')).map((c) => c.connectorId)).toEqual([1, 2, 9_999]);
  });

  it('costs a TransactionEvent naming an EVSE without its connector the same, however many connectors its charger made up', async () => {
    const cost = async (chargerId: string) => {
      const before = capacitySnapshot().requests;
      const reply = await h.call(chargerId, protocol, 'TransactionEvent', { ...startedPayload(`${chargerId}-TX`, 'CARD-NONE'), idToken: undefined, evse: { id: 1 } });
      expect(reply[0]).toBe(3);
      return capacitySnapshot().requests - before;
    };
    await connected('CP-FEW-4');
    await connected('CP-HOSTILE-4');
    // As many StatusNotifications would make them; written directly, since a test cannot wait for 1,001 messages.
    const timestamp = new Date().toISOString();
    for (let first = 1; first <= 1_001; first += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, 1_002 - first) }, (_, i) =>
          h.deps.stores.connectors.putStatusIfNewer({ chargerId: 'CP-HOSTILE-4', evseId: 2, connectorId: first + i, status: 'Available', timestamp, messageId: `m${first + i}` }),
        ),
      );
    }
    await h.deps.stores.connectors.putStatusIfNewer({ chargerId: 'CP-HOSTILE-4', evseId: 1, connectorId: 1, status: 'Available', timestamp, messageId: 'm0' });
    await h.deps.stores.connectors.putStatusIfNewer({ chargerId: 'CP-FEW-4', evseId: 1, connectorId: 1, status: 'Available', timestamp, messageId: 'm0' });
    expect(await cost('CP-HOSTILE-4')).toBe(await cost('CP-FEW-4'));
  });
});

describe('numbers DynamoDB cannot store', () => {
  // The store keeps numbers from 1E-130 to Number.MAX_SAFE_INTEGER in magnitude; JSON (and OCPP's "number") allows more.
  const readings = (value: number) => [{ timestamp: new Date().toISOString(), sampledValue: [{ value, measurand: 'Energy.Active.Import.Register' }] }];
  it.each([1e20, -1e308, 1e-200])('refuses a 2.x reading of %s with PropertyConstraintViolation, not InternalError on every retry', async (value) => {
    await connected(`CP-HOSTILE-5-${value}`);
    const reply = await h.call(`CP-HOSTILE-5-${value}`, protocol, 'MeterValues', { evseId: 1, meterValue: readings(value) });
    expect(reply.slice(0, 3)).toEqual([4, expect.any(String), 'PropertyConstraintViolation']);
  });

  it('refuses such a number anywhere in a payload, customData too', async () => {
    await connected('CP-HOSTILE-6');
    const started = { ...startedPayload('BIG-1', 'CARD-NONE'), idToken: undefined, customData: { vendorId: 'x', big: 1e300 } };
    expect((await h.call('CP-HOSTILE-6', protocol, 'TransactionEvent', started)).slice(0, 3)).toEqual([4, expect.any(String), 'PropertyConstraintViolation']);
  });

  it('takes the largest and smallest numbers it can store', async () => {
    await connected('CP-FAIR-7');
    for (const value of [Number.MAX_SAFE_INTEGER, 1e-130, 0, -0.5]) expect([value, (await h.call('CP-FAIR-7', protocol, 'MeterValues', { evseId: 1, meterValue: readings(value) })).slice(0, 3)]).toEqual([value, [3, expect.any(String), {}]]);
  });
});

describe('energy figures DynamoDB cannot store', () => {
  const stopWith = (value: string) => ({ meterStop: 5, timestamp: new Date().toISOString(), transactionData: [{ timestamp: new Date().toISOString(), sampledValue: [{ value }] }] });
  it('records a 1.6 stop whose reading reads as a number beyond them (the register is left out, the text kept)', async () => {
    await connected('CP-HOSTILE-8');
    await createIdToken(h.deps, { value: 'CARD-8' });
    const started = await h.call('CP-HOSTILE-8', 'ocpp1.6', 'StartTransaction', { connectorId: 1, idTag: 'CARD-8', meterStart: 0, timestamp: new Date().toISOString() });
    const transactionId = (started[2] as { transactionId: number }).transactionId;
    expect((await h.call('CP-HOSTILE-8', 'ocpp1.6', 'StopTransaction', { transactionId, ...stopWith('1e30') }))[0]).toBe(3);
    expect(await h.deps.stores.transactions.get('CP-HOSTILE-8', String(transactionId))).toMatchObject({ status: 'ended' });
  });

  it('records a 2.x reading whose multiplier makes the register one (the register is left out)', async () => {
    await connected('CP-HOSTILE-9');
    const reading = { timestamp: new Date().toISOString(), sampledValue: [{ value: 5, unitOfMeasure: { unit: 'kWh', multiplier: 40 } }] };
    expect((await h.call('CP-HOSTILE-9', protocol, 'MeterValues', { evseId: 1, meterValue: [reading] }))[0]).toBe(3);
  });
});

describe('payloads nested deep', () => {
  const nested = (depth: number): unknown => (depth === 0 ? 'x' : { a: nested(depth - 1) });
  // DynamoDB keeps maps nested 32 levels; a timeline entry holds a DataTransfer's data two levels below its top.
  it('answers every depth with its answer or FormatViolation, never InternalError', async () => {
    await connected('CP-HOSTILE-10');
    const answers = new Set<string>();
    for (let depth = 20; depth <= 34; depth++) {
      const started = { eventType: 'Started', seqNo: 0, timestamp: new Date().toISOString(), triggerReason: 'CablePluggedIn', transactionInfo: { transactionId: `DEEP-${depth}` }, customData: { vendorId: 'v', x: nested(depth) } };
      for (const [action, payload] of [['DataTransfer', { vendorId: 'v', data: nested(depth) }], ['TransactionEvent', started]] as const) {
        const reply = await h.call('CP-HOSTILE-10', protocol, action, payload);
        answers.add(reply[0] === 3 ? 'answered' : String(reply[2]));
      }
    }
    expect([...answers].sort()).toEqual(['FormatViolation', 'answered']);
  });
});

describe('property names of Object.prototype', () => {
  it.each(['__proto__', 'constructor'])('refuses a 2.x payload holding a property named %s (in customData), not InternalError on every retry', async (name) => {
    await connected(`CP-HOSTILE-11-${name}`);
    const customData = `{"vendorId":"v","${name}":{"a":1}}`;
    const started = `[2,"p1","TransactionEvent",{"eventType":"Started","seqNo":0,"timestamp":"${new Date().toISOString()}","triggerReason":"CablePluggedIn","transactionInfo":{"transactionId":"P-1"},"customData":${customData}}]`;
    const data = `[2,"p2","DataTransfer",{"vendorId":"v","data":{"${name}":"x"}}]`;
    for (const raw of [started, data]) expect(JSON.parse((await h.send(`CP-HOSTILE-11-${name}`, protocol, raw, undefined, 'accepted'))!).slice(0, 3)).toEqual([4, expect.any(String), 'PropertyConstraintViolation']);
  });

  it.each(['constructor', 'toString', '__proto__'])('answers a DataTransfer for vendor %s UnknownVendorId', async (vendorId) => {
    await connected(`CP-HOSTILE-12-${vendorId}`);
    for (const p of ['ocpp1.6', protocol] as const) {
      expect((await h.call(`CP-HOSTILE-12-${vendorId}`, p, 'DataTransfer', { vendorId }))[2]).toEqual({ status: 'UnknownVendorId' });
    }
  });
});

describe('a transaction of many events', () => {
  // A session sampled every few seconds, or a charger counting on: the record lists the newest seqNos only, so its
  // size, and what each event's write costs, stay as they were at the start (before, each seqNo grew the record).
  it('keeps the record, and the write units of each event, as small at the 400th event as at the 2nd', async () => {
    await connected('CP-LONG-1');
    await createIdToken(h.deps, { value: 'CARD-LONG-1' });
    expect(await start('CP-LONG-1', 'LONG-1', 'CARD-LONG-1')).toBe('Accepted');
    const updated = async (seqNo: number) => {
      const before = capacitySnapshot().writeUnits;
      const payload = {
        eventType: 'Updated',
        seqNo,
        timestamp: new Date().toISOString(),
        triggerReason: 'MeterValuePeriodic',
        transactionInfo: { transactionId: 'LONG-1', chargingState: 'Charging' },
        meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: 1000 + seqNo }] }],
      };
      expect((await h.call('CP-LONG-1', protocol, 'TransactionEvent', payload)).slice(0, 3)).toEqual([3, expect.any(String), {}]);
      return capacitySnapshot().writeUnits - before;
    };
    const early = [await updated(1), await updated(2)];
    const late: number[] = [];
    for (let seqNo = 3; seqNo <= 400; seqNo++) late.push(await updated(seqNo));
    const record = await h.deps.stores.transactions.get('CP-LONG-1', 'LONG-1');
    expect(record).toMatchObject({ status: 'active', lastSeqNo: 400 });
    expect(record!.seqNos!.length).toBeLessThanOrEqual(SEQNOS_KEPT);
    expect(Math.max(...late.slice(-40))).toBe(early[1]);
    // An event older than the newest the record lists counts as sent again: answered, nothing changed.
    expect((await h.call('CP-LONG-1', protocol, 'TransactionEvent', { ...startedPayload('LONG-1', 'CARD-LONG-1'), eventType: 'Updated', seqNo: 5 }))[0]).toBe(3);
    expect(await h.deps.stores.transactions.get('CP-LONG-1', 'LONG-1')).toEqual(record);
  });
});
