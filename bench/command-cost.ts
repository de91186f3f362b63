/**
 * What one CSMS-initiated command costs, step by step, and its price per million commands on AWS list prices; and
 * the command stage's report section. Pure: the stage (command-round-trip.ts) measures, this adds up and formats.
 *
 * Per step and command: the handler's Lambda invocations and billed milliseconds, its DynamoDB and SQS requests by
 * operation (the capacity meter, filed under the handler that made them, plus the SQS poller's receive and delete
 * around each batch), API Gateway REST requests and WebSocket messages. Priced per million commands:
 * - API Gateway: a REST request per POST and per GET; a WebSocket message per frame (the CALL out, the CALLRESULT
 *   in; under 32 KB each). @connections calls are not priced apart: the frame they send is the message.
 * - Lambda: requests, and GB-seconds from the billed milliseconds at the route's memory (arm64).
 * - DynamoDB on-demand: read and write units as consumed; a write that failed its condition reports no units but is
 *   billed, counted here as 1 write unit (an item under 1 KB), so the figure is a lower bound for larger items.
 * - SQS: every request at the FIFO price (the timeouts queue is a standard queue, a little cheaper).
 * - CloudWatch Logs: the model's bytes per invocation, ingested and kept for the log retention.
 * Left out: storage (a command item and its log entries, kept for their retention) and CloudFront's data transfer of
 * the two frames (a few hundred bytes).
 */
import type { OperationTotals } from '#shared/store/capacity-meter.ts';
import { formatDollars } from './cost-model.ts';
import type { HandlerUsage } from './handler-meter.ts';
import { percentile } from './load.ts';
import { MODEL, PRICES, type ModelConstants, type Prices } from './pricing.ts';

export const COMMAND_STEPS = ['submit', 'dispatch', 'reply', 'timeout', 'follow'] as const;
export type CommandStep = (typeof COMMAND_STEPS)[number];

/** The handler that takes each step, by its entry under functions/. */
export const STEP_ENTRIES: Readonly<Record<CommandStep, string>> = {
  submit: 'api/commands/send-command.ts',
  dispatch: 'queue/dispatch-commands.ts',
  reply: 'ws/message.ts',
  timeout: 'queue/expire-commands.ts',
  follow: 'api/commands/get-command.ts',
};

/** What a step used: summed over the commands measured, or per command (`perCommand`). */
export interface StepUsage {
  lambdaInvocations: number;
  /** Each invocation's duration rounded up to the millisecond (as Lambda bills it), summed. */
  lambdaBilledMs: number;
  memoryMb: number;
  /** DynamoDB and SQS requests by operation (`GetItem`, `TransactWriteItems`, `SendMessage`, ...). */
  operations: Record<string, OperationTotals>;
  restRequests: number;
  websocketMessages: number;
  connectionsApiCalls: number;
}

const SQS_OPERATIONS = new Set([
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
]);
const DYNAMODB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
export const isSqsOperation = (operation: string): boolean => SQS_OPERATIONS.has(operation);

const noRequests = (): OperationTotals => ({ requests: 0, readUnits: 0, writeUnits: 0, failed: 0 });

/** What happened between two snapshots of one scope's operations; operations with no request in between are left out. */
export const operationsDelta = (
  before: Readonly<Record<string, OperationTotals>> | undefined,
  after: Readonly<Record<string, OperationTotals>> | undefined,
): Record<string, OperationTotals> => {
  const delta: Record<string, OperationTotals> = {};
  for (const [op, a] of Object.entries(after ?? {})) {
    const b = before?.[op] ?? noRequests();
    if (a.requests === b.requests) continue;
    delta[op] = { requests: a.requests - b.requests, readUnits: a.readUnits - b.readUnits, writeUnits: a.writeUnits - b.writeUnits, failed: a.failed - b.failed };
  }
  return delta;
};

/** What the stage reads before and after a measurement. */
export interface StepSnapshot {
  /** The capacity meter's `operationsSnapshot()`: by scope (a handler's entry), by operation. */
  operations: Readonly<Record<string, Readonly<Record<string, OperationTotals>>>>;
  handlers: Readonly<Record<CommandStep, HandlerUsage>>;
  /** @connections calls the charger API served. */
  connectionsApiCalls: number;
}

