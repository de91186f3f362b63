/**
 * The PublishLiveEvents stream handler itself (functions/stream/live-events.ts) on DynamoDB Local, with a small
 * @connections endpoint that records what it is sent: a record it cannot read is skipped and logged while the rest of
 * the batch goes out (failing the batch would hold the shard's other events back through every retry), and a record
 * that is not an event (a heartbeat's presence touch) sends nothing.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargerTarget } from '#shared/live/live-event.ts';
import { connectionsEndpoint, lambdaContext, startHarness, type Harness } from '../../support/handler-harness.ts';

let h: Harness;
let server: Server;
const posted: { connectionId: string; body: string }[] = [];
type Handler = (event: unknown, context: unknown) => Promise<unknown>;
let publish: Handler;

beforeAll(async () => {
  server = await connectionsEndpoint({ posts: posted, postStatus: () => 200 });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  h = await startHarness({ OPERATORS_WS_MANAGEMENT_ENDPOINT: endpoint });
  publish = ((await import('../../../functions/stream/live-events.ts')) as { handler: Handler }).handler;
  await h.deps.stores.liveSubscriptions.open({ connectionId: 'op-1', principal: 'viewer', connectedAt: new Date().toISOString() });
  await h.deps.stores.liveSubscriptions.subscribe('op-1', [chargerTarget('CP-LIVE')], ['status', 'commands']);
});
afterAll(async () => {
  server?.close();
  await h?.close();
});

const record = (eventID: string, NewImage: Record<string, unknown>, OldImage?: Record<string, unknown>) => ({
  eventID,
  eventName: OldImage ? 'MODIFY' : 'INSERT',
  eventSource: 'aws:dynamodb',
  dynamodb: { ApproximateCreationDateTime: 1_790_000_000, Keys: {}, NewImage, ...(OldImage ? { OldImage } : {}), SequenceNumber: eventID, StreamViewType: 'NEW_AND_OLD_IMAGES' },
});
const connector = (status: string) => ({
  pk: { S: 'CHARGER#cp-live' },
  sk: { S: 'CONNECTOR#1#1' },
  type: { S: 'Connector' },
  chargerId: { S: 'CP-LIVE' },
  evseId: { N: '1' },
  connectorId: { N: '1' },
  status: { S: status },
});

describe('PublishLiveEvents', () => {
  it('skips a record it cannot read and delivers the rest of the batch', async () => {
    posted.length = 0;
    // A value without a type, as no DynamoDB stream writes it: `unmarshall` throws on it.
    const unreadable = record('r1', { pk: { S: 'CMD#1' }, sk: { S: 'COMMAND' }, type: { S: 'Command' }, chargerId: { S: 'CP-LIVE' }, payload: {} });
    await publish({ Records: [unreadable, record('r2', connector('Charging'), connector('Available'))] }, lambdaContext('PublishLiveEvents'));
    expect(posted.map((p) => ({ ...p, body: JSON.parse(p.body) as unknown }))).toEqual([{ connectionId: 'op-1', body: expect.objectContaining({ eventId: 'r2', kind: 'status', chargerId: 'CP-LIVE', data: expect.objectContaining({ status: 'Charging' }) }) }]);
  });

  it('sends nothing for a change that is no event', async () => {
    posted.length = 0;
    const presence = (lastSeenAt: string) => ({ pk: { S: 'CHARGER#cp-live' }, sk: { S: 'PRESENCE' }, type: { S: 'Presence' }, chargerId: { S: 'CP-LIVE' }, connected: { BOOL: true }, lastSeenAt: { S: lastSeenAt } });
    await publish({ Records: [record('r3', presence('2026-01-01T00:01:00Z'), presence('2026-01-01T00:00:00Z'))] }, lambdaContext('PublishLiveEvents'));
    expect(posted).toEqual([]);
  });
});
