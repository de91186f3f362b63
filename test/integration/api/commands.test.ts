/**
 * `POST /chargers/{id}/commands` through the real handler against DynamoDB Local and the command queue on fauxqs:
 * what it refuses before anything is recorded or queued (commands OCPP forbids before acceptance, commands only an
 * admin may send), and what an Idempotency-Key makes of a retry and of a key used again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChargerRoute, setChargerRegistrationRoute } from '#functions/api/chargers/routes.ts';
import { listChargerCommandsRoute, sendCommandRoute } from '#functions/api/commands/routes.ts';
import { machineClaims, personClaims } from '../../support/api-harness.ts';
import { encodeCall } from '#shared/ocpp/frames.ts';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '#shared/websocket-limits.ts';
import { updateIdempotencyRecord } from '../../support/api-harness.ts';
import { startChargerApi, type ChargerApiHarness } from './charger-api-harness.ts';

const operator = personClaims('otto', ['operator']);
const writer = machineClaims('fleet', ['csms/write']);

let api: ChargerApiHarness;
beforeAll(async () => {
  api = await startChargerApi({ commandQueue: true });
});
afterAll(async () => api?.close());
const queuedIds = () => api.commandQueue!.queued().map((ref) => ref.commandId);

const newCharger = async (chargerId: string, protocol = 'ocpp1.6') =>
  expect((await api.call(createChargerRoute, { body: { chargerId, defaultProtocol: protocol } })).status).toBe(201);
const commandIdsOf = async (chargerId: string): Promise<string[]> =>
  ((await api.call(listChargerCommandsRoute, { params: { chargerId } })).body.items as { commandId: string }[]).map((c) => c.commandId);

describe('POST /chargers/{id}/commands to a charger the CSMS has not accepted', () => {
  it.each([
    ['ocpp1.6', 'RemoteStartTransaction', { idTag: 'TAG-1', connectorId: 1 }],
    ['ocpp1.6', 'RemoteStopTransaction', { transactionId: 7 }],
    ['ocpp2.0.1', 'RequestStartTransaction', { idToken: { idToken: 'TAG-1', type: 'ISO14443' }, remoteStartId: 1 }],
    ['ocpp2.0.1', 'RequestStopTransaction', { transactionId: 'TX-1' }],
  ] as const)('refuses a %s %s with 409 while the charger is pending (1.6 §4.2, 2.0.1 B02), recording nothing', async (protocol, action, payload) => {
    const chargerId = `CP-PENDING-${action}`;
    await newCharger(chargerId, protocol);
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
    await newCharger(chargerId, protocol);

    for (const claims of [operator, writer]) {
      const sent = await api.call(sendCommandRoute, { params: { chargerId }, body: { action, payload }, claims });
      expect(sent.status).toBe(403);
      expect(sent.body.detail).toMatch(/needs the admin role/);
    }
    expect((await api.call(listChargerCommandsRoute, { params: { chargerId } })).body.items).toEqual([]);
  });

  it('lets an admin send SetNetworkProfile: past the role check, its payload is checked next', async () => {
    const chargerId = 'CP-NET-ADMIN';
    await newCharger(chargerId, 'ocpp2.0.1');
    const sent = await api.call(sendCommandRoute, { params: { chargerId }, body: { action: 'SetNetworkProfile', payload: { configurationSlot: 2 } } });
    expect(sent.status).toBe(422);
    expect(sent.body.detail).toMatch(/connectionData/);
  });

  it('leaves other SetVariables to operators', async () => {
    const chargerId = 'CP-NET-OTHER';
    await newCharger(chargerId, 'ocpp2.0.1');
    // An invalid payload answers 422 past the role check, before anything would be queued.
    const other = { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] };
    const sent = await api.call(sendCommandRoute, { params: { chargerId }, body: { action: 'SetVariables', payload: other }, claims: operator });
    expect(sent.status).toBe(422);
  });
});

describe('POST /chargers/{id}/commands with an Idempotency-Key', () => {
  /** As the table holds the record of `key` once it is past its day, before the TTL removes it. */
  const expireRecord = (key: string) => updateIdempotencyRecord(api, sendCommandRoute, key, 'SET expiresAt = :past', { ':past': 1 });
  const reset = { action: 'Reset', payload: { type: 'Soft' } };
  const inoperative = { action: 'ChangeAvailability', payload: { connectorId: 0, type: 'Inoperative' } };

  it('answers a retry with the first command; used again after its record expired, the key sends the new command', async () => {
    const chargerId = 'CP-IDEM-DAILY';
    await newCharger(chargerId);
    const headers = { 'Idempotency-Key': 'daily-op' };
    const first = await api.call(sendCommandRoute, { params: { chargerId }, body: reset, headers });
    expect(first.status).toBe(202);
    const retry = await api.call(sendCommandRoute, { params: { chargerId }, body: reset, headers });
    expect(retry).toMatchObject({ status: 202, headers: { 'Idempotent-Replayed': 'true' }, body: { commandId: first.body.commandId } });

    await expireRecord('daily-op');
    const next = await api.call(sendCommandRoute, { params: { chargerId }, body: inoperative, headers });
    expect(next.status).toBe(202);
    expect(next.headers['Idempotent-Replayed']).toBeUndefined();
    expect(next.body).toMatchObject({ action: 'ChangeAvailability', status: 'queued' });
    expect(next.body.commandId).not.toBe(first.body.commandId);

    // The same request again, a day later: a new use of the key, so a new command (a retry comes within the day).
    await expireRecord('daily-op');
    const sameAgain = await api.call(sendCommandRoute, { params: { chargerId }, body: inoperative, headers });
    expect(sameAgain.status).toBe(202);
    expect(sameAgain.body.commandId).not.toBe(next.body.commandId);

    expect(await commandIdsOf(chargerId)).toEqual([sameAgain.body.commandId, next.body.commandId, first.body.commandId]);
    expect(queuedIds()).toEqual(expect.arrayContaining([first.body.commandId, next.body.commandId, sameAgain.body.commandId]));
  });

  it('a retry that runs again after its claim was given back finds the command the first attempt recorded', async () => {
    const chargerId = 'CP-IDEM-RELEASED';
    await newCharger(chargerId);
    const headers = { 'Idempotency-Key': 'released-op' };
    const first = await api.call(sendCommandRoute, { params: { chargerId }, body: reset, headers });
    expect(first.status).toBe(202);
    // As a first attempt that recorded its command and then failed (before queueing it) leaves the record.
    await updateIdempotencyRecord(api, sendCommandRoute, 'released-op', 'SET #state = :released REMOVE #response', { ':released': 'released' });
    const retry = await api.call(sendCommandRoute, { params: { chargerId }, body: reset, headers });
    expect(retry.status).toBe(202);
    expect(retry.headers['Idempotent-Replayed']).toBeUndefined();
    expect(retry.body.commandId).toBe(first.body.commandId);
    expect(await commandIdsOf(chargerId)).toEqual([first.body.commandId]);
  });
});