const pollerCalls = (requests: number): OperationTotals => ({ requests, readUnits: 0, writeUnits: 0, failed: 0 });

/**
 * What `step` used between two snapshots, summed. A REST step is one REST request per invocation; the reply is one
 * WebSocket message in per invocation; the dispatch sends one message per @connections call (all of them in the
 * window: nothing else posts to the chargers meanwhile).
 */
export const stepUsageBetween = (step: CommandStep, before: StepSnapshot, after: StepSnapshot, memoryMb: number): StepUsage => {
  const entry = STEP_ENTRIES[step];
  const h0 = before.handlers[step];
  const h1 = after.handlers[step];
  const invocations = h1.invocations - h0.invocations;
  const receives = h1.pollerRequests.ReceiveMessage - h0.pollerRequests.ReceiveMessage;
  const deletes = h1.pollerRequests.DeleteMessageBatch - h0.pollerRequests.DeleteMessageBatch;
  const calls = step === 'dispatch' ? after.connectionsApiCalls - before.connectionsApiCalls : 0;
  return {
    lambdaInvocations: invocations,
    lambdaBilledMs: h1.billedMs - h0.billedMs,
    memoryMb,
    // In the order they happen: the poller receives, the handler works, the poller deletes.
    operations: {
      ...(receives > 0 ? { ReceiveMessage: pollerCalls(receives) } : {}),
      ...operationsDelta(before.operations[entry], after.operations[entry]),
      ...(deletes > 0 ? { DeleteMessageBatch: pollerCalls(deletes) } : {}),
    },
    restRequests: step === 'submit' || step === 'follow' ? invocations : 0,
    websocketMessages: step === 'reply' ? invocations : calls,
    connectionsApiCalls: calls,
  };
};

const round = (n: number) => Math.round(n * 100) / 100;

/** `usage` divided among `commands` (0 commands: nothing used). */
export const perCommand = (usage: StepUsage, commands: number): StepUsage => {
  const per = (n: number) => (commands > 0 ? n / commands : 0);
  return {
    lambdaInvocations: per(usage.lambdaInvocations),
    lambdaBilledMs: per(usage.lambdaBilledMs),
    memoryMb: usage.memoryMb,
    operations: Object.fromEntries(
      Object.entries(usage.operations).map(([op, t]) => [op, { requests: per(t.requests), readUnits: per(t.readUnits), writeUnits: per(t.writeUnits), failed: per(t.failed) }]),
    ),
    restRequests: per(usage.restRequests),
    websocketMessages: per(usage.websocketMessages),
    connectionsApiCalls: per(usage.connectionsApiCalls),
  };
};

/** Totals over a step's operations: DynamoDB requests and units (failed writes as 1 unit each) and SQS requests. */
export const requestTotals = (usage: StepUsage): { dynamodbRequests: number; readUnits: number; writeUnits: number; sqsRequests: number } => {
  let dynamodbRequests = 0;
  let readUnits = 0;
  let writeUnits = 0;
  let sqsRequests = 0;
  for (const [op, t] of Object.entries(usage.operations)) {
    if (isSqsOperation(op)) {
      sqsRequests += t.requests;
      continue;
    }
    dynamodbRequests += t.requests;
    readUnits += t.readUnits;
    writeUnits += t.writeUnits + (DYNAMODB_WRITES.has(op) ? t.failed : 0);
  }
  return { dynamodbRequests, readUnits, writeUnits, sqsRequests };
};

export const COMMAND_COST_LINES = [
  'apiGatewayRest',
  'apiGatewayMessages',
  'lambdaRequests',
  'lambdaCompute',
  'dynamodbReads',
  'dynamodbWrites',
  'sqs',
  'cloudwatchLogs',
] as const;
export type CommandCostLine = (typeof COMMAND_COST_LINES)[number];

const GB = 1024 ** 3;
const MILLION = 1_000_000;

