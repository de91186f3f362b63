import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { runId, startE2e, type E2e } from '../support/e2e.ts';
import { closed, exchange, openSocket, refusal } from '../support/ws-client.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';

let e: E2e;
let password = '';
let password21 = '';
const CP = `CP-E2E-201-${runId}`;
const CP21 = `CP-E2E-21-${runId}`;

beforeAll(async () => {
  e = await startE2e();
  password = await e.register({ chargerId: CP });
  password21 = await e.register({ chargerId: CP21 });
  await createIdToken(e.deps, { value: 'EMAID-1', tokenType: 'eMAID' });
});
afterAll(async () => e?.runtime.stop());

const energy = (timestamp: string, wh: number) => [
  { timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic' }] },
];

describe('a 2.0.1 charger session, with a strict independent OCPP client', () => {
  let client: RPCClient;
  beforeAll(async () => {
    client = await e.client(CP, password, ['ocpp2.0.1']);
  });
  afterAll(async () => client?.close());

  it('boots, reports EVSE status and authorizes', async () => {
    expect(client.protocol).toBe('ocpp2.0.1');
    expect(await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } })).toMatchObject({ status: 'Accepted' });
    await client.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    expect(await client.call('Authorize', { idToken: { idToken: 'EMAID-1', type: 'eMAID' } })).toEqual({ idTokenInfo: { status: 'Accepted' } });
  });

  it('runs a transaction through Started, Updated and Ended, and merges a replay of it', async () => {
    const t0 = Date.now();
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const started = {
      eventType: 'Started', timestamp: at(0), triggerReason: 'Authorized', seqNo: 0,
      transactionInfo: { transactionId: 'e2e-tx-1', chargingState: 'EVConnected' },
      idToken: { idToken: 'EMAID-1', type: 'eMAID' }, evse: { id: 1, connectorId: 1 }, meterValue: energy(at(0), 2000),
    };
    const updated = {
      eventType: 'Updated', timestamp: at(60), triggerReason: 'MeterValuePeriodic', seqNo: 1,
      transactionInfo: { transactionId: 'e2e-tx-1', chargingState: 'Charging' }, meterValue: energy(at(60), 2600),
    };
    const ended = {
      eventType: 'Ended', timestamp: at(120), triggerReason: 'StopAuthorized', seqNo: 2,
      transactionInfo: { transactionId: 'e2e-tx-1', stoppedReason: 'Local', chargingState: 'Idle' }, meterValue: energy(at(120), 3100),
    };
    expect(await client.call('TransactionEvent', started)).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect((await e.deps.stores.connectors.list(CP)).find((c) => c.evseId === 1)?.activeTransactionId).toBe('e2e-tx-1');
    await client.call('TransactionEvent', updated);
    await client.call('TransactionEvent', ended);
    // After a reconnect the charger replays its queue, out of order.
    for (const event of [updated, started, ended]) await client.call('TransactionEvent', { ...event, offline: true });

    expect((await e.deps.stores.transactions.listOfCharger(CP)).items).toHaveLength(1);
    expect(await e.deps.stores.transactions.get(CP, 'e2e-tx-1')).toMatchObject({
      status: 'ended', seqNos: [0, 1, 2], energyWh: 1100, stopReason: 'Local', version: 3,
    });
    expect((await e.deps.stores.connectors.list(CP)).find((c) => c.evseId === 1)?.activeTransactionId).toBeUndefined();
  });
});

describe('refusals and malformed frames for a 2.0.1 charger', () => {
  it('refuses a wrong password and an unknown charger with 401', async () => {
    expect((await refusal(e.runtime.chargerUrl(CP), { protocols: ['ocpp2.0.1'], basic: `${CP}:not-the-password` })).status).toBe(401);
    expect((await refusal(e.runtime.chargerUrl(`NOBODY-${runId}`), { protocols: ['ocpp2.0.1'], basic: `NOBODY-${runId}:whatever-password` })).status).toBe(401);
  });

  it('answers each malformed frame with the 2.0.1 CALLERROR and keeps the connection open', async () => {
    const ws = await openSocket(e.runtime.chargerUrl(CP), { protocols: ['ocpp2.0.1'], basic: `${CP}:${password}` });
    expect((await exchange(ws, '{{{')).slice(0, 3)).toEqual([4, '-1', 'RpcFrameworkError']);
    expect((await exchange(ws, '[2,"x1","NoSuchAction",{}]')).slice(0, 3)).toEqual([4, 'x1', 'NotImplemented']);
    expect((await exchange(ws, '[2,"x2","Authorize",{}]')).slice(0, 3)).toEqual([4, 'x2', 'OccurrenceConstraintViolation']);
    expect((await exchange(ws, '[2,"x3","Heartbeat",[]]')).slice(0, 3)).toEqual([4, 'x3', 'FormatViolation']);
    expect((await exchange(ws, '[2,"x4","StatusNotification",{"timestamp":"2026-01-01T00:00:00Z","connectorStatus":"Occupied","evseId":"one","connectorId":1}]')).slice(0, 3)).toEqual([4, 'x4', 'TypeConstraintViolation']);
    expect((await exchange(ws, '[2,"x5","StatusNotification",{"timestamp":"2026-01-01T00:00:00Z","connectorStatus":"Dancing","evseId":1,"connectorId":1}]')).slice(0, 3)).toEqual([4, 'x5', 'PropertyConstraintViolation']);
    expect((await exchange(ws, '[9,"x6","Heartbeat",{}]')).slice(0, 3)).toEqual([4, 'x6', 'MessageTypeNotSupported']);
    expect(await exchange(ws, '[2,"x7","Heartbeat",{}]')).toEqual([3, 'x7', { currentTime: expect.any(String) }]);
    ws.close();
    await closed(ws);
  });
});

describe('a 2.1 charger (raw frames: the independent client has no 2.1 schemas)', () => {
  it('negotiates ocpp2.1, boots, and gets 2.x error codes', async () => {
    const ws = await openSocket(e.runtime.chargerUrl(CP21), { protocols: ['ocpp2.1', 'ocpp2.0.1'], basic: `${CP21}:${password21}` });
    expect(ws.protocol).toBe('ocpp2.1');
    const boot = await exchange(ws, [2, 'b1', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } }]);
    expect(boot).toEqual([3, 'b1', { currentTime: expect.any(String), interval: 300, status: 'Accepted' }]);
    expect((await exchange(ws, '[2,"b2","Authorize",{"idToken":{"idToken":"x"}}]')).slice(0, 3)).toEqual([4, 'b2', 'OccurrenceConstraintViolation']);
    expect((await exchange(ws, '[2,"b3","Heartbeat",{}]'))[0]).toBe(3);
    ws.close();
    await closed(ws);
  });
});
