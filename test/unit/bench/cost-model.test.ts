import { describe, expect, it } from 'vitest';
import { costPerChargerMonth, formatCostTable, formatDollars, monthlyActions, type ActionCost } from '../../../bench/cost-model.ts';
import { MODEL, PRICES, WORKLOADS, type ModelConstants, type WorkloadProfile } from '../../../bench/pricing.ts';
import { DEFAULT_RETENTION } from '#shared/store/retention.ts';

const GB = 1024 ** 3;

const cost = (overrides: Partial<ActionCost> = {}): ActionCost => ({
  readRequestUnits: 0,
  writeRequestUnits: 1,
  lambdaInvocations: 1,
  lambdaMsPerInvocation: 20,
  memoryMb: 512,
  inBytes: 40,
  outBytes: 80,
  connectionsApiCalls: 0,
  ...overrides,
});

/** Exactly 1,000 heartbeats a month over an always-open connection, and nothing else. */
const thousandHeartbeats: WorkloadProfile = {
  ...WORKLOADS.idle,
  name: 'synthetic',
  heartbeatIntervalSeconds: (730 * 3600) / 1000,
  reconnectIntervalHours: Number.POSITIVE_INFINITY,
  statusNotificationsPerReconnect: 0,
  bootsPerMonth: 0,
  messageLogRetentionDays: 0,
  historyMonths: 0,
};
/** No overheads, so every byte and invocation of the hand computation is visible. */
const bareModel: ModelConstants = {
  ...MODEL,
  logBytesPerInvocation: 0,
  frameOverheadBytes: 0,
  handshakeBytes: { toOrigin: 0, toCharger: 0 },
  stateBytesPerCharger: 0,
};

/** Plausible measured figures for what an idle charger does. */
const idleMeasured: Record<string, ActionCost> = {
  Heartbeat: cost(),
  $connect: cost({
    readRequestUnits: 1,
    writeRequestUnits: 2,
    lambdaInvocations: 2,
    lambdaMsPerInvocation: 30,
    memoryMb: 256,
    inBytes: 0,
    outBytes: 0,
  }),
  $disconnect: cost({ writeRequestUnits: 2, memoryMb: 256, inBytes: 0, outBytes: 0 }),
  StatusNotification: cost({ writeRequestUnits: 2, inBytes: 180, outBytes: 40 }),
  BootNotification: cost({ writeRequestUnits: 2, inBytes: 300, outBytes: 120 }),
};

describe('monthlyActions', () => {
  it('counts an idle charger: 5-minute heartbeats and a reconnect every 2 h with a status per connector', () => {
    expect(monthlyActions(WORKLOADS.idle)).toEqual({
      $connect: 365,
      $disconnect: 365,
      BootNotification: 1,
      Heartbeat: 8_760,
      StatusNotification: 730,
    });
  });
  it('counts a busy 1.6 charger: a meter value a minute while charging, 4 sessions and 5 commands a day', () => {
    const days = 730 / 24;
    const actions = monthlyActions(WORKLOADS.busyPublic);
    expect(actions.MeterValues).toBeCloseTo(480 * days, 6);
    expect(actions.StartTransaction).toBeCloseTo(4 * days, 6);
    expect(actions.StopTransaction).toBeCloseTo(4 * days, 6);
    expect(actions.Authorize).toBeCloseTo(4 * days, 6);
    expect(actions.StatusNotification).toBeCloseTo(730 + 16 * days, 6);
    expect(actions.command).toBeCloseTo(5 * days, 6);
    expect(actions.TransactionEvent).toBeUndefined();
  });
  it('sends the meter samples of a 2.0.1 charger as TransactionEvent instead of MeterValues', () => {
    const days = 730 / 24;
    const actions = monthlyActions(WORKLOADS.busyPublic201);
    expect(actions.TransactionEvent).toBeCloseTo((4 * 4 + 480) * days, 6);
    expect(actions.MeterValues).toBeUndefined();
    expect(actions.StartTransaction).toBeUndefined();
  });
});

