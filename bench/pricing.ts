/**
 * Everything the cost model (cost-model.ts) assumes, in one place: AWS list prices, the billing conventions the
 * model relies on, the two workload profiles, and the per-message estimates used when the bench did not measure
 * an action. Plain objects: change a number here, re-run `npm run bench`.
 *
 * Prices: US East (N. Virginia, us-east-1), on-demand list prices, first volume tier, no free tier (free tiers
 * are per account, not per charger), USD. Looked up 2026 (pages read while writing this file):
 * - API Gateway WebSocket: $1.00 per million messages (first 1 billion), $0.25 per million connection minutes;
 *   messages sent *and* received are billed, metered in 32 KB increments. REST API (the operator API): $3.50 per
 *   million requests (first 333 million). https://aws.amazon.com/api-gateway/pricing/
 * - Lambda arm64: $0.20 per million requests, $0.0000133334 per GB-second (first 7.5 billion GB-s); duration
 *   billed per 1 ms. https://aws.amazon.com/lambda/pricing/ (x86 is $0.0000166667).
 * - DynamoDB on-demand, Standard table class, after the 50 % cut of 1 Nov 2024: $0.625 per million write request
 *   units, $0.125 per million read request units; storage $0.25 per GB-month.
 *   https://aws.amazon.com/dynamodb/pricing/on-demand/
 * - SQS FIFO: $0.50 per million requests, each 64 KB chunk of a payload is one request.
 *   https://aws.amazon.com/sqs/pricing/
 * - CloudWatch Logs (Standard class): $0.50 per GB ingested, $0.03 per GB-month stored.
 *   https://aws.amazon.com/cloudwatch/pricing/
 * - CloudFront (United States, Mexico, Canada; first 10 TB): $0.085 per GB out to the internet, $0.020 per GB out
 *   to the origin, $0.0100 per 10,000 HTTPS requests (a WebSocket upgrade is one proxied request; frames after it
 *   are billed as data transfer only), CloudFront Functions $0.10 per million invocations.
 *   https://aws.amazon.com/cloudfront/pricing/
 */
import type { Retention } from '#shared/store/retention.ts';

import type { ActionCost } from './cost-model.ts';

export interface Prices {
  readonly region: string;
  readonly asOf: string;
  readonly apiGateway: {
    readonly websocketMessagesPerMillion: number;
    readonly connectionMinutesPerMillion: number;
    /** A message is metered in increments of this many bytes (a 33 KB message counts as two). */
    readonly messageIncrementBytes: number;
    /** The operator REST API, per request. */
    readonly restRequestsPerMillion: number;
  };
  readonly lambda: { readonly requestsPerMillion: number; readonly arm64PerGbSecond: number };
  readonly dynamodb: {
    readonly writeRequestUnitsPerMillion: number;
    readonly readRequestUnitsPerMillion: number;
    readonly storagePerGbMonth: number;
  };
  readonly sqs: { readonly fifoRequestsPerMillion: number };
  readonly cloudwatchLogs: { readonly ingestionPerGb: number; readonly storagePerGbMonth: number };
  readonly cloudfront: {
    readonly dataTransferOutToInternetPerGb: number;
    readonly dataTransferOutToOriginPerGb: number;
    readonly httpsRequestsPer10k: number;
    readonly functionInvocationsPerMillion: number;
  };
}

export const PRICES: Prices = {
  region: 'us-east-1',
  asOf: '2026 list prices (on-demand, first tier, DynamoDB after the Nov 2024 cut)',
  apiGateway: { websocketMessagesPerMillion: 1.0, connectionMinutesPerMillion: 0.25, messageIncrementBytes: 32 * 1024, restRequestsPerMillion: 3.5 },
  lambda: { requestsPerMillion: 0.2, arm64PerGbSecond: 0.0000133334 },
  dynamodb: { writeRequestUnitsPerMillion: 0.625, readRequestUnitsPerMillion: 0.125, storagePerGbMonth: 0.25 },
  sqs: { fifoRequestsPerMillion: 0.5 },
  cloudwatchLogs: { ingestionPerGb: 0.5, storagePerGbMonth: 0.03 },
  cloudfront: {
    dataTransferOutToInternetPerGb: 0.085,
    dataTransferOutToOriginPerGb: 0.02,
    httpsRequestsPer10k: 0.01,
    functionInvocationsPerMillion: 0.1,
  },
};

