/**
 * Quirks real chargers show in the field, as public issue trackers of CSMSs and OCPP libraries report them, through
 * the real $default handler on DynamoDB Local: each is served (tolerated and logged, shared/ocpp/tolerance.ts) where
 * the charger plainly means something, and refused where it does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';

let h: Harness;
const CP = 'CP-QUIRK-16';
const v16 = (action: string, payload: unknown) => h.call(CP, 'ocpp1.6', action, payload);
const transactionIdOf = (reply: unknown[]) => (reply[2] as { transactionId: number }).transactionId;

beforeAll(async () => {
  h = await startHarness();
  await createCharger(h.deps, { chargerId: CP });
  await createIdToken(h.deps, { value: '4711' });
});
afterAll(async () => h?.close());

describe('numbers where OCPP 1.6 wants text (embedded stacks send sampled values and idTags unquoted)', () => {
  it('a whole session with unquoted readings and idTag is served, and its energy counted', async () => {
    const txId = transactionIdOf(await v16('StartTransaction', { connectorId: 1, idTag: 4711, meterStart: 1000, timestamp: '2026-01-03T10:00:00Z' }));
    const reading = (timestamp: string, wh: number) => ({ timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] });
    expect((await v16('MeterValues', { connectorId: 1, transactionId: txId, meterValue: [reading('2026-01-03T10:05:00Z', 1500.5)] }))[0]).toBe(3);
    const stopped = await v16('StopTransaction', {
      transactionId: txId, meterStop: 2500, timestamp: '2026-01-03T10:10:00Z', idTag: 4711, transactionData: [reading('2026-01-03T10:10:00Z', 2500)],
    });
    expect(stopped.slice(0, 3)).toEqual([3, expect.any(String), { idTagInfo: { status: 'Accepted' } }]);
    expect(await h.deps.stores.transactions.get(CP, String(txId))).toMatchObject({ status: 'ended', idToken: '4711', energyWh: 1500 });
    const samples = await h.deps.stores.meterValues.listOfTransaction(CP, String(txId));
    expect(samples.map((s) => [s.energyWh, s.sampledValue[0]?.value])).toEqual([[1500.5, '1500.5'], [2500, '2500']]);
  });
});

describe('time zone offsets of whole hours (ISO 8601 allows them; simulators and some firmware send them)', () => {
  it('a status dated +02 keeps the charger time, in UTC', async () => {
    const sent = new Date(Date.now() - 60_000);
    const local = new Date(sent.getTime() + 2 * 3_600_000).toISOString().slice(0, 19);
    await v16('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available', timestamp: `${local}+02` });
    const connector = (await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === 2);
    expect(connector?.statusTimestamp).toBe(new Date(Math.floor(sent.getTime() / 1000) * 1000).toISOString());
  });
});

describe('1.6 units of the errata that the 1.6 JSON schema lacks (chargers report temperature and grid frequency)', () => {
  it('a stop whose readings say Celsius and Hertz ends its transaction, and the readings are kept', async () => {
    const txId = transactionIdOf(await v16('StartTransaction', { connectorId: 3, idTag: '4711', meterStart: 0, timestamp: '2026-01-04T10:00:00Z' }));
    const stopped = await v16('StopTransaction', {
      transactionId: txId,
      meterStop: 700,
      timestamp: '2026-01-04T10:10:00Z',
      transactionData: [{
        timestamp: '2026-01-04T10:10:00Z',
        sampledValue: [
          { value: '700', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: '41.5', measurand: 'Temperature', unit: 'Celsius' },
          { value: '49.97', measurand: 'Frequency', unit: 'Hertz' },
        ],
      }],
    });
    expect(stopped[0]).toBe(3);
    expect(await h.deps.stores.transactions.get(CP, String(txId))).toMatchObject({ status: 'ended', energyWh: 700 });
    const [sample] = await h.deps.stores.meterValues.listOfTransaction(CP, String(txId));
    expect(sample?.sampledValue.map((v) => [v.measurand, v.value, v.unit])).toEqual([
      ['Energy.Active.Import.Register', '700', 'Wh'], ['Temperature', '41.5', 'Celcius'], ['Frequency', '49.97', undefined],
    ]);
  });
});

describe('one object where OCPP wants an array (some wallbox firmware sends its one meter value bare)', () => {
  it('a bare meter value of a transaction is kept, with its energy', async () => {
    const txId = transactionIdOf(await v16('StartTransaction', { connectorId: 4, idTag: '4711', meterStart: 0, timestamp: '2026-01-05T10:00:00Z' }));
    const meterValue = { timestamp: '2026-01-05T10:05:00Z', sampledValue: [{ value: '0.25', context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'kWh' }] };
    expect((await v16('MeterValues', { connectorId: 4, transactionId: txId, meterValue }))[0]).toBe(3);
    const samples = await h.deps.stores.meterValues.listOfTransaction(CP, String(txId));
    expect(samples.map((s) => [s.timestamp, s.energyWh])).toEqual([['2026-01-05T10:05:00.000Z', 250]]);
  });
});

describe('JSON sent as 1.6 DataTransfer data, which is text (embedded stacks send their payload as an object)', () => {
  it('is answered as any DataTransfer, and kept as its JSON text', async () => {
    const reply = await v16('DataTransfer', { vendorId: 'com.acme', messageId: 'CarId', data: { connectorId: 1, vin: 'WVW123' } });
    expect(reply.slice(0, 3)).toEqual([3, expect.any(String), { status: 'UnknownVendorId' }]);
    const { items } = await h.deps.stores.timeline.list(CP);
    expect(items.find((e) => e.kind === 'DataTransfer')?.payload).toMatchObject({ request: { data: '{"connectorId":1,"vin":"WVW123"}' } });
  });
});

describe('quirks already served, kept so by these tests', () => {
  const send = async (messageId: string, action: string, payload: unknown) =>
    JSON.parse((await h.send(CP, 'ocpp1.6', JSON.stringify([2, messageId, action, payload]))) ?? 'null') as unknown[];

  it('a message id used again after a reboot (embedded stacks restart their counter) is a new message', async () => {
    const first = transactionIdOf(await send('1000003', 'StartTransaction', { connectorId: 5, idTag: '4711', meterStart: 0, timestamp: '2026-01-06T10:00:00Z' }));
    await send('1000004', 'StopTransaction', { transactionId: first, meterStop: 10, timestamp: '2026-01-06T10:05:00Z' });
    const second = transactionIdOf(await send('1000003', 'StartTransaction', { connectorId: 5, idTag: '4711', meterStart: 10, timestamp: '2026-01-06T11:00:00Z' }));
    expect(second).not.toBe(first);
    expect((await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === 5)?.activeTransactionId).toBe(String(second));
  });

  it('a start naming reservation 0 when none is held, and a stop without reason for transaction 0, are served', async () => {
    const started = await v16('StartTransaction', { connectorId: 6, idTag: '4711', meterStart: 0, timestamp: '2026-01-07T10:00:00Z', reservationId: 0 });
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    const txId = transactionIdOf(started);
    // 1.6 §4.10: a stop without reason is Local.
    expect((await v16('StopTransaction', { transactionId: txId, meterStop: 5, timestamp: '2026-01-07T10:05:00Z' }))[0]).toBe(3);
    expect(await h.deps.stores.transactions.get(CP, String(txId))).toMatchObject({ status: 'ended', stopReason: 'Local' });
    // Some chargers stop a session the CSMS never numbered with transaction 0: answered, never refused.
    expect((await v16('StopTransaction', { transactionId: 0, meterStop: 0, timestamp: '2026-01-07T10:06:00Z' }))[0]).toBe(3);
  });

  it('a meter reading without unit or measurand is the energy register in Wh (1.6 defaults), padded text too', async () => {
    const txId = transactionIdOf(await v16('StartTransaction', { connectorId: 7, idTag: '4711', meterStart: 0, timestamp: '2026-01-08T10:00:00Z' }));
    const meterValue = [{ timestamp: '2026-01-08T10:01:00Z', sampledValue: [{ value: '1234' }] }, { timestamp: '2026-01-08T10:02:00Z', sampledValue: [{ value: ' 1600 ', unit: 'Wh' }] }];
    await v16('MeterValues', { connectorId: 7, transactionId: txId, meterValue });
    expect((await h.deps.stores.meterValues.listOfTransaction(CP, String(txId))).map((s) => s.energyWh)).toEqual([1234, 1600]);
  });
});

describe('1.6 serial numbers over the schema limit (a widespread wallbox sends 26 and 34 characters, fixed)', () => {
  it('the charger boots, and its serial numbers are kept exactly', async () => {
    const boot = { chargePointVendor: 'Schneider Electric', chargePointModel: 'EVlink', chargePointSerialNumber: `EVB1A${'7'.repeat(21)}`, chargeBoxSerialNumber: `3N${'0'.repeat(32)}` };
    expect((await v16('BootNotification', boot))[2]).toMatchObject({ status: 'Accepted' });
    expect(await h.deps.stores.chargers.get(CP)).toMatchObject({ serialNumber: boot.chargePointSerialNumber, chargeBoxSerialNumber: boot.chargeBoxSerialNumber });
  });
});
