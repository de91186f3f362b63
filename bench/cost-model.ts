/**
 * Dollars per charger per month on AWS list prices, from a workload profile and the per-message figures the bench
 * measured. Pure: prices, profiles and fallback estimates live in pricing.ts.
 *
 * What is counted (per charger; fleet-wide fixed costs such as idle SQS polling or dashboards are left out):
 * - API Gateway: every frame in and every frame out is a message (a route response is one too), each metered in
 *   32 KB increments; connection minutes for the connected share of a 730 h month. $connect/$disconnect carry no
 *   frame, so their byte sizes are 0 and they add no message.
 * - Lambda: requests and GB-seconds (billed duration rounded up to the millisecond, arm64), the answering handlers'
 *   and those of the consumers a message wakes after its answer (stream and queue handlers).
 * - DynamoDB on-demand: read and write request units as measured (they include the message log's writes), and
 *   storage: charger state, the message log for its retention, each kind of history for its retention, and
 *   transactions for the whole of `historyMonths`.
 * - CloudWatch Logs: bytes each invocation logs, ingested and kept for the log retention.
 * - CloudFront in front of the WebSocket API: one HTTPS request and one CloudFront Function per connection, frames
 *   as data transfer (to the origin for charger frames, to the internet for CSMS frames).
 * - SQS FIFO: requests per command. @connections calls are counted but not priced: the frame they send is already
 *   an API Gateway message.
 * GB means 2^30 bytes, as DynamoDB and AWS data transfer meter it.
 */
import {
  DEFAULT_ACTION_COSTS,
  GENERIC_ACTION_COST,
  STORED_BYTES_PER_MESSAGE,
  MODEL,
  PRICES,
  type Kept,
  type ModelConstants,
  type Prices,
  type WorkloadProfile,
} from './pricing.ts';
import { DEFAULT_RETENTION } from '#shared/store/retention.ts';

/** Measured per OCPP action by the bench (the caller passes them in). */
export interface ActionCost {
  /** DynamoDB RRU per message (eventually consistent reads count 0.5). */
  readRequestUnits: number;
  /** DynamoDB WRU per message, all tables. */
  writeRequestUnits: number;
  /** Per message (authorizer and connect handler on $connect, $default per frame). */
  lambdaInvocations: number;
  /** Billed duration estimate per invocation (the caller passes the measured local handler latency). */
  lambdaMsPerInvocation: number;
  memoryMb: number;
  /** Frame from the charger, in bytes (0: no frame). */
  inBytes: number;
  /** Frame to the charger, in bytes (0: no frame). */
  outBytes: number;
  /** @connections calls per message. */
  connectionsApiCalls: number;
  /** SQS requests per message (CSMS-initiated commands). @default 0 */
  sqsRequests?: number;
  /**
   * Lambda work the message causes after its answer (stream and queue consumers), per message, at each consumer's
   * own memory; its DynamoDB units belong in the read and write units above. @default none
   */
  afterAnswer?: { lambdaInvocations: number; lambdaGbSeconds: number };
}

export const COST_LINES = [
  'apiGatewayMessages',
  'apiGatewayConnectionMinutes',
  'lambdaRequests',
  'lambdaCompute',
  'dynamodbReads',
  'dynamodbWrites',
  'dynamodbStorage',
  'cloudwatchLogs',
  'cloudfront',
  'sqs',
] as const;
export type CostLine = (typeof COST_LINES)[number];

/** Usage behind the dollars, per charger per month. */
export interface MonthlyVolumes {
  apiGatewayMessages: number;
  connectionMinutes: number;
  connections: number;
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  readRequestUnits: number;
  writeRequestUnits: number;
  storageGb: number;
  logGb: number;
  bytesToOrigin: number;
  bytesToCharger: number;
  sqsRequests: number;
  connectionsApiCalls: number;
}

export interface CostBreakdown {
  perMonth: Record<CostLine, number>;
  total: number;
  /** API Gateway messages billed per month (both directions, 32 KB increments). */
  messagesPerMonth: number;
  actionsPerMonth: Record<string, number>;
  volumes: MonthlyVolumes;
  /** Actions not in `measured`: their figures are estimates from pricing.ts. */
  estimated: string[];
  assumptions: { profile: WorkloadProfile; region: string; pricesAsOf: string; model: ModelConstants };
}

const GB = 1024 ** 3;
const MILLION = 1_000_000;

