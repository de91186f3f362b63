import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { runId, startE2e, type E2e } from '../support/e2e.ts';
import { closed, exchange, openSocket, refusal } from '../support/ws-client.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';

let e: E2e;
let password = '';
const CP = `CP-E2E-16-${runId}`;
const now = () => new Date().toISOString();

beforeAll(async () => {
  e = await startE2e();
  password = await e.register({ chargerId: CP });
  await createIdToken(e.deps, { value: 'CARD-1' });
});
afterAll(async () => e?.runtime.stop());

describe('connecting a 1.6 charger to the local runtime', () => {
  it('refuses an unknown charger, a wrong password and missing credentials with 401', async () => {
    const url = e.runtime.chargerUrl(`CP-NOBODY-${runId}`);
    expect((await refusal(url, { protocols: ['ocpp1.6'], basic: `CP-NOBODY-${runId}:whatever-password` })).status).toBe(401);
    expect((await refusal(e.runtime.chargerUrl(CP), { protocols: ['ocpp1.6'], basic: `${CP}:wrong` })).status).toBe(401);
    expect((await refusal(e.runtime.chargerUrl(CP), { protocols: ['ocpp1.6'] })).status).toBe(401);
  });

  it('refuses a charger that offers no OCPP version we speak', async () => {
    expect((await refusal(e.runtime.chargerUrl(CP), { protocols: ['ocpp1.5'], basic: `${CP}:${password}` })).status).toBe(400);
  });

  it('refuses ids the edge cannot accept before any authorizer runs', async () => {
    expect((await refusal(e.runtime.chargerUrl('x'.repeat(49)), { protocols: ['ocpp1.6'], basic: `x:${password}` })).status).toBe(400);
  });

  it('negotiates the highest version offered', async () => {
    const ws = await openSocket(e.runtime.chargerUrl(CP), { protocols: ['ocpp1.6', 'ocpp2.0.1'], basic: `${CP}:${password}` });
    expect(ws.protocol).toBe('ocpp2.0.1');
    ws.close();
    await closed(ws);
  });
});

describe('a 1.6 charger session, with a strict independent OCPP client', () => {
  let client: RPCClient;
  beforeAll(async () => {
    client = await e.client(CP, password, ['ocpp1.6']);
  });
  afterAll(async () => client?.close());

  it('boots, heartbeats, reports status, authorizes, charges with meter values and stops', async () => {
    expect(client.protocol).toBe('ocpp1.6');
    expect(await client.call('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1', firmwareVersion: '1.0' })).toMatchObject({ status: 'Accepted', interval: 300 });
    expect(await client.call('Heartbeat', {})).toHaveProperty('currentTime');
    expect(await client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' })).toEqual({});
    expect(await client.call('Authorize', { idTag: 'CARD-1' })).toEqual({ idTagInfo: { status: 'Accepted' } });

    const start = { connectorId: 1, idTag: 'CARD-1', meterStart: 500, timestamp: now() };
    const started = (await client.call('StartTransaction', start)) as { transactionId: number };
    // The same StartTransaction again (the charger did not see our answer) gets the same id.
    expect(await client.call('StartTransaction', start)).toEqual(started);

    await client.call('MeterValues', {
      connectorId: 1,
      transactionId: started.transactionId,
      meterValue: [{ timestamp: now(), sampledValue: [{ value: '900', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: '11000', measurand: 'Power.Active.Import', unit: 'W' }] }],
    });
    expect(
      await client.call('StopTransaction', { transactionId: started.transactionId, meterStop: 1700, timestamp: now(), reason: 'Local', idTag: 'CARD-1' }),
    ).toEqual({ idTagInfo: { status: 'Accepted' } });

    const tx = await e.deps.stores.transactions.get(CP, String(started.transactionId));
    expect(tx).toMatchObject({ status: 'ended', meterStartWh: 500, meterStopWh: 1700, energyWh: 1200, idToken: 'CARD-1' });
    expect(await e.deps.stores.meterValues.listOfTransaction(CP, String(started.transactionId))).toHaveLength(1);
    expect(await e.deps.stores.chargers.get(CP)).toMatchObject({ vendor: 'ACME', firmwareVersion: '1.0' });
    expect(await e.deps.stores.presence.get(CP)).toMatchObject({ connected: true, protocol: 'ocpp1.6' });
  });
});

describe('malformed frames on a live connection', () => {
  it('answers each with the right CALLERROR and keeps the connection open', async () => {
    const ws = await openSocket(e.runtime.chargerUrl(CP), { protocols: ['ocpp1.6'], basic: `${CP}:${password}` });
    expect((await exchange(ws, 'this is not json')).slice(0, 3)).toEqual([4, '-1', 'FormationViolation']);
    expect((await exchange(ws, '[2,"m1","Teleport",{}]')).slice(0, 3)).toEqual([4, 'm1', 'NotImplemented']);
    expect((await exchange(ws, '[2,"m2","Authorize",{}]')).slice(0, 3)).toEqual([4, 'm2', 'OccurenceConstraintViolation']);
    expect((await exchange(ws, '[2,"m3","Authorize",{"idTag":123456789012345678901234}]')).slice(0, 3)).toEqual([4, 'm3', 'TypeConstraintViolation']);
    expect((await exchange(ws, '[2,"m4","StatusNotification",{"connectorId":1,"errorCode":"Oops","status":"Available"}]')).slice(0, 3)).toEqual([4, 'm4', 'PropertyConstraintViolation']);
    // Still connected and served.
    expect(await exchange(ws, '[2,"m5","Heartbeat",{}]')).toEqual([3, 'm5', { currentTime: expect.any(String) }]);
    ws.close();
    await closed(ws);
  });

  it('closes a message over API Gateway’s 128 KB limit with 1009, as API Gateway does', async () => {
    const ws = await openSocket(e.runtime.chargerUrl(CP), { protocols: ['ocpp1.6'], basic: `${CP}:${password}` });
    const done = closed(ws);
    ws.send(JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(130 * 1024) }]));
    expect((await done).code).toBe(1009);
  });
});

describe('a second connection for the same charger', () => {
  it('replaces the first: the old socket is closed and the new one is served', async () => {
    const first = await e.client(CP, password, ['ocpp1.6']);
    const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = await e.client(CP, password, ['ocpp1.6']);
    await firstClosed;
    expect(await second.call('Heartbeat', {})).toHaveProperty('currentTime');
    const presence = await e.deps.stores.presence.get(CP);
    expect(presence?.connected).toBe(true);
    await second.close();
  });
});
