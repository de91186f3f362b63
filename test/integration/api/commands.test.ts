/**
 * What `POST /chargers/{id}/commands` refuses before anything is recorded or queued, through the real handler
 * against DynamoDB Local: commands OCPP forbids before acceptance, and commands only an admin may send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChargerRoute, setChargerRegistrationRoute } from '#functions/api/chargers/routes.ts';
import { listChargerCommandsRoute, sendCommandRoute } from '#functions/api/commands/routes.ts';
import { machineClaims, personClaims } from '../../support/api-harness.ts';
import { startChargerApi, type ChargerApiHarness } from './charger-api-harness.ts';

const operator = personClaims('otto', ['operator']);
const writer = machineClaims('fleet', ['csms/write']);

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

describe('POST /chargers/{id}/commands that choose where and how the charger connects', () => {
  const elsewhere = 'wss://elsewhere.example/ocpp';
  const profile = { ocppInterface: 'Wired0', ocppTransport: 'JSON', messageTimeout: 30, ocppCsmsUrl: elsewhere, securityProfile: 2 };
  // An operator could point the charger at a host they run, where it presents its current password, or (2.1) set one.
  it.each([
    ['CP-NET-1', 'ocpp2.0.1', 'SetNetworkProfile', { configurationSlot: 2, connectionData: { ...profile, ocppVersion: 'OCPP20' } }],
    ['CP-NET-2', 'ocpp2.1', 'SetNetworkProfile', { configurationSlot: 2, connectionData: { ...profile, basicAuthPassword: 'an-operator-chosen-pw-1' } }],
    ['CP-NET-3', 'ocpp2.0.1', 'SetVariables', { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' }, attributeValue: '2,1' }] }],
    ['CP-NET-4', 'ocpp2.1', 'SetVariables', { setVariableData: [{ component: { name: 'networkconfiguration', instance: '2' }, variable: { name: 'OcppCsmsUrl' }, attributeValue: elsewhere }] }],
  ] as const)('%s: refuses a %s %s %j to an operator and a machine client (403), recording nothing', async (chargerId, protocol, action, payload) => {
    expect((await api.call(createChargerRoute, { body: { chargerId, defaultProtocol: protocol } })).status).toBe(201);

    for (const claims of [operator, writer]) {
      const sent = await api.call(sendCommandRoute, { params: { chargerId }, body: { action, payload }, claims });
      expect(sent.status).toBe(403);
      expect(sent.body.detail).toMatch(/needs the admin role/);
    }
    expect((await api.call(listChargerCommandsRoute, { params: { chargerId } })).body.items).toEqual([]);
  });

  it('lets an admin send SetNetworkProfile: past the role check, its payload is checked next', async () => {
    const chargerId = 'CP-NET-ADMIN';
    expect((await api.call(createChargerRoute, { body: { chargerId, defaultProtocol: 'ocpp2.0.1' } })).status).toBe(201);
    const sent = await api.call(sendCommandRoute, { params: { chargerId }, body: { action: 'SetNetworkProfile', payload: { configurationSlot: 2 } } });
    expect(sent.status).toBe(422);
    expect(sent.body.detail).toMatch(/connectionData/);
  });

  it('leaves other SetVariables to operators', async () => {
    const chargerId = 'CP-NET-OTHER';
    expect((await api.call(createChargerRoute, { body: { chargerId, defaultProtocol: 'ocpp2.0.1' } })).status).toBe(201);
    // An invalid payload answers 422 past the role check, before anything would be queued.
    const other = { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] };
    const sent = await api.call(sendCommandRoute, { params: { chargerId }, body: { action: 'SetVariables', payload: other }, claims: operator });
    expect(sent.status).toBe(422);
  });
});