/** How many times each action happens in a month for one charger of this profile (zero counts left out). */
export const monthlyActions = (profile: WorkloadProfile, model: ModelConstants = MODEL): Record<string, number> => {
  const hours = model.hoursPerMonth * profile.connectedFraction;
  const days = model.hoursPerMonth / 24;
  const reconnects = hours / profile.reconnectIntervalHours;
  const sessions = profile.sessionsPerDay * days;
  const meterSamples = ((profile.chargingHoursPerDay * 3600) / profile.meterValueIntervalSeconds) * days;
  const v16 = profile.protocol === 'ocpp1.6';
  const counts: Record<string, number> = {
    $connect: reconnects,
    $disconnect: reconnects,
    BootNotification: profile.bootsPerMonth,
    Heartbeat: (hours * 3600) / profile.heartbeatIntervalSeconds,
    StatusNotification: reconnects * profile.statusNotificationsPerReconnect + sessions * profile.statusNotificationsPerSession,
    Authorize: sessions * profile.authorizePerSession,
    StartTransaction: v16 ? sessions : 0,
    StopTransaction: v16 ? sessions : 0,
    MeterValues: v16 ? meterSamples : 0,
    // 2.0.1: Started, Ended, charging-state updates and one Updated per meter sample.
    TransactionEvent: v16 ? 0 : sessions * (2 + profile.extraTransactionUpdatesPerSession) + meterSamples,
    command: profile.commandsPerDay * days,
  };
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
};

const framesOf = (bytes: number, incrementBytes: number) => (bytes > 0 ? Math.ceil(bytes / incrementBytes) : 0);

const emptyVolumes = (): MonthlyVolumes => ({
  apiGatewayMessages: 0,
  connectionMinutes: 0,
  connections: 0,
  lambdaInvocations: 0,
  lambdaGbSeconds: 0,
  readRequestUnits: 0,
  writeRequestUnits: 0,
  storageGb: 0,
  logGb: 0,
  bytesToOrigin: 0,
  bytesToCharger: 0,
  sqsRequests: 0,
  connectionsApiCalls: 0,
});

interface Context {
  profile: WorkloadProfile;
  prices: Prices;
  model: ModelConstants;
}

/** Adds `count` occurrences of one action to the running volumes; returns the bytes it stores for good. */
const addAction = (v: MonthlyVolumes, ctx: Context, action: string, count: number, cost: ActionCost): number => {
  const { prices, model, profile } = ctx;
  const framesIn = framesOf(cost.inBytes, prices.apiGateway.messageIncrementBytes);
  const framesOut = framesOf(cost.outBytes, prices.apiGateway.messageIncrementBytes);
  const later = cost.afterAnswer ?? { lambdaInvocations: 0, lambdaGbSeconds: 0 };
  const invocations = count * (cost.lambdaInvocations + later.lambdaInvocations);
  v.apiGatewayMessages += count * (framesIn + framesOut);
  v.lambdaInvocations += invocations;
  v.lambdaGbSeconds += count * (cost.lambdaInvocations * (Math.ceil(cost.lambdaMsPerInvocation) / 1000) * (cost.memoryMb / 1024) + later.lambdaGbSeconds);
  v.readRequestUnits += count * cost.readRequestUnits;
  v.writeRequestUnits += count * cost.writeRequestUnits;
  v.logGb += (invocations * model.logBytesPerInvocation) / GB;
  v.bytesToOrigin += count * (cost.inBytes + framesIn * model.frameOverheadBytes);
  v.bytesToCharger += count * (cost.outBytes + framesOut * model.frameOverheadBytes);
  v.sqsRequests += count * (cost.sqsRequests ?? 0);
  v.connectionsApiCalls += count * cost.connectionsApiCalls;
  const loggedBytes = count * (cost.inBytes + cost.outBytes + (framesIn + framesOut) * model.messageLogItemOverheadBytes);
  const days = model.hoursPerMonth / 24;
  const messageLogBytes = loggedBytes * Math.min(1, profile.messageLogRetentionDays / days);
  // A month's facts stay for as many months as their retention allows, within the priced horizon.
  const retention = profile.retention ?? DEFAULT_RETENTION;
  const monthsKept = (kept: Kept) => (kept === 'forGood' ? profile.historyMonths : Math.min(profile.historyMonths, retention[kept] / days));
  const stored = Object.entries(STORED_BYTES_PER_MESSAGE[action] ?? {}) as [Kept, number][];
  return messageLogBytes + stored.reduce((sum, [kept, bytes]) => sum + count * bytes * monthsKept(kept), 0);
};

const lookup = (measured: Readonly<Record<string, ActionCost>>, action: string) =>
  measured[action] ?? DEFAULT_ACTION_COSTS[action] ?? GENERIC_ACTION_COST;

const volumesOf = (ctx: Context, actions: Record<string, number>, measured: Readonly<Record<string, ActionCost>>) => {
  const v = emptyVolumes();
  let storedBytes = ctx.model.stateBytesPerCharger;
  for (const [action, count] of Object.entries(actions)) storedBytes += addAction(v, ctx, action, count, lookup(measured, action));
  v.storageGb = storedBytes / GB;
  v.connectionMinutes = ctx.model.hoursPerMonth * 60 * ctx.profile.connectedFraction;
  v.connections = actions.$connect ?? 0;
  v.bytesToOrigin += v.connections * ctx.model.handshakeBytes.toOrigin;
  v.bytesToCharger += v.connections * ctx.model.handshakeBytes.toCharger;
  return v;
};

