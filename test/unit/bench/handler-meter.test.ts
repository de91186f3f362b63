import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { HandlerMeter } from '../../../bench/handler-meter.ts';

const context = {} as Context;
const sqsBatch = (ids: readonly string[]) => ({ Records: ids.map((messageId) => ({ messageId, eventSource: 'aws:sqs', body: '{}' })) }) as never;

describe('HandlerMeter', () => {
  it('counts invocations per entry once they finished, and which are still running', async () => {
    const meter = new HandlerMeter();
    let finish: () => void = () => undefined;
    const slow = meter.wrap('ws/message.ts', () => new Promise<void>((r) => (finish = r)));
    const running = slow({} as never, context);
    expect(meter.idle(['ws/message.ts'])).toBe(false);
    expect(meter.invocations()).toBe(0);
    finish();
    await running;
    expect(meter.idle(['ws/message.ts'])).toBe(true);
    expect(meter.snapshot('ws/message.ts')).toMatchObject({ invocations: 1, inFlight: 0, records: 0 });
    expect(meter.snapshot('ws/connect.ts').invocations).toBe(0);
    expect(meter.invocations()).toBe(1);
  });

  it('tells whether any handler runs, and hands out copies of every handler’s usage', async () => {
    const meter = new HandlerMeter();
    let finish: () => void = () => undefined;
    const stream = meter.wrap('stream/live-events.ts', () => new Promise<void>((r) => (finish = r)));
    await meter.wrap('ws/message.ts', async () => undefined)({} as never, context);
    const running = stream({} as never, context);
    expect(meter.idle()).toBe(false);
    finish();
    await running;
    expect(meter.idle()).toBe(true);
    const all = meter.snapshotAll();
    expect(Object.keys(all).sort()).toEqual(['stream/live-events.ts', 'ws/message.ts']);
    (all['ws/message.ts'] as { invocations: number }).invocations = 99;
    expect(meter.snapshot('ws/message.ts').invocations).toBe(1);
  });

  it('counts the poller’s receive per SQS batch, and its delete only when part of the batch succeeded', async () => {
    const meter = new HandlerMeter();
    const failing = new Set<string>();
    const consumer = meter.wrap('queue/dispatch-commands.ts', async (event: { Records: { messageId: string }[] }) => ({
      batchItemFailures: event.Records.filter((r) => failing.has(r.messageId)).map((r) => ({ itemIdentifier: r.messageId })),
    }));
    await consumer(sqsBatch(['a', 'b']), context); // both succeed
    failing.add('c');
    await consumer(sqsBatch(['c', 'd']), context); // d succeeds
    failing.add('e');
    await consumer(sqsBatch(['e']), context); // all failed: nothing deleted
    expect(meter.snapshot('queue/dispatch-commands.ts')).toMatchObject({ invocations: 3, records: 5, pollerRequests: { ReceiveMessage: 3, DeleteMessageBatch: 2 } });
  });

  it('deletes nothing of a batch whose handler threw, and counts no poller for other events', async () => {
    const meter = new HandlerMeter();
    const throwing = meter.wrap('queue/expire-commands.ts', async () => {
      throw new Error('down');
    });
    await expect(throwing(sqsBatch(['a']), context)).rejects.toThrow('down');
    const rest = meter.wrap('api/commands/get-command.ts', async () => ({ statusCode: 200 }));
    await rest({ httpMethod: 'GET' } as never, context);
    expect(meter.snapshot('queue/expire-commands.ts')).toMatchObject({ invocations: 1, records: 1, pollerRequests: { ReceiveMessage: 1, DeleteMessageBatch: 0 } });
    expect(meter.snapshot('api/commands/get-command.ts').pollerRequests).toEqual({ ReceiveMessage: 0, DeleteMessageBatch: 0 });
  });
});
