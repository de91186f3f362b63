import { describe, expect, it } from 'vitest';
import {
  commandDollarsPerMillion,
  commandMarkdown,
  EXPECTED_REQUESTS,
  expectedRequests,
  formatOperations,
  operationsDelta,
  perCommand,
  requestTotals,
  spreadOf,
  stepDollarsPerMillion,
  stepUsageBetween,
  type CommandRoundTrip,
  type CommandStep,
  type StepSnapshot,
  type StepUsage,
} from '../../../bench/command-cost.ts';
import type { HandlerUsage } from '../../../bench/handler-meter.ts';
import { MODEL, PRICES, type ModelConstants } from '../../../bench/pricing.ts';
import type { OperationTotals } from '#shared/store/capacity-meter.ts';

const ops = (requests: number, readUnits = 0, writeUnits = 0, failed = 0): OperationTotals => ({ requests, readUnits, writeUnits, failed });

const usage = (overrides: Partial<StepUsage> = {}): StepUsage => ({
  lambdaInvocations: 0,
  lambdaBilledMs: 0,
  memoryMb: 1024,
  operations: {},
  restRequests: 0,
  websocketMessages: 0,
  connectionsApiCalls: 0,
  ...overrides,
});

const handler = (overrides: Partial<HandlerUsage> = {}): HandlerUsage => ({
  invocations: 0,
  billedMs: 0,
  inFlight: 0,
  records: 0,
  pollerRequests: { ReceiveMessage: 0, DeleteMessageBatch: 0 },
  ...overrides,
});

const snapshotOf = (handlers: Partial<Record<CommandStep, HandlerUsage>>, operations: StepSnapshot['operations'], connectionsApiCalls = 0): StepSnapshot => ({
  operations,
  handlers: { submit: handler(), dispatch: handler(), reply: handler(), timeout: handler(), follow: handler(), ...handlers },
  connectionsApiCalls,
});

/** No log bytes, so each line of a hand computation is visible. */
const bareModel: ModelConstants = { ...MODEL, logBytesPerInvocation: 0 };

describe('operationsDelta', () => {
  it('subtracts each operation and leaves out those with no request in between', () => {
    const before = { GetItem: ops(3, 3), PutItem: ops(1, 0, 2) };
    const after = { GetItem: ops(5, 4, 0), PutItem: ops(1, 0, 2), UpdateItem: ops(1, 0, 0, 1) };
    expect(operationsDelta(before, after)).toEqual({ GetItem: ops(2, 1), UpdateItem: ops(1, 0, 0, 1) });
  });
  it('takes a scope first seen after the first snapshot as starting from nothing', () => {
    expect(operationsDelta(undefined, { SendMessage: ops(2) })).toEqual({ SendMessage: ops(2) });
    expect(operationsDelta({ SendMessage: ops(2) }, undefined)).toEqual({});
  });
});