describe('costPerChargerMonth', () => {
  it('prices 1,000 heartbeats of 1 WRU each as computed by hand', () => {
    const result = costPerChargerMonth(thousandHeartbeats, { Heartbeat: cost() }, PRICES, bareModel);
    expect(result.perMonth).toEqual({
      apiGatewayMessages: expect.closeTo(2_000 * 1e-6, 12), // a frame in, a route response out
      apiGatewayConnectionMinutes: expect.closeTo(43_800 * 0.25e-6, 12),
      lambdaRequests: expect.closeTo(1_000 * 0.2e-6, 12),
      lambdaCompute: expect.closeTo(1_000 * 0.02 * 0.5 * 0.0000133334, 12), // 10 GB-s
      dynamodbReads: 0,
      dynamodbWrites: expect.closeTo(1_000 * 0.625e-6, 12),
      dynamodbStorage: 0,
      cloudwatchLogs: 0,
      cloudfront: expect.closeTo((40_000 * 0.02 + 80_000 * 0.085) / GB, 15),
      sqs: 0,
    });
    expect(result.total).toBeCloseTo(0.002 + 0.01095 + 0.0002 + 0.000133334 + 0.000625 + 7_600 / GB, 12);
    expect(result.messagesPerMonth).toBeCloseTo(2_000, 6);
    expect(result.estimated).toEqual([]);
  });

  it('prices stored history only for its retention, and transactions for the whole horizon', () => {
    const days = 730 / 24;
    const oneSessionAMonth: WorkloadProfile = { ...thousandHeartbeats, protocol: 'ocpp1.6', sessionsPerDay: 1 / days, chargingHoursPerDay: 0, historyMonths: 24 };
    const measured = { Heartbeat: cost(), StartTransaction: cost(), StopTransaction: cost() };
    const storage = (retention?: WorkloadProfile['retention']) =>
      costPerChargerMonth({ ...oneSessionAMonth, ...(retention ? { retention } : {}) }, measured, PRICES, bareModel).volumes.storageGb * GB;
    // One start (1,300 B kept for good) and one stop (300 B kept, 600 B of meter values) a month, over 24 months.
    const kept = (1_300 + 300) * 24;
    expect(storage({ ...DEFAULT_RETENTION, meterValuesDays: 730 })).toBeCloseTo(kept + 600 * Math.min(24, 730 / days), 6);
    expect(storage({ ...DEFAULT_RETENTION, meterValuesDays: 30 })).toBeCloseTo(kept + 600 * (30 / days), 6);
  });

  it('prices the invocations a message causes after its answer at their own GB-seconds, and logs them', () => {
    const model: ModelConstants = { ...bareModel, logBytesPerInvocation: GB / 1_000, logRetentionDays: 0 };
    const later = cost({ afterAnswer: { lambdaInvocations: 0.5, lambdaGbSeconds: 0.004 } });
    const without = costPerChargerMonth(thousandHeartbeats, { Heartbeat: cost() }, PRICES, model);
    const withLater = costPerChargerMonth(thousandHeartbeats, { Heartbeat: later }, PRICES, model);
    expect(withLater.volumes.lambdaInvocations - without.volumes.lambdaInvocations).toBeCloseTo(500, 9);
    expect(withLater.volumes.lambdaGbSeconds - without.volumes.lambdaGbSeconds).toBeCloseTo(4, 9);
    expect(withLater.perMonth.cloudwatchLogs - without.perMonth.cloudwatchLogs).toBeCloseTo(0.5 * 0.5, 9); // 500 invocations of 1/1000 GB
    expect(withLater.total).toBeGreaterThan(without.total);
  });

  it('meters a frame over 32 KB as two messages', () => {
    const big = costPerChargerMonth(thousandHeartbeats, { Heartbeat: cost({ inBytes: 33 * 1024 }) }, PRICES, bareModel);
    expect(big.messagesPerMonth).toBeCloseTo(3_000, 6);
  });

  it('prices SQS requests, @connections calls and the log bytes of a command', () => {
    const commandsOnly: WorkloadProfile = { ...thousandHeartbeats, heartbeatIntervalSeconds: Number.POSITIVE_INFINITY, commandsPerDay: 24 };
    const model: ModelConstants = { ...bareModel, logBytesPerInvocation: GB / 1_000, logRetentionDays: 0 };
    const command = cost({ lambdaInvocations: 2, connectionsApiCalls: 1, sqsRequests: 3, inBytes: 80, outBytes: 250 });
    const result = costPerChargerMonth(commandsOnly, { command }, PRICES, model);
    expect(result.actionsPerMonth).toEqual({ command: 730 });
    expect(result.perMonth.sqs).toBeCloseTo(730 * 3 * 0.5e-6, 12);
    expect(result.perMonth.cloudwatchLogs).toBeCloseTo(1.46 * 0.5, 9); // 1,460 invocations of 1/1000 GB
    expect(result.volumes.connectionsApiCalls).toBeCloseTo(730, 9);
    expect(result.messagesPerMonth).toBeCloseTo(1_460, 9); // the CALL out and the CALLRESULT in
  });

  it('costs more when a charger sends more messages', () => {
    const every5min = costPerChargerMonth(WORKLOADS.idle, idleMeasured);
    const every150s = costPerChargerMonth({ ...WORKLOADS.idle, heartbeatIntervalSeconds: 150 }, idleMeasured);
    const busy = costPerChargerMonth(WORKLOADS.busyPublic, idleMeasured);
    expect(every150s.messagesPerMonth).toBeGreaterThan(every5min.messagesPerMonth);
    expect(every150s.total).toBeGreaterThan(every5min.total);
    expect(busy.total).toBeGreaterThan(every5min.total);
  });

  it('flags every action it had to estimate and still prices it', () => {
    const result = costPerChargerMonth(WORKLOADS.busyPublic, { Heartbeat: cost() });
    expect(result.estimated).toEqual([
      '$connect',
      '$disconnect',
      'Authorize',
      'BootNotification',
      'MeterValues',
      'StartTransaction',
      'StatusNotification',
      'StopTransaction',
      'command',
    ]);
    expect(result.perMonth.sqs).toBeGreaterThan(0);
    expect(result.perMonth.dynamodbReads).toBeGreaterThan(0);
  });

  it('puts an idle charger at cents a month, led by API Gateway messages and connection minutes', () => {
    const result = costPerChargerMonth(WORKLOADS.idle, idleMeasured);
    expect(result.total).toBeGreaterThan(0.01);
    expect(result.total).toBeLessThan(0.1);
    expect(result.perMonth.apiGatewayConnectionMinutes).toBeCloseTo(0.01095, 9);
    const ranked = Object.entries(result.perMonth).sort(([, a], [, b]) => b - a).map(([line]) => line);
    expect(ranked.slice(0, 2)).toEqual(['apiGatewayMessages', 'apiGatewayConnectionMinutes']);
  });
});

describe('formatCostTable', () => {
  it('prints one column per profile, dollars to 4 significant digits and the estimated actions', () => {
    const table = formatCostTable({
      idle: costPerChargerMonth(WORKLOADS.idle, idleMeasured),
      busyPublic: costPerChargerMonth(WORKLOADS.busyPublic, idleMeasured),
    });
    const lines = table.split('\n');
    expect(lines[0]).toBe('| $ per charger per month | idle | busyPublic |');
    expect(table).toContain('| API Gateway connection minutes | $0.01095 | $0.01095 |');
    expect(table).toMatch(/\| \*\*total\*\* \| \*\*\$0\.0\d{4}\*\* \|/);
    expect(table).toContain('- busyPublic: estimated, not measured: Authorize, MeterValues, StartTransaction, StopTransaction, command');
    expect(table).not.toContain('- idle:');
  });
  it('writes small and large amounts without exponents', () => {
    expect(formatDollars(0.000000123456)).toBe('$0.0000001235');
    expect(formatDollars(12.3456)).toBe('$12.35');
    expect(formatDollars(0)).toBe('$0');
  });
});
