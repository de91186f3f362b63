/**
 * `npm run simulate -- --id CP-1 --password <pw> [--protocol ocpp1.6|ocpp2.0.1] [--url ws://127.0.0.1:8080/ocpp]
 *   [--id-tag TAG-1]`: a charger that boots, reports status, authorizes, runs one transaction with meter values
 * and stops, printing every exchange. It uses ocpp-rpc in strict mode, so it also checks our answers.
 */
import { parseArgs } from 'node:util';
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions } from 'ocpp-rpc/lib/client.js';

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    password: { type: 'string' },
    protocol: { type: 'string', default: 'ocpp1.6' },
    url: { type: 'string', default: 'ws://127.0.0.1:8080/ocpp' },
    'id-tag': { type: 'string', default: 'TAG-1' },
  },
});
if (!values.id || !values.password || !['ocpp1.6', 'ocpp2.0.1'].includes(values.protocol)) {
  console.error('usage: npm run simulate -- --id <chargeBoxId> --password <password> [--protocol ocpp1.6|ocpp2.0.1] [--url <ws url>] [--id-tag <tag>]');
  process.exit(2);
}
const idTag = values['id-tag'];

// ocpp-rpc's typings mark every option required although the library defaults them.
const client = new RPCClient({
  endpoint: values.url,
  identity: values.id,
  password: values.password,
  protocols: [values.protocol],
  strictMode: true,
  reconnect: false,
} as RPC_ClientOptions);

const call = async (action: string, payload: unknown): Promise<Record<string, unknown>> => {
  const answer = (await client.call(action, payload)) as Record<string, unknown>;
  console.log(`→ ${action} ${JSON.stringify(payload)}\n← ${JSON.stringify(answer)}`);
  return answer;
};
const now = () => new Date().toISOString();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const session16 = async () => {
  await call('BootNotification', { chargePointVendor: 'Simulator', chargePointModel: 'Sim-16', firmwareVersion: '1.0.0' });
  await call('Heartbeat', {});
  await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
  await call('Authorize', { idTag });
  const { transactionId } = await call('StartTransaction', { connectorId: 1, idTag, meterStart: 10_000, timestamp: now() });
  await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
  for (const wh of [10_500, 11_000]) {
    await pause(200);
    await call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: [{ timestamp: now(), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: '7400', measurand: 'Power.Active.Import', unit: 'W' }] }],
    });
  }
  await call('StopTransaction', { transactionId, meterStop: 11_200, timestamp: now(), reason: 'Local', idTag });
  await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  return transactionId;
};

const session201 = async () => {
  const transactionId = `sim-${Date.now()}`;
  const energy = (wh: number) => [{ timestamp: now(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }];
  await call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Simulator', model: 'Sim-201', firmwareVersion: '1.0.0' } });
  await call('Heartbeat', {});
  await call('StatusNotification', { timestamp: now(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
  await call('Authorize', { idToken: { idToken: idTag, type: 'ISO14443' } });
  const event = (eventType: string, seqNo: number, triggerReason: string, wh: number, info: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    call('TransactionEvent', { eventType, seqNo, triggerReason, timestamp: now(), transactionInfo: { transactionId, ...info }, meterValue: energy(wh), ...extra });
  await event('Started', 0, 'Authorized', 10_000, { chargingState: 'EVConnected' }, { idToken: { idToken: idTag, type: 'ISO14443' }, evse: { id: 1, connectorId: 1 } });
  await pause(200);
  await event('Updated', 1, 'MeterValuePeriodic', 10_500, { chargingState: 'Charging' });
  await pause(200);
  await event('Ended', 2, 'StopAuthorized', 11_200, { chargingState: 'Idle', stoppedReason: 'Local' });
  await call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
  return transactionId;
};

try {
  await client.connect();
  console.log(`connected as ${values.id}, subprotocol ${client.protocol}`);
  const transactionId = client.protocol === 'ocpp1.6' ? await session16() : await session201();
  console.log(`\ndone. See it stored:  npm run cli -- tx show ${values.id} ${transactionId}`);
} catch (error) {
  console.error(`simulation failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await client.close();
}
