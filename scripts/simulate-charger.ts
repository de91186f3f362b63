/**
 * `npm run simulate -- --id CP-1 --password <pw> [--protocol ocpp1.6|ocpp2.0.1] [--url ws://127.0.0.1:8080/ocpp]
 *   [--id-tag TAG-1] [--stay] [--answer accept|reject|error|silent] [--answer-delay <ms>]`: a charger that boots,
 * reports status, authorizes, runs one transaction with meter values and stops, printing every exchange. With
 * `--stay` it boots, reports its connector Available and stays connected, heartbeating, until Ctrl-C. Either way it
 * answers every CALL the CSMS sends as `--answer` says (simulator/replies.ts), and carries out the file transfers it
 * accepted (simulator/file-transfers.ts: log uploads as `--upload multipart|put|post`, firmware downloads). It uses
 * ocpp-rpc in strict mode, so it also checks our answers.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions } from 'ocpp-rpc/lib/client.js';
import { answerCsmsCalls } from './simulator/answer-calls.ts';
import { ANSWER_MODES, DEFAULT_STATION } from './simulator/replies.ts';
import { transferAfter, UPLOAD_STYLES, type UploadStyle } from './simulator/file-transfers.ts';
import type { AnswerMode, SimulatorProtocol, StationFacts } from './simulator/replies.ts';

const USAGE =
  'usage: npm run simulate -- --id <chargeBoxId> --password <password> [--protocol ocpp1.6|ocpp2.0.1] [--url <ws url>] [--id-tag <tag>]\n'
  + '         [--stay] [--answer accept|reject|error|silent] [--answer-delay <ms>] [--upload multipart|put|post]';

/** The options, or the usage (with what was wrong) and exit 2; `--help` prints the usage and exits 0. */
const parseOptions = () => {
  try {
    return parseArgs({
      options: {
        id: { type: 'string' },
        password: { type: 'string' },
        protocol: { type: 'string', default: 'ocpp1.6' },
        url: { type: 'string', default: 'ws://127.0.0.1:8080/ocpp' },
        'id-tag': { type: 'string', default: 'TAG-1' },
        stay: { type: 'boolean', default: false },
        answer: { type: 'string', default: 'accept' },
        'answer-delay': { type: 'string', default: '0' },
        upload: { type: 'string', default: 'multipart' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return process.exit(2);
  }
};
const values = parseOptions();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const isUploadStyle = (style: string): style is UploadStyle => (UPLOAD_STYLES as readonly string[]).includes(style);
const isAnswerMode = (mode: string): mode is AnswerMode => (ANSWER_MODES as readonly string[]).includes(mode);
const answerDelayMs = Number(values['answer-delay']);
if (!values.id || !values.password || !['ocpp1.6', 'ocpp2.0.1'].includes(values.protocol) || !isAnswerMode(values.answer)
  || !Number.isSafeInteger(answerDelayMs) || answerDelayMs < 0 || !isUploadStyle(values.upload)) {
  console.error(USAGE);
  process.exit(2);
}
const idTag = values['id-tag'];
const answerMode = values.answer;
const uploadStyle = values.upload;

// ocpp-rpc's typings mark every option required although the library defaults them.
const client = new RPCClient({
  endpoint: values.url,
  identity: values.id,
  password: values.password,
  protocols: [values.protocol],
  strictMode: true,
  reconnect: false,
} as RPC_ClientOptions);
// What GetConfiguration / GetVariables report; the boot answer sets the interval.
const station: StationFacts = { ...DEFAULT_STATION };
const transfers = { chargerId: values.id, upload: uploadStyle, call: (action: string, payload: unknown) => call(action, payload), print: (line: string) => console.log(line) };
answerCsmsCalls(client, {
  mode: answerMode,
  delayMs: answerDelayMs,
  station: () => station,
  print: (line) => console.log(line),
  onAnswered: (action, request, result) => {
    transferAfter(client.protocol as SimulatorProtocol, action, request, result, transfers)
      ?.run()
      .catch((error: unknown) => console.error(`${action} transfer failed: ${error instanceof Error ? error.message : String(error)}`));
  },
});

const call = async (action: string, payload: unknown): Promise<Record<string, unknown>> => {
  const answer = (await client.call(action, payload)) as Record<string, unknown>;
  console.log(`→ ${action} ${JSON.stringify(payload)}\n← ${JSON.stringify(answer)}`);
  return answer;
};
const now = () => new Date().toISOString();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const BOOT: Record<SimulatorProtocol, object> = {
  'ocpp1.6': { chargePointVendor: 'Simulator', chargePointModel: 'Sim-16', firmwareVersion: '1.0.0' },
  'ocpp2.0.1': { reason: 'PowerUp', chargingStation: { vendorName: 'Simulator', model: 'Sim-201', firmwareVersion: '1.0.0' } },
};
const available: Record<SimulatorProtocol, () => object> = {
  'ocpp1.6': () => ({ connectorId: 1, errorCode: 'NoError', status: 'Available' }),
  'ocpp2.0.1': () => ({ timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 }),
};

const session16 = async () => {
  await call('BootNotification', BOOT['ocpp1.6']);
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
  await call('StatusNotification', available['ocpp1.6']());
  return transactionId;
};

const session201 = async () => {
  const transactionId = `sim-${Date.now()}`;
  const energy = (wh: number) => [{ timestamp: now(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }];
  await call('BootNotification', BOOT['ocpp2.0.1']);
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
  await call('StatusNotification', available['ocpp2.0.1']());
  return transactionId;
};

/**
 * --stay: boot (again after the interval while the CSMS answers Pending or Rejected), report the connector
 * Available, then heartbeat at the boot interval until `stop` fires. CSMS calls are answered throughout.
 */
const stayConnected = async (protocol: SimulatorProtocol, stop: AbortSignal) => {
  for (;;) {
    const { status, interval } = await call('BootNotification', BOOT[protocol]);
    // 0 would mean "no heartbeat" to a timer; keep the default then.
    if (typeof interval === 'number' && interval > 0) station.heartbeatIntervalSeconds = interval;
    if (status === 'Accepted') break;
    console.log(`boot ${String(status)}: booting again in ${station.heartbeatIntervalSeconds} s`);
    await sleep(station.heartbeatIntervalSeconds * 1000, undefined, { signal: stop });
  }
  await call('StatusNotification', available[protocol]());
  const heartbeats = setInterval(() => {
    call('Heartbeat', {}).catch((error: unknown) => console.error(`heartbeat failed: ${error instanceof Error ? error.message : String(error)}`));
  }, station.heartbeatIntervalSeconds * 1000);
  console.log(`\nstaying connected: heartbeat every ${station.heartbeatIntervalSeconds} s, answering the CSMS's calls (--answer ${answerMode}`
    + `${answerDelayMs > 0 ? `, after ${answerDelayMs} ms` : ''}). Ctrl-C to stop.`);
  try {
    if (!stop.aborted) await once(stop, 'abort');
  } finally {
    clearInterval(heartbeats);
  }
};

/** Why --stay ended: Ctrl-C is a normal end, the CSMS closing the connection is not. */
class StayEnded extends Error {
  override readonly name = 'StayEnded';
  constructor(message: string, readonly exitCode: number) { super(message); }
}
const stop = new AbortController();
try {
  await client.connect();
  console.log(`connected as ${values.id}, subprotocol ${client.protocol}`);
  const protocol = client.protocol as SimulatorProtocol;
  if (values.stay) {
    process.once('SIGINT', () => stop.abort(new StayEnded('stopped (Ctrl-C)', 0)));
    client.once('close', ({ code, reason }: { code: number; reason: Buffer | string }) =>
      stop.abort(new StayEnded(`the CSMS closed the connection (${code}${String(reason) ? ` ${String(reason)}` : ''})`, 1)));
    await stayConnected(protocol, stop.signal);
    throw stop.signal.reason; // ends below, as a call cut off by the close does
  }
  const transactionId = protocol === 'ocpp1.6' ? await session16() : await session201();
  console.log(`\ndone. See it stored:  npm run cli -- tx show ${values.id} ${transactionId}`);
} catch (error) {
  // A call in flight when the connection closes fails with ocpp-rpc's own error: the stop reason says why.
  const ended = stop.signal.reason instanceof StayEnded ? stop.signal.reason : error;
  if (ended instanceof StayEnded) console.log(`\n${ended.message}`);
  else console.error(`simulation failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = ended instanceof StayEnded ? ended.exitCode : 1;
} finally {
  await client.close();
}