/** $ per million commands for one step, from its per-command usage. */
export const stepDollarsPerMillion = (usage: StepUsage, prices: Prices = PRICES, model: ModelConstants = MODEL): Record<CommandCostLine, number> => {
  const { readUnits, writeUnits, sqsRequests } = requestTotals(usage);
  const logDaysShare = model.logRetentionDays / (model.hoursPerMonth / 24);
  return {
    apiGatewayRest: usage.restRequests * prices.apiGateway.restRequestsPerMillion,
    apiGatewayMessages: usage.websocketMessages * prices.apiGateway.websocketMessagesPerMillion,
    lambdaRequests: usage.lambdaInvocations * prices.lambda.requestsPerMillion,
    lambdaCompute: (usage.lambdaBilledMs / 1000) * (usage.memoryMb / 1024) * MILLION * prices.lambda.arm64PerGbSecond,
    dynamodbReads: readUnits * prices.dynamodb.readRequestUnitsPerMillion,
    dynamodbWrites: writeUnits * prices.dynamodb.writeRequestUnitsPerMillion,
    sqs: sqsRequests * prices.sqs.fifoRequestsPerMillion,
    cloudwatchLogs:
      ((usage.lambdaInvocations * model.logBytesPerInvocation * MILLION) / GB) *
      (prices.cloudwatchLogs.ingestionPerGb + logDaysShare * prices.cloudwatchLogs.storagePerGbMonth),
  };
};

const sumLines = (lines: Record<CommandCostLine, number>) => COMMAND_COST_LINES.reduce((sum, line) => sum + lines[line], 0);

export interface CommandDollars {
  perStep: Record<CommandStep, Record<CommandCostLine, number>>;
  /** By cost line, for a command nobody follows (submit, dispatch, reply, timeout). */
  byLine: Record<CommandCostLine, number>;
  /** $ per million commands nobody follows. */
  total: number;
  /** $ per million commands each followed with `GET ?wait=` until it ended. */
  totalWithFollow: number;
}

/** $ per million commands from each step's per-command usage. */
export const commandDollarsPerMillion = (steps: Readonly<Record<CommandStep, StepUsage>>, prices: Prices = PRICES, model: ModelConstants = MODEL): CommandDollars => {
  const perStep = Object.fromEntries(COMMAND_STEPS.map((s) => [s, stepDollarsPerMillion(steps[s], prices, model)])) as Record<CommandStep, Record<CommandCostLine, number>>;
  const unfollowed = COMMAND_STEPS.filter((s) => s !== 'follow');
  const byLine = Object.fromEntries(COMMAND_COST_LINES.map((line) => [line, unfollowed.reduce((sum, s) => sum + perStep[s][line], 0)])) as Record<CommandCostLine, number>;
  const total = sumLines(byLine);
  return { perStep, byLine, total, totalWithFollow: total + sumLines(perStep.follow) };
};

/**
 * The requests each step makes as the code makes them (shared/command/commands.ts, dispatch.ts, replies.ts), per
 * command, for the report to set beside the measured ones. The SQS poller's receive and delete are per batch: one
 * each per command when commands arrive one at a time, fewer when a batch carries several.
 */
export const EXPECTED_REQUESTS: Readonly<Record<CommandStep, { readonly operations: Readonly<Record<string, number>>; readonly what: string }>> = {
  submit: {
    operations: { BatchGetItem: 1, PutItem: 1, SendMessage: 1 },
    what: 'BatchGetItem profile + presence; PutItem the command (conditional: new); SendMessage to the charger’s FIFO group',
  },
  dispatch: {
    operations: { ReceiveMessage: 1, GetItem: 2, TransactWriteItems: 1, PutItem: 1, SendMessage: 1, DeleteMessageBatch: 1 },
    what:
      'the poller’s ReceiveMessage; GetItem the command (consistent), then GetItem presence; TransactWriteItems slot + command (sent); ' +
      'PostToConnection the CALL; then PutItem log ∥ SendMessage the timeout (delayed to the deadline); the poller’s DeleteMessageBatch',
  },
  reply: {
    operations: { GetItem: 1, TransactWriteItems: 1, PutItem: 1 },
    what: 'GetItem the slot (consistent); TransactWriteItems command (answered) + slot (deleted); PutItem log',
  },
  timeout: {
    operations: { ReceiveMessage: 1, GetItem: 1, UpdateItem: 1, DeleteMessageBatch: 1 },
    what: 'at the deadline: the poller’s ReceiveMessage; GetItem the slot (gone); UpdateItem the command, failing its condition (already answered); DeleteMessageBatch',
  },
  follow: {
    operations: { GetItem: 1 },
    what: '`GET /commands/{id}?wait=`: GetItem the command (consistent), again every 500 ms until it ended',
  },
};

