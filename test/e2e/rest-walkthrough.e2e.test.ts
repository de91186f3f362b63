/**
 * The README's REST walkthrough against a started local runtime: a real access token from the Cognito stand-in, the
 * local REST host and the real handlers, and a strict OCPP client as the charger. An operator creates a location, a
 * charger at it and a card; the charger connects and charges; the operator sees it connected, its connectors, the
 * transaction and its meter values; blocking the card makes the charger's next Authorize Blocked.
 */
import type { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../bin/local/runtime.ts';
import { ocppClient, runId, startE2e, type E2e } from '../support/e2e.ts';
import { signIn } from '../support/operator-tokens.ts';

let e: E2e;
let runtime: LocalRuntime;
let token = '';
let charger: RPCClient | undefined;
const CP = `CP-REST-${runId}`;
const LOCATION = `LIS-${runId}`;
const CARD = `CARD-${runId}`;

const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${runtime.restUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), body: text ? (JSON.parse(text) as Record<string, any>) : {} }; // tests read any answer
};

beforeAll(async () => {
  e = await startE2e();
  runtime = e.runtime as LocalRuntime;
  token = (await signIn(runtime.userPool, `alice-${runId}`, ['admin'])).accessToken;
});
afterAll(async () => {
  await charger?.close({ force: true });
  await e?.runtime.stop();
});

describe('the REST walkthrough', () => {
  it('registers a location, a charger at it and a card', async () => {
    expect((await api('POST', '/locations', { locationId: LOCATION, name: 'Lisbon depot', timeZone: 'Europe/Lisbon' })).status).toBe(201);
    const created = await api('POST', '/chargers', { chargerId: CP, locationId: LOCATION });
    expect(created.status).toBe(201);
    expect(created.body.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect((await api('POST', '/id-tokens', { type: 'ISO14443', value: CARD, label: 'test card' })).status).toBe(201);
    charger = await ocppClient({ endpoint: runtime.wsUrl, identity: CP, password: created.body.password as string, protocols: ['ocpp1.6'] });
  });

  it('sees the charger connect, report status and charge', async () => {
    const c = charger!;
    expect(await c.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'One' })).toMatchObject({ status: 'Accepted' });
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: new Date().toISOString() });
    const start = (await c.call('StartTransaction', { connectorId: 1, idTag: CARD, meterStart: 100, timestamp: new Date().toISOString() })) as { transactionId: number; idTagInfo: { status: string } };
    expect(start.idTagInfo.status).toBe('Accepted');
    await c.call('MeterValues', {
      connectorId: 1,
      transactionId: start.transactionId,
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '1100', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    await c.call('StopTransaction', { transactionId: start.transactionId, meterStop: 1500, timestamp: new Date().toISOString(), idTag: CARD });

    const seen = await api('GET', `/chargers/${CP}`);
    expect(seen.body).toMatchObject({ chargerId: CP, locationId: LOCATION, presence: { connected: true, protocol: 'ocpp1.6' } });
    const connectors = await api('GET', `/chargers/${CP}/connectors`);
    expect(JSON.stringify(connectors.body)).toContain('Preparing');
    const listed = await api('GET', `/transactions?chargerId=${CP}`);
    expect(listed.body.items).toHaveLength(1);
    const tx = listed.body.items[0] as { transactionId: string };
    expect((await api('GET', `/transactions/${CP}/${tx.transactionId}`)).body).toMatchObject({ meterStartWh: 100, meterStopWh: 1500 });
    const readings = await api('GET', `/transactions/${CP}/${tx.transactionId}/meter-values`);
    expect(JSON.stringify(readings.body.items)).toContain('1100');
    expect((await api('GET', `/transactions?locationId=${LOCATION}`)).body.items).toHaveLength(1);
  });

  it('blocks the card with If-Match, and the charger’s next Authorize is Blocked', async () => {
    const read = await api('GET', `/id-tokens/ISO14443/${CARD}`);
    expect(read.etag).toBeTruthy();
    expect((await api('PATCH', `/id-tokens/ISO14443/${CARD}`, { status: 'blocked' })).status).toBe(428);
    expect((await api('PATCH', `/id-tokens/ISO14443/${CARD}`, { status: 'blocked' }, { 'If-Match': read.etag! })).status).toBe(200);
    expect(await charger!.call('Authorize', { idTag: CARD })).toEqual({ idTagInfo: expect.objectContaining({ status: 'Blocked' }) });
  });
});
