import { describe, expect, it } from 'vitest';
import { routes, type RouteDef } from '#functions/routes.ts';
import type { CapacityTotals, OperationTotals } from '#shared/store/capacity-meter.ts';
import type { HandlerUsage } from '../../../bench/handler-meter.ts';
import {
  asActionCosts,
  messageHandlersOf,
  messageUsage,
  requestsByFunction,
  type MeasuredAction,
  type UsageSnapshot,
} from '../../../bench/per-message-cost.ts';

const handlers = messageHandlersOf(routes as readonly RouteDef[], 256);

const totals = (o: Partial<CapacityTotals> = {}): CapacityTotals => ({ requests: 0, readUnits: 0, writeUnits: 0, roundTrips: 0, ...o });
const usage = (o: Partial<HandlerUsage> = {}): HandlerUsage => ({
  invocations: 0,
  billedMs: 0,
  inFlight: 0,
  records: 0,
  pollerRequests: { ReceiveMessage: 0, DeleteMessageBatch: 0 },
  ...o,
});
const ops = (o: Partial<OperationTotals> = {}): OperationTotals => ({ requests: 0, readUnits: 0, writeUnits: 0, failed: 0, ...o });

const start: UsageSnapshot = {
  capacity: { 'ws/message.ts': totals({ requests: 10, writeUnits: 10, roundTrips: 8 }) },
  handlers: { 'ws/message.ts': usage({ invocations: 5 }) },
  managementCalls: 0,
};

describe('messageHandlersOf', () => {
  it('takes the charger API’s handlers from the route table: authorizer and $connect, $default, $disconnect', () => {
    const entry = (id: string) => (routes as readonly RouteDef[]).find((r) => r.id === id)?.entry;
    expect(handlers.$connect).toEqual([entry('OcppAuthorizer'), entry('OcppConnect')]);
    expect(handlers.call).toEqual([entry('OcppMessage')]);
    expect(handlers.$disconnect).toEqual([entry('OcppDisconnect')]);
    // The operators' API answers no charger.
    expect([...handlers.$connect, ...handlers.call, ...handlers.$disconnect].some((e) => e.includes('operators'))).toBe(false);
    expect(handlers.clock).toContain(entry('SampleConnectedChargers'));
    expect(handlers.memoryMbOf(entry('OcppMessage') ?? '')).toBe(512);
    expect(handlers.memoryMbOf('stream/live-events.ts')).toBe(256);
  });
});

describe('messageUsage', () => {
  it('files the answering handler’s requests as the message’s and a stream consumer’s as after the answer', () => {
    const end: UsageSnapshot = {
      capacity: {
        'ws/message.ts': totals({ requests: 12, writeUnits: 13, roundTrips: 10 }),
        'stream/live-events.ts': totals({ requests: 2, readUnits: 1.5, roundTrips: 2 }),
      },
      handlers: { 'ws/message.ts': usage({ invocations: 6 }), 'stream/live-events.ts': usage({ invocations: 1, billedMs: 1000 }) },
      managementCalls: 1,
    };
    expect(messageUsage(start, end, handlers.call, handlers)).toEqual({
      answer: { requests: 2, readUnits: 0, writeUnits: 3, roundTrips: 2, invocations: 1 },
      after: { requests: 2, readUnits: 1.5, writeUnits: 0, lambdaInvocations: 1, lambdaGbSeconds: 0.25 },
      managementCalls: 1,
    });
  });

  it('adds the authorizer’s round trips to the $connect handler’s, and leaves out a schedule that fired meanwhile', () => {
    const [authorizer = '', connect = ''] = handlers.$connect;
    const clock = handlers.clock[0] ?? '';
    const end: UsageSnapshot = {
      capacity: { ...start.capacity, [authorizer]: totals({ requests: 1, readUnits: 1, roundTrips: 1 }), [connect]: totals({ requests: 1, writeUnits: 1, roundTrips: 1 }), [clock]: totals({ requests: 4, roundTrips: 1 }) },
      handlers: { ...start.handlers, [authorizer]: usage({ invocations: 1 }), [connect]: usage({ invocations: 1 }), [clock]: usage({ invocations: 1, billedMs: 50 }) },
      managementCalls: 0,
    };
    const { answer, after } = messageUsage(start, end, handlers.$connect, handlers);
    expect(answer).toEqual({ requests: 2, readUnits: 1, writeUnits: 1, roundTrips: 2, invocations: 2 });
    expect(after).toEqual({ requests: 0, readUnits: 0, writeUnits: 0, lambdaInvocations: 0, lambdaGbSeconds: 0 });
  });
});

describe('requestsByFunction', () => {
  it('splits DynamoDB requests per message by function, answering first, without SQS requests', () => {
    const before = { 'ws/message.ts': { PutItem: ops({ requests: 100 }) } };
    const after = {
      'ws/message.ts': { PutItem: ops({ requests: 300 }), GetItem: ops({ requests: 50 }) },
      'stream/live-events.ts': { Query: ops({ requests: 100 }), SendMessage: ops({ requests: 7 }) },
      'stream/release-held-commands.ts': { SendMessage: ops({ requests: 3 }) },
    };
    expect(requestsByFunction(before, after, 100, handlers)).toEqual([
      { entry: 'ws/message.ts', role: 'answers', perMessage: 2.5 },
      { entry: 'stream/live-events.ts', role: 'after the answer', perMessage: 1 },
    ]);
  });
});

describe('asActionCosts', () => {
  it('prices the answer and what follows it: units summed, the later invocations apart', () => {
    const measured: MeasuredAction = {
      calls: 1,
      readUnits: 1,
      writeUnits: 3,
      requests: 2,
      roundTrips: 2,
      lambdaInvocations: 1,
      connectionsApiCalls: 0,
      inBytes: 100,
      outBytes: 20,
      medianMs: 12,
      afterAnswer: { requests: 2, readUnits: 1.5, writeUnits: 1, lambdaInvocations: 1, lambdaGbSeconds: 0.001 },
      unsettled: 0,
    };
    expect(asActionCosts({ MeterValues: measured }, () => 512).MeterValues).toMatchObject({
      readRequestUnits: 2.5,
      writeRequestUnits: 4,
      lambdaInvocations: 1,
      lambdaMsPerInvocation: 12,
      memoryMb: 512,
      afterAnswer: { lambdaInvocations: 1, lambdaGbSeconds: 0.001 },
    });
  });
});
