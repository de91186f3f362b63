/**
 * What a simulated charger does, over and over: a realistic session per OCPP version. Heartbeats and status
 * around a transaction that is mostly meter values, as on a public charger. Each step checks the answer.
 */
import type { BenchProtocol } from './ocpp-client.ts';

export interface ChargerState {
  chargerId: string;
  /** Each simulated charger has its own card: one card in two sessions at once is refused as ConcurrentTx. */
  idTag: string;
  sessions: number;
  wh: number;
  /** 1.6: the id the CSMS gave; 2.x: the id we made. */
  transactionId?: string | number;
  seqNo: number;
  /** Distinct, increasing charger clock for every message (ms resolution). */
  clock: number;
}

export interface Step {
  action: string;
  payload(state: ChargerState): unknown;
  /** A problem with the answer, or undefined when it is right; may update the state. */
  check?(reply: Record<string, unknown>, state: ChargerState): string | undefined;
}

const tick = (s: ChargerState) => new Date((s.clock += 1000)).toISOString();
const meter16 = (s: ChargerState) => [
  {
    timestamp: tick(s),
    sampledValue: [
      { value: String((s.wh += 150)), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
      { value: '11000', measurand: 'Power.Active.Import', unit: 'W' },
      { value: '16.1', measurand: 'Current.Import', unit: 'A', phase: 'L1' },
    ],
  },
];
const meter2 = (s: ChargerState) => [
  {
    timestamp: tick(s),
    sampledValue: [
      { value: (s.wh += 150), measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic' },
      { value: 11000, measurand: 'Power.Active.Import' },
    ],
  },
];

const accepted = (path: string) => (r: Record<string, unknown>) => {
  const status = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], r);
  return status === 'Accepted' ? undefined : `${path} is ${String(status)}`;
};

const BOOT16: Step = { action: 'BootNotification', payload: () => ({ chargePointVendor: 'Bench', chargePointModel: 'Load-16' }), check: accepted('status') };
const BOOT2: Step = { action: 'BootNotification', payload: () => ({ reason: 'PowerUp', chargingStation: { vendorName: 'Bench', model: 'Load-2' } }), check: accepted('status') };
export const bootStep = (p: BenchProtocol): Step => (p === 'ocpp1.6' ? BOOT16 : BOOT2);

const heartbeat: Step = { action: 'Heartbeat', payload: () => ({}), check: (r) => (typeof r.currentTime === 'string' ? undefined : 'no currentTime') };
const empty = (r: Record<string, unknown>) => (Object.keys(r).length === 0 ? undefined : `unexpected ${JSON.stringify(r)}`);

const status16 = (status: string): Step => ({
  action: 'StatusNotification',
  payload: (s) => ({ connectorId: 1, errorCode: 'NoError', status, timestamp: tick(s) }),
  check: empty,
});
const status2 = (connectorStatus: string): Step => ({
  action: 'StatusNotification',
  payload: (s) => ({ timestamp: tick(s), connectorStatus, evseId: 1, connectorId: 1 }),
  check: empty,
});

const ocpp16: Step[] = [
  heartbeat,
  status16('Preparing'),
  { action: 'Authorize', payload: (s) => ({ idTag: s.idTag }), check: accepted('idTagInfo.status') },
  {
    action: 'StartTransaction',
    payload: (s) => ({ connectorId: 1, idTag: s.idTag, meterStart: s.wh, timestamp: tick(s) }),
    check: (r, s) => {
      if (typeof r.transactionId !== 'number') return 'no transactionId';
      s.transactionId = r.transactionId;
      return accepted('idTagInfo.status')(r);
    },
  },
  ...Array.from({ length: 6 }, (): Step => ({
    action: 'MeterValues',
    payload: (s) => ({ connectorId: 1, transactionId: s.transactionId, meterValue: meter16(s) }),
    check: empty,
  })),
  {
    action: 'StopTransaction',
    payload: (s) => ({ transactionId: s.transactionId, meterStop: s.wh, timestamp: tick(s), reason: 'EVDisconnected' }),
    check: (r, s) => {
      s.sessions += 1;
      return empty(r);
    },
  },
  status16('Available'),
];

const txEvent = (eventType: 'Started' | 'Updated' | 'Ended'): Step => ({
  action: 'TransactionEvent',
  payload: (s) => {
    if (eventType === 'Started') {
      s.transactionId = `${s.chargerId}-${s.sessions}`;
      s.seqNo = 0;
    }
    return {
      eventType,
      timestamp: tick(s),
      triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
      seqNo: s.seqNo++,
      transactionInfo: {
        transactionId: s.transactionId,
        chargingState: eventType === 'Ended' ? 'Idle' : 'Charging',
        ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}),
      },
      ...(eventType === 'Started' ? { idToken: { idToken: s.idTag, type: 'ISO14443' }, evse: { id: 1, connectorId: 1 } } : {}),
      meterValue: meter2(s),
    };
  },
  check: (r, s) => {
    if (eventType === 'Ended') s.sessions += 1;
    return eventType === 'Started' ? accepted('idTokenInfo.status')(r) : empty(r);
  },
});

const ocpp2: Step[] = [
  heartbeat,
  status2('Occupied'),
  { action: 'Authorize', payload: (s) => ({ idToken: { idToken: s.idTag, type: 'ISO14443' } }), check: accepted('idTokenInfo.status') },
  txEvent('Started'),
  ...Array.from({ length: 3 }, (): Step => ({ action: 'MeterValues', payload: (s) => ({ evseId: 1, meterValue: meter2(s) }), check: empty })),
  txEvent('Updated'),
  txEvent('Updated'),
  txEvent('Updated'),
  txEvent('Ended'),
  status2('Available'),
];

export const sessionSteps: Readonly<Record<BenchProtocol, readonly Step[]>> = { 'ocpp1.6': ocpp16, 'ocpp2.0.1': ocpp2 };

export const freshState = (chargerId: string, idTag: string, clockStart: number): ChargerState => ({
  chargerId,
  idTag,
  sessions: 0,
  wh: 10_000,
  seqNo: 0,
  clock: clockStart,
});