/** What an action whose answer has an effect (shared/command/effects.ts) adds to its reply. */
export const EFFECT_REPLY_REQUESTS: { readonly operations: Readonly<Record<string, number>>; readonly what: string } = {
  operations: { GetItem: 1, PutItem: 1 },
  what: 'GetItem the command (its payload); PutItem each setting the answer tells (one here)',
};

/** The expected requests of `step`, with the effect's when the action has one. */
export const expectedRequests = (step: CommandStep, hasEffect: boolean): Record<string, number> => {
  const base = { ...EXPECTED_REQUESTS[step].operations };
  if (step !== 'reply' || !hasEffect) return base;
  for (const [op, n] of Object.entries(EFFECT_REPLY_REQUESTS.operations)) base[op] = (base[op] ?? 0) + n;
  return base;
};

export interface Spread {
  p50: number;
  p95: number;
  max: number;
}

export const spreadOf = (values: readonly number[]): Spread => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted.at(-1) ?? 0) };
};

export interface ActionRoundTrip {
  protocol: string;
  action: string;
  /** Whether the action's answer has an effect (more requests on the reply). */
  hasEffect: boolean;
  commands: number;
  answered: number;
  /** From sending the POST to the charger sending its CALLRESULT, ms. */
  toReply: Spread;
  /** From sending the POST to `GET ?wait=` returning the command answered, ms. */
  toAnswered: Spread;
  /** Per command; the timeout step is measured over every action's commands (`CommandRoundTrip.timeout`). */
  steps: Record<Exclude<CommandStep, 'timeout'>, StepUsage>;
  dollarsPerMillion: CommandDollars;
}

export interface CommandRoundTrip {
  chargers: number;
  commandsPerCharger: number;
  timeoutSeconds: number;
  actions: ActionRoundTrip[];
  /** Per command, over every action: the timeouts arrive while later commands run. */
  timeout: StepUsage;
  /** What went wrong (a refused POST, a command not answered); empty when nothing did. */
  problems: string[];
}

const n = (x: number) => String(round(x));
const spreadText = (s: Spread) => `${n(s.p50)} / ${n(s.p95)} / ${n(s.max)}`;