describe('stepUsageBetween', () => {
  const dispatchEntry = 'queue/dispatch-commands.ts';
  const before = snapshotOf(
    { dispatch: handler({ invocations: 1, billedMs: 10, pollerRequests: { ReceiveMessage: 1, DeleteMessageBatch: 1 } }), submit: handler({ invocations: 2 }) },
    { [dispatchEntry]: { GetItem: ops(2, 1.5) } },
    5,
  );
  const after = snapshotOf(
    {
      dispatch: handler({ invocations: 3, billedMs: 50, pollerRequests: { ReceiveMessage: 3, DeleteMessageBatch: 2 } }),
      submit: handler({ invocations: 4, billedMs: 30 }),
      reply: handler({ invocations: 2, billedMs: 8 }),
    },
    { [dispatchEntry]: { GetItem: ops(6, 4.5), SendMessage: ops(2) } },
    7,
  );

  it('puts the poller’s receive before and its delete after the dispatcher’s own requests, and counts its frames', () => {
    const dispatch = stepUsageBetween('dispatch', before, after, 256);
    expect(dispatch).toEqual(
      usage({ lambdaInvocations: 2, lambdaBilledMs: 40, memoryMb: 256, websocketMessages: 2, connectionsApiCalls: 2, operations: dispatch.operations }),
    );
    expect(Object.entries(dispatch.operations)).toEqual([
      ['ReceiveMessage', ops(2)],
      ['GetItem', ops(4, 3)],
      ['SendMessage', ops(2)],
      ['DeleteMessageBatch', ops(1)],
    ]);
  });
  it('counts a REST request per submit invocation and a WebSocket message per reply invocation', () => {
    expect(stepUsageBetween('submit', before, after, 512)).toEqual(usage({ lambdaInvocations: 2, lambdaBilledMs: 30, memoryMb: 512, restRequests: 2 }));
    expect(stepUsageBetween('reply', before, after, 512)).toEqual(usage({ lambdaInvocations: 2, lambdaBilledMs: 8, memoryMb: 512, websocketMessages: 2 }));
  });
});

describe('perCommand', () => {
  it('divides every count by the commands and keeps the memory', () => {
    const total = usage({ lambdaInvocations: 4, lambdaBilledMs: 100, restRequests: 4, operations: { PutItem: ops(4, 0, 8, 2) } });
    expect(perCommand(total, 4)).toEqual(usage({ lambdaInvocations: 1, lambdaBilledMs: 25, restRequests: 1, operations: { PutItem: ops(1, 0, 2, 0.5) } }));
  });
  it('gives nothing for no command', () => {
    expect(perCommand(usage({ lambdaInvocations: 3 }), 0).lambdaInvocations).toBe(0);
  });
});

describe('requestTotals', () => {
  it('keeps SQS apart and counts a failed write as one write unit, a failed read as none', () => {
    const step = usage({
      operations: { ReceiveMessage: ops(1), GetItem: ops(2, 1.5, 0, 1), UpdateItem: ops(1, 0, 0, 1), TransactWriteItems: ops(1, 0, 4), DeleteMessageBatch: ops(1) },
    });
    expect(requestTotals(step)).toEqual({ dynamodbRequests: 4, readUnits: 1.5, writeUnits: 5, sqsRequests: 2 });
  });
});

describe('stepDollarsPerMillion', () => {
  it('prices one step of one command, per million commands, as computed by hand', () => {
    const step = usage({
      lambdaInvocations: 1,
      lambdaBilledMs: 100,
      memoryMb: 1024,
      restRequests: 1,
      websocketMessages: 2,
      operations: { GetItem: ops(1, 1), PutItem: ops(1, 0, 2), SendMessage: ops(1) },
    });
    expect(stepDollarsPerMillion(step, PRICES, bareModel)).toEqual({
      apiGatewayRest: 3.5,
      apiGatewayMessages: 2,
      lambdaRequests: 0.2,
      lambdaCompute: expect.closeTo(0.1 * 1_000_000 * 0.0000133334, 9), // 100,000 GB-s
      dynamodbReads: 0.125,
      dynamodbWrites: 1.25,
      sqs: 0.5,
      cloudwatchLogs: 0,
    });
  });
  it('prices each invocation’s log bytes, ingested and kept for the retention', () => {
    const model: ModelConstants = { ...MODEL, logBytesPerInvocation: 1024 ** 3 / 1_000_000, logRetentionDays: 0 };
    expect(stepDollarsPerMillion(usage({ lambdaInvocations: 2 }), PRICES, model).cloudwatchLogs).toBeCloseTo(2 * 0.5, 9);
  });
});

