/**
 * The capacity meter's round trips per scope: a handler's sequential round trips are its own, however another
 * handler's requests overlap them. DynamoDB is stood in for by a middleware that answers when the test says so.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { capacityByScope, capacitySnapshot, meterCapacity, resetCapacity, scopeRequests } from '#shared/store/capacity-meter.ts';

/** A client whose GetItem on table `t` stays in flight until `answer(t)`, then reports 0.5 read units. */
const heldClient = () => {
  const waiting = new Map<string, () => void>();
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
  meterCapacity(client);
  client.middlewareStack.add(
    () => async (args) => {
      const table = (args.input as { TableName: string }).TableName;
      await new Promise<void>((resolve) => waiting.set(table, resolve));
      return { output: { $metadata: {}, ConsumedCapacity: { CapacityUnits: 0.5 } }, response: {} };
    },
    // After the meter (same step, lower priority): the request never leaves the process.
    { step: 'initialize', priority: 'low', name: 'heldAnswer' },
  );
  const answer = async (table: string) => {
    while (!waiting.has(table)) await new Promise((r) => setTimeout(r, 1));
    waiting.get(table)?.();
    waiting.delete(table);
  };
  return { client, answer };
};

afterEach(() => scopeRequests(() => ''));

describe('capacityByScope', () => {
  it('counts a scope’s round trips apart from another scope’s overlapping requests', async () => {
    resetCapacity();
    const { client, answer } = heldClient();
    let scope = '';
    scopeRequests(() => scope);
    const get = (table: string, by: string) => {
      scope = by;
      const sent = client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'x' } } }));
      scope = '';
      return sent;
    };

    // The stream handler's request stays in flight while the message handler makes two sequential ones.
    const slow = get('stream-1', 'stream/live-events.ts');
    const first = get('message-1', 'ws/message.ts');
    await answer('message-1');
    await first;
    const second = get('message-2', 'ws/message.ts');
    await answer('message-2');
    await second;
    await answer('stream-1');
    await slow;

    expect(capacityByScope()).toEqual({
      'stream/live-events.ts': { requests: 1, readUnits: 0.5, writeUnits: 0, roundTrips: 1 },
      'ws/message.ts': { requests: 2, readUnits: 1, writeUnits: 0, roundTrips: 2 },
    });
    // All together, everything overlapped the stream handler's request: one round trip.
    expect(capacitySnapshot()).toEqual({ requests: 3, readUnits: 1.5, writeUnits: 0, roundTrips: 1 });
    client.destroy();
  });

  it('counts parallel requests of one scope once, and starts from nothing after a reset', async () => {
    resetCapacity();
    const { client, answer } = heldClient();
    scopeRequests(() => 'ws/message.ts');
    const both = Promise.all(['a', 'b'].map((t) => client.send(new GetItemCommand({ TableName: t, Key: { pk: { S: 'x' } } }))));
    await answer('a');
    await answer('b');
    await both;
    expect(capacityByScope()['ws/message.ts']).toMatchObject({ requests: 2, roundTrips: 1 });
    resetCapacity();
    expect(capacityByScope()).toEqual({});
    client.destroy();
  });
});