const measuredText = (t: OperationTotals): string => {
  const notes = [t.readUnits > 0 && `${n(t.readUnits)} RU`, t.writeUnits > 0 && `${n(t.writeUnits)} WU`, t.failed > 0 && `${n(t.failed)} failed`].filter(Boolean);
  return `${n(t.requests)}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
};

/** `GetItem 2 (1.5 RU) · UpdateItem 1 (1 failed) · SendMessage 1`, in the order given; plain counts as they are. */
export const formatOperations = (operations: Readonly<Record<string, OperationTotals | number>>): string =>
  Object.entries(operations)
    .map(([op, t]) => `${op} ${typeof t === 'number' ? n(t) : measuredText(t)}`)
    .join(' · ') || '–';

/** `measured` in the order of `expected` (the order the requests are made), anything unexpected after. */
const inOrderOf = <T>(measured: Readonly<Record<string, T>>, expected: Readonly<Record<string, number>>): Record<string, T> => {
  const rank = (op: string) => (op in expected ? Object.keys(expected).indexOf(op) : Number.MAX_SAFE_INTEGER);
  return Object.fromEntries(Object.entries(measured).sort(([a], [b]) => rank(a) - rank(b)));
};

const stepOf = (a: ActionRoundTrip, step: CommandStep, timeout: StepUsage): StepUsage => (step === 'timeout' ? timeout : a.steps[step]);

/** The report's section on the command round trip. */
export const commandMarkdown = (r: CommandRoundTrip): string[] => {
  const lines = [
    '## Command round trip (REST → FIFO queue → dispatcher → charger → reply)',
    '',
    `${r.chargers} chargers (half 1.6, half 2.0.1) each answer ${r.commandsPerCharger} commands of each action of their version, one at a time ` +
      `(POST, then \`GET ?wait=\` until it ended), every command with \`timeoutSeconds: ${r.timeoutSeconds}\`. Latency from the operator's ` +
      'POST to the charger sending its CALLRESULT, and to `GET ?wait=` returning the command answered (the long poll reads every 500 ms).',
    '',
    '| protocol | action | commands | answered | POST → reply sent, ms p50 / p95 / max | POST → `GET ?wait=` answered, ms p50 / p95 / max |',
    '|---|---|---|---|---|---|',
    ...r.actions.map((a) => `| ${a.protocol} | ${a.action} | ${a.commands} | ${a.answered} | ${spreadText(a.toReply)} | ${spreadText(a.toAnswered)} |`),
  ];
  if (r.problems.length > 0) lines.push('', `**Problems:** ${r.problems.slice(0, 5).join('; ')}${r.problems.length > 5 ? ` (and ${r.problems.length - 5} more)` : ''}`);
  lines.push(
    '',
    '### Requests per command, by step (measured, beside what the code should make)',
    '',
    '| protocol | action | step | Lambda | DynamoDB and SQS requests, measured (read / write units) | expected | DynamoDB read / write units | SQS requests | $ / million commands |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const a of r.actions) {
    for (const step of COMMAND_STEPS) {
      const usage = stepOf(a, step, r.timeout);
      const t = requestTotals(usage);
      const dollars = sumLines(a.dollarsPerMillion.perStep[step]);
      const expected = expectedRequests(step, a.hasEffect);
      const expectedText = step === 'follow' ? 'GetItem 1 + 1 per 500 ms waited' : formatOperations(expected);
      lines.push(
        `| ${a.protocol} | ${a.action} | ${step} | ${n(usage.lambdaInvocations)} | ${formatOperations(inOrderOf(usage.operations, expected))} | ${expectedText} | ${n(t.readUnits)} / ${n(t.writeUnits)} | ${n(t.sqsRequests)} | ${formatDollars(dollars)} |`,
      );
    }
    lines.push(`| ${a.protocol} | ${a.action} | **total** (without follow) | | | | | | **${formatDollars(a.dollarsPerMillion.total)}** |`);
  }
  lines.push('', 'What each step should make (verified against the code):', '');
  for (const step of COMMAND_STEPS) lines.push(`- **${step}** (\`functions/${STEP_ENTRIES[step]}\`): ${EXPECTED_REQUESTS[step].what}.`);
  lines.push(`- an action whose answer has an effect (here ChangeConfiguration, GetVariables) adds to its **reply**: ${EFFECT_REPLY_REQUESTS.what}.`);
  lines.push(
    '',
    'The poller’s ReceiveMessage and DeleteMessageBatch are one per batch, so below one per command when a batch carries several. ' +
      'Lambda and SQS requests, REST requests and WebSocket messages are counted; a write that failed its condition is priced as 1 write unit.',
    '',
    '### $ per million commands (AWS list prices, bench/pricing.ts)',
    '',
    `| $ per million commands | ${r.actions.map((a) => `${a.protocol} ${a.action}`).join(' | ')} |`,
    `|---|${r.actions.map(() => '---:').join('|')}|`,
    ...COMMAND_COST_LINES.map((line) => `| ${line} | ${r.actions.map((a) => formatDollars(a.dollarsPerMillion.byLine[line])).join(' | ')} |`),
    `| **total** | ${r.actions.map((a) => `**${formatDollars(a.dollarsPerMillion.total)}**`).join(' | ')} |`,
    `| followed once with \`GET ?wait=\` | ${r.actions.map((a) => formatDollars(a.dollarsPerMillion.totalWithFollow)).join(' | ')} |`,
    '',
    'Storage (the command item, its log entries) and CloudFront’s transfer of the two frames are left out; SQS is priced at the FIFO rate throughout.',
  );
  return lines;
};