describe('commandDollarsPerMillion', () => {
  it('adds up the steps of a command nobody follows, and the follow beside it', () => {
    const oneRest = usage({ restRequests: 1 });
    const oneRead = usage({ operations: { GetItem: ops(1, 1) } });
    const dollars = commandDollarsPerMillion({ submit: oneRest, dispatch: oneRead, reply: oneRead, timeout: oneRead, follow: oneRest }, PRICES, bareModel);
    expect(dollars.byLine.apiGatewayRest).toBe(3.5);
    expect(dollars.byLine.dynamodbReads).toBeCloseTo(3 * 0.125, 12);
    expect(dollars.total).toBeCloseTo(3.5 + 3 * 0.125, 12);
    expect(dollars.totalWithFollow).toBeCloseTo(7 + 3 * 0.125, 12);
  });
});

describe('expectedRequests', () => {
  it('adds the effect’s command read and setting write to the reply of an action with an answer effect', () => {
    expect(expectedRequests('reply', true)).toEqual({ GetItem: 2, TransactWriteItems: 1, PutItem: 2 });
    expect(expectedRequests('reply', false)).toEqual({ GetItem: 1, TransactWriteItems: 1, PutItem: 1 });
    expect(expectedRequests('dispatch', true)).toEqual(EXPECTED_REQUESTS.dispatch.operations);
    expect(EXPECTED_REQUESTS.reply.operations).toEqual({ GetItem: 1, TransactWriteItems: 1, PutItem: 1 });
  });
});

describe('spreadOf', () => {
  it('gives p50, p95 and max of unsorted values', () => {
    expect(spreadOf([20, 1, 19, 2, 18, 3, 17, 4, 16, 5, 15, 6, 14, 7, 13, 8, 12, 9, 11, 10])).toEqual({ p50: 10, p95: 19, max: 20 });
    expect(spreadOf([])).toEqual({ p50: 0, p95: 0, max: 0 });
  });
});

describe('commandMarkdown', () => {
  const reply = usage({ lambdaInvocations: 1, operations: { PutItem: ops(1, 0, 1), GetItem: ops(1, 1), TransactWriteItems: ops(1, 0, 6) } });
  const steps = { submit: usage(), dispatch: usage(), reply, follow: usage() };
  const report: CommandRoundTrip = {
    chargers: 2,
    commandsPerCharger: 1,
    timeoutSeconds: 5,
    actions: [
      {
        protocol: 'ocpp1.6',
        action: 'Reset',
        hasEffect: false,
        commands: 1,
        answered: 1,
        toReply: { p50: 80, p95: 90, max: 95 },
        toAnswered: { p50: 600, p95: 610, max: 615 },
        steps,
        dollarsPerMillion: commandDollarsPerMillion({ ...steps, timeout: usage() }),
      },
    ],
    timeout: usage(),
    problems: ['CMD0 Reset: timedOut ""'],
  };
  const text = commandMarkdown(report).join('\n');

  it('prints the latencies, the problems, and each step’s requests in the order they are made beside the expected ones', () => {
    expect(text).toContain('| ocpp1.6 | Reset | 1 | 1 | 80 / 90 / 95 | 600 / 610 / 615 |');
    expect(text).toContain('**Problems:** CMD0 Reset: timedOut ""');
    expect(text).toContain('| ocpp1.6 | Reset | reply | 1 | GetItem 1 (1 RU) · TransactWriteItems 1 (6 WU) · PutItem 1 (1 WU) | GetItem 1 · TransactWriteItems 1 · PutItem 1 | 1 / 7 | 0 |');
  });
  it('marks failed requests, and units where there are any', () => {
    expect(formatOperations({ UpdateItem: ops(1, 0, 0, 1), GetItem: ops(2, 1.5), SendMessage: ops(1) })).toBe('UpdateItem 1 (1 failed) · GetItem 2 (1.5 RU) · SendMessage 1');
    expect(formatOperations({})).toBe('–');
  });
  it('writes what each step should make into the text', () => {
    for (const step of ['submit', 'dispatch', 'reply', 'timeout', 'follow'] as const) expect(text).toContain(EXPECTED_REQUESTS[step].what);
  });
});