/** Conventions and byte-size estimates that hold for every workload. */
export interface ModelConstants {
  /** AWS bills a month as 730 hours. */
  readonly hoursPerMonth: number;
  /** Log bytes one invocation writes to CloudWatch: START/END/REPORT lines (~350 B) and one structured line. */
  readonly logBytesPerInvocation: number;
  readonly logRetentionDays: number;
  /** WebSocket framing and TLS record overhead per frame, counted by CloudFront as data transfer. */
  readonly frameOverheadBytes: number;
  /** HTTP upgrade request (to the origin) and 101 response (to the charger), per connection. */
  readonly handshakeBytes: { readonly toOrigin: number; readonly toCharger: number };
  /** Storage DynamoDB adds per item, plus the message log item's own attributes (keys, time, direction, ids). */
  readonly messageLogItemOverheadBytes: number;
  /** Profile, presence and connector items of one charger. */
  readonly stateBytesPerCharger: number;
}

export const MODEL: ModelConstants = {
  hoursPerMonth: 730,
  logBytesPerInvocation: 600,
  logRetentionDays: 30,
  frameOverheadBytes: 40,
  handshakeBytes: { toOrigin: 700, toCharger: 250 },
  messageLogItemOverheadBytes: 250,
  stateBytesPerCharger: 3_000,
};

export type OcppProtocol = 'ocpp1.6' | 'ocpp2.0.1';

/** What one charger does in a month. Counts derive from these in cost-model.ts (`monthlyActions`). */
export interface WorkloadProfile {
  readonly name: string;
  readonly description: string;
  readonly protocol: OcppProtocol;
  readonly connectors: number;
  /** Share of the month with an open WebSocket (1 = always connected). */
  readonly connectedFraction: number;
  /** Kept below API Gateway's 10 min idle timeout; sent even when other traffic flows (the worst case). */
  readonly heartbeatIntervalSeconds: number;
  /** API Gateway closes every connection after 2 h, so a charger reconnects at least this often. */
  readonly reconnectIntervalHours: number;
  /** A reconnect does not re-boot; the charger reports each connector's status again. */
  readonly statusNotificationsPerReconnect: number;
  /** Real reboots (power loss, firmware, reset), each one BootNotification. */
  readonly bootsPerMonth: number;
  readonly chargingHoursPerDay: number;
  readonly sessionsPerDay: number;
  /** MeterValues (1.6) or TransactionEvent Updated (2.0.1) interval while charging. */
  readonly meterValueIntervalSeconds: number;
  /** Connector status changes per session (e.g. Preparing, Charging, Finishing, Available). */
  readonly statusNotificationsPerSession: number;
  /** Authorize calls per session (RFID at a public charger). */
  readonly authorizePerSession: number;
  /** 2.0.1 only: TransactionEvent Updated per session besides the meter samples (charging state changes). */
  readonly extraTransactionUpdatesPerSession: number;
  /** CSMS-initiated commands (remote start/stop, configuration, triggers) per day. */
  readonly commandsPerDay: number;
  /** The OCPP message log (always on) keeps every frame this long (MESSAGE_LOG_RETENTION_DAYS). */
  readonly messageLogRetentionDays: number;
  /**
   * Storage is priced as it stands after this many months: history up to its retention (`retention`), state
   * (transactions) for the whole time.
   */
  readonly historyMonths: number;
  /** Days each kind of history is kept (DynamoDB TTL). @default DEFAULT_RETENTION */
  readonly retention?: Retention;
}

const idle: WorkloadProfile = {
  name: 'idle',
  description: 'Always connected, no charging, no commands: heartbeats and forced reconnects only',
  protocol: 'ocpp1.6',
  connectors: 2,
  connectedFraction: 1,
  heartbeatIntervalSeconds: 300,
  reconnectIntervalHours: 2,
  statusNotificationsPerReconnect: 2,
  bootsPerMonth: 1,
  chargingHoursPerDay: 0,
  sessionsPerDay: 0,
  meterValueIntervalSeconds: 60,
  statusNotificationsPerSession: 0,
  authorizePerSession: 0,
  extraTransactionUpdatesPerSession: 0,
  commandsPerDay: 0,
  messageLogRetentionDays: 30,
  historyMonths: 12,
};

const busyPublic: WorkloadProfile = {
  ...idle,
  name: 'busyPublic',
  description: 'Public AC charger: 8 h charging a day in 4 sessions, meter values every 60 s, 5 commands a day',
  chargingHoursPerDay: 8,
  sessionsPerDay: 4,
  statusNotificationsPerSession: 4,
  authorizePerSession: 1,
  extraTransactionUpdatesPerSession: 2,
  commandsPerDay: 5,
};