describe('POST /chargers/{id}/commands with a payload too large for one WebSocket message', () => {
  /** A 1.6 DataTransfer whose CALL is `bytes` long (command ids are 36 characters, as a UUID). */
  const dataTransferOf = (bytes: number) => {
    const frame = (data: string) => Buffer.byteLength(encodeCall('0'.repeat(36), 'DataTransfer', { vendorId: 'x', data }));
    return { action: 'DataTransfer', payload: { vendorId: 'x', data: 'a'.repeat(bytes - frame('')) } };
  };

  it('sends a CALL of exactly one message, and refuses one byte more with 422 naming the limit, recording nothing', async () => {
    const chargerId = 'CP-BIG-CALL';
    await newCharger(chargerId);
    const fits = await api.call(sendCommandRoute, { params: { chargerId }, body: dataTransferOf(MAX_WEBSOCKET_MESSAGE_BYTES) });
    expect(fits.status).toBe(202);

    const over = await api.call(sendCommandRoute, { params: { chargerId }, body: dataTransferOf(MAX_WEBSOCKET_MESSAGE_BYTES + 1) });
    expect(over.status).toBe(422);
    expect(over.body.detail).toBe(`The DataTransfer CALL would be ${MAX_WEBSOCKET_MESSAGE_BYTES + 1} bytes: a message to a charger holds at most ${MAX_WEBSOCKET_MESSAGE_BYTES} bytes (API Gateway's WebSocket message quota)`);
    expect(over.body.errors).toEqual([expect.objectContaining({ pointer: '/payload' })]);
    // Past DynamoDB's item size too: refused alike, never a 500.
    expect((await api.call(sendCommandRoute, { params: { chargerId }, body: dataTransferOf(450_000) })).status).toBe(422);
    expect(await commandIdsOf(chargerId)).toEqual([fits.body.commandId]);
  });
});
