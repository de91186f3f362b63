/**
 * What `POST /chargers/{id}/commands` refuses before anything is recorded or queued, through the real handler
 * against DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChargerRoute, setChargerRegistrationRoute } from '#functions/api/chargers/routes.ts';
import { listChargerCommandsRoute, sendCommandRoute } from '#functions/api/commands/routes.ts';
import { startChargerApi, type ChargerApiHarness } from './charger-api-harness.ts';

let api: ChargerApiHarness;
beforeAll(async () => {
  api = await startChargerApi();
});
afterAll(async () => api?.close());

describe('POST /chargers/{id}/commands to a charger the CSMS has not accepted', () => {
  it.each([
    ['ocpp1.6', 'RemoteStartTransaction', { idTag: 'TAG-1', connectorId: 1 }],
    ['ocpp1.6', 'RemoteStopTransaction', { transactionId: 7 }],
    ['ocpp2.0.1', 'RequestStartTransaction', { idToken: { idToken: 'TAG-1', type: 'ISO14443' }, remoteStartId: 1 }],
    ['ocpp2.0.1', 'RequestStopTransaction', { transactionId: 'TX-1' }],
  ] as const)('refuses a %s %s with 409 while the charger is pending (1.6 §4.2, 2.0.1 B02), recording nothing', async (protocol, action, payload) => {
    const chargerId = `CP-PENDING-${action}`;
    expect((await api.call(createChargerRoute, { body: { chargerId, defaultProtocol: protocol } })).status).toBe(201);
    expect((await api.call(setChargerRegistrationRoute, { params: { chargerId }, body: { status: 'pending' } })).status).toBe(200);

    const sent = await api.call(sendCommandRoute, { params: { chargerId }, body: { action, payload } });
    expect(sent.status).toBe(409);
    expect(sent.body.detail).toMatch(/pending/);
    expect((await api.call(listChargerCommandsRoute, { params: { chargerId } })).body.items).toEqual([]);
  });
});