const busyPublic201: WorkloadProfile = {
  ...busyPublic,
  name: 'busyPublic201',
  description: 'The busy public charger speaking OCPP 2.0.1 (TransactionEvent instead of Start/Stop/MeterValues)',
  protocol: 'ocpp2.0.1',
};

export const WORKLOADS = { idle, busyPublic, busyPublic201 } as const satisfies Record<string, WorkloadProfile>;

/**
 * Per-message figures used when the bench did not measure an action; the result names every action that fell
 * back here (`estimated`). Derived from the design table in docs/data-model.md ("What each message costs") plus
 * the message log: one write per frame in and one per frame out. Frame sizes are typical JSON frames.
 */
/** A `$default` frame on the 512 MB message handler, unless overridden. */
const estimate = (figures: Partial<ActionCost>): ActionCost => ({
  readRequestUnits: 0,
  writeRequestUnits: 0,
  lambdaInvocations: 1,
  lambdaMsPerInvocation: 25,
  memoryMb: 512,
  inBytes: 0,
  outBytes: 0,
  connectionsApiCalls: 0,
  ...figures,
});

export const DEFAULT_ACTION_COSTS: Readonly<Record<string, ActionCost>> = {
  // Authorizer (strongly consistent charger read) and the connect handler (connection item, presence); no frame.
  $connect: estimate({ readRequestUnits: 1, writeRequestUnits: 2, lambdaInvocations: 2, lambdaMsPerInvocation: 30, memoryMb: 256 }),
  $disconnect: estimate({ writeRequestUnits: 2, lambdaMsPerInvocation: 20, memoryMb: 256 }),
  BootNotification: estimate({ writeRequestUnits: 5, lambdaMsPerInvocation: 30, inBytes: 300, outBytes: 120 }),
  Heartbeat: estimate({ writeRequestUnits: 3, lambdaMsPerInvocation: 20, inBytes: 40, outBytes: 80 }),
  StatusNotification: estimate({ writeRequestUnits: 4, inBytes: 180, outBytes: 40 }),
  Authorize: estimate({ readRequestUnits: 1.5, writeRequestUnits: 2, inBytes: 80, outBytes: 100 }),
  StartTransaction: estimate({ readRequestUnits: 4, writeRequestUnits: 10, lambdaMsPerInvocation: 40, inBytes: 200, outBytes: 120 }),
  StopTransaction: estimate({ readRequestUnits: 1.5, writeRequestUnits: 7, lambdaMsPerInvocation: 35, inBytes: 300, outBytes: 80 }),
  MeterValues: estimate({ writeRequestUnits: 4, inBytes: 400, outBytes: 50 }),
  TransactionEvent: estimate({ readRequestUnits: 2.5, writeRequestUnits: 7, lambdaMsPerInvocation: 35, inBytes: 500, outBytes: 80 }),
  // A CSMS-initiated command, as the bench's command round trip stage measures it (README, "Command round trip"):
  // the REST submit (BatchGetItem, PutItem command, SendMessage), the dispatch (receive, GetItem ×2, the slot's
  // transaction, PostToConnection, PutItem log, SendMessage timer, delete), the reply through $default (GetItem slot,
  // the completing transaction, PutItem log) and the timeout message (receive, GetItem slot, delete).
  command: estimate({
    readRequestUnits: 4.5,
    writeRequestUnits: 17,
    lambdaInvocations: 4,
    lambdaMsPerInvocation: 40,
    memoryMb: 256,
    inBytes: 80,
    outBytes: 250,
    connectionsApiCalls: 1,
    sqsRequests: 6,
  }),
};

/** For an action neither measured nor listed above. */
export const GENERIC_ACTION_COST: ActionCost = estimate({
  readRequestUnits: 1,
  writeRequestUnits: 3,
  lambdaMsPerInvocation: 30,
  inBytes: 300,
  outBytes: 100,
});

/** How long a kind of stored fact is kept: a retention of shared/store/retention.ts, or for good (state). */
export type Kept = Exclude<keyof Retention, 'messageLogDays'> | 'forGood';

/**
 * Bytes each message leaves in the Csms table (items and their index copies), by how long they are kept. The
 * message log is priced apart, from the bytes of the frames and the profile's message-log retention.
 */
export const STORED_BYTES_PER_MESSAGE: Readonly<Record<string, Partial<Record<Kept, number>>>> = {
  StatusNotification: { statusHistoryDays: 250 },
  MeterValues: { meterValuesDays: 900 },
  // The transaction item with its two index copies.
  StartTransaction: { forGood: 1_300 },
  StopTransaction: { forGood: 300, meterValuesDays: 600 },
  TransactionEvent: { forGood: 300, transactionEventDays: 500, meterValuesDays: 400 },
};