const priceOf = (v: MonthlyVolumes, prices: Prices, model: ModelConstants): Record<CostLine, number> => {
  const logDaysShare = model.logRetentionDays / (model.hoursPerMonth / 24);
  const cf = prices.cloudfront;
  return {
    apiGatewayMessages: (v.apiGatewayMessages / MILLION) * prices.apiGateway.websocketMessagesPerMillion,
    apiGatewayConnectionMinutes: (v.connectionMinutes / MILLION) * prices.apiGateway.connectionMinutesPerMillion,
    lambdaRequests: (v.lambdaInvocations / MILLION) * prices.lambda.requestsPerMillion,
    lambdaCompute: v.lambdaGbSeconds * prices.lambda.arm64PerGbSecond,
    dynamodbReads: (v.readRequestUnits / MILLION) * prices.dynamodb.readRequestUnitsPerMillion,
    dynamodbWrites: (v.writeRequestUnits / MILLION) * prices.dynamodb.writeRequestUnitsPerMillion,
    dynamodbStorage: v.storageGb * prices.dynamodb.storagePerGbMonth,
    cloudwatchLogs: v.logGb * (prices.cloudwatchLogs.ingestionPerGb + logDaysShare * prices.cloudwatchLogs.storagePerGbMonth),
    cloudfront:
      v.connections * (cf.httpsRequestsPer10k / 10_000 + cf.functionInvocationsPerMillion / MILLION) +
      (v.bytesToOrigin / GB) * cf.dataTransferOutToOriginPerGb +
      (v.bytesToCharger / GB) * cf.dataTransferOutToInternetPerGb,
    sqs: (v.sqsRequests / MILLION) * prices.sqs.fifoRequestsPerMillion,
  };
};

/**
 * $ per charger per month for `profile`, using `measured` figures per action ('$connect', 'Heartbeat', …, and
 * 'command' for a CSMS-initiated CALL). Actions missing from `measured` use pricing.ts's estimates and are listed
 * in `estimated`.
 */
export function costPerChargerMonth(
  profile: WorkloadProfile,
  measured: Readonly<Record<string, ActionCost>>,
  prices: Prices = PRICES,
  model: ModelConstants = MODEL,
): CostBreakdown {
  const actionsPerMonth = monthlyActions(profile, model);
  const volumes = volumesOf({ profile, prices, model }, actionsPerMonth, measured);
  const perMonth = priceOf(volumes, prices, model);
  return {
    perMonth,
    total: COST_LINES.reduce((sum, line) => sum + perMonth[line], 0),
    messagesPerMonth: volumes.apiGatewayMessages,
    actionsPerMonth,
    volumes,
    estimated: Object.keys(actionsPerMonth).filter((a) => !(a in measured)).sort(),
    assumptions: { profile, region: prices.region, pricesAsOf: prices.asOf, model },
  };
}

const LINE_LABELS: Record<CostLine, string> = {
  apiGatewayMessages: 'API Gateway messages',
  apiGatewayConnectionMinutes: 'API Gateway connection minutes',
  lambdaRequests: 'Lambda requests',
  lambdaCompute: 'Lambda compute (arm64)',
  dynamodbReads: 'DynamoDB reads',
  dynamodbWrites: 'DynamoDB writes',
  dynamodbStorage: 'DynamoDB storage',
  cloudwatchLogs: 'CloudWatch Logs',
  cloudfront: 'CloudFront',
  sqs: 'SQS FIFO',
};

/** Dollars with 4 significant digits, never in exponent notation. */
export const formatDollars = (value: number): string => {
  if (value === 0) return '$0';
  const decimals = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return `$${value.toFixed(Math.min(decimals, 20))}`;
};

/** A Markdown table: one column per result, one row per cost line, then the total and the message count. */
export function formatCostTable(results: Readonly<Record<string, CostBreakdown>>): string {
  const names = Object.keys(results);
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const cell = (f: (b: CostBreakdown) => string) => names.map((n) => f(results[n] as CostBreakdown));
  const lines = [
    row(['$ per charger per month', ...names]),
    row(['---', ...names.map(() => '---:')]),
    ...COST_LINES.map((line) => row([LINE_LABELS[line], ...cell((b) => formatDollars(b.perMonth[line]))])),
    row(['**total**', ...cell((b) => `**${formatDollars(b.total)}**`)]),
    row(['API Gateway messages / month', ...cell((b) => Math.round(b.messagesPerMonth).toLocaleString('en-US'))]),
  ];
  const notes = names
    .filter((n) => (results[n] as CostBreakdown).estimated.length > 0)
    .map((n) => `- ${n}: estimated, not measured: ${(results[n] as CostBreakdown).estimated.join(', ')}`);
  const region = names.length > 0 ? (results[names[0] as string] as CostBreakdown).assumptions.region : PRICES.region;
  return [...lines, '', `List prices, ${region}.`, ...notes].join('\n');
}
