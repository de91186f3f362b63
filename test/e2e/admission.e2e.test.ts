/**
 * Charger admission end to end on the local runtime: a pending charger limited to BootNotification and Heartbeat,
 * a squatter refused, and an operator's decision closing the live connection through the gateway's @connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionCloser } from '#functions/_common/connections.ts';
import { setRegistration } from '#shared/charger/registry.ts';
import { runId, startE2e, type E2e } from '../support/e2e.ts';
import { closed, exchange, openSocket, refusal } from '../support/ws-client.ts';

let e: E2e;
let management = '';
const PENDING = `PEND-E2E-${runId}`;
const LIVE = `LIVE-E2E-${runId}`;

beforeAll(async () => {
  e = await startE2e({ autoRegister: true, autoRegisterAllow: 'SIM-E2E-*' });
  // The local gateway's @connections (a deployed target would need its stage's callback URL).
  management = (e.runtime as { managementEndpoint?: string }).managementEndpoint ?? '';
  process.env.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI ??= management;
});
afterAll(async () => e?.runtime.stop());

describe('admission on the local runtime', () => {
  it('refuses an unknown id that is not on the allow-list, and registers one that is', async () => {
    expect((await refusal(e.runtime.chargerUrl(`REAL-${runId}`), { protocols: ['ocpp1.6'], basic: `REAL-${runId}:squatters-password-1` })).status).toBe(401);
    const ws = await openSocket(e.runtime.chargerUrl(`SIM-E2E-${runId}`), { protocols: ['ocpp1.6'], basic: `SIM-E2E-${runId}:simulators-password-1` });
    expect((await e.deps.stores.chargers.get(`sim-e2e-${runId}`))?.registrationStatus).toBe('pending');
    ws.close();
    await closed(ws);
  });

  it('answers a pending charger BootNotification and Heartbeat, and SecurityError to MeterValues', async () => {
    const password = await e.register({ chargerId: PENDING, registrationStatus: 'pending' });
    const ws = await openSocket(e.runtime.chargerUrl(PENDING), { protocols: ['ocpp1.6'], basic: `${PENDING}:${password}` });
    expect((await exchange(ws, [2, 'b1', 'BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1' }]))[2]).toMatchObject({ status: 'Pending' });
    expect((await exchange(ws, [2, 'h1', 'Heartbeat', {}]))[0]).toBe(3);
    const meter = await exchange(ws, [2, 'm1', 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '1' }] }] }]);
    expect(meter.slice(0, 3)).toEqual([4, 'm1', 'SecurityError']);
    ws.close();
    await closed(ws);
  });

  it('closes the live connection when the operator rejects the charger, and refuses its reconnect', async () => {
    const password = await e.register({ chargerId: LIVE });
    const ws = await openSocket(e.runtime.chargerUrl(LIVE), { protocols: ['ocpp1.6'], basic: `${LIVE}:${password}` });
    const gone = closed(ws);
    await setRegistration(e.deps, LIVE, 'rejected', { closer: connectionCloser(management) });
    await gone;
    expect((await refusal(e.runtime.chargerUrl(LIVE), { protocols: ['ocpp1.6'], basic: `${LIVE}:${password}` })).status).toBe(403);
  });
});
