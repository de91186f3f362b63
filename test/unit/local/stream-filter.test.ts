/**
 * The local stream host's filter (bin/local/hosts/stream.ts `matches`), which must deliver exactly what Lambda's
 * filter criteria built from the same route deliver on AWS (lib/event-sources.ts; its pattern is checked in
 * test/cdk/route-kinds.test.ts): one of the route's types, and each of its `withAttributes` present as a string.
 */
import type { AttributeValue, _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { matches } from '../../../bin/local/hosts/stream.ts';
import type { StreamRoute } from '../../../functions/routes.ts';

const route = (extra: Partial<StreamRoute> = {}): StreamRoute => ({
  kind: 'stream',
  id: 'Fixture',
  table: 'Csms',
  types: ['Presence', 'Charger'],
  onFailure: 'ChangeFeedFailures',
  entry: 'kinds/stream.ts',
  access: {},
  ...extra,
});
const record = (newImage?: Record<string, AttributeValue>): StreamRecord => ({ eventName: 'MODIFY', dynamodb: newImage ? { NewImage: newImage } : {} });

describe('the local stream filter', () => {
  it('delivers items of the route’s types only, and nothing without a new image', () => {
    expect(matches(route(), record({ type: { S: 'Presence' } }))).toBe(true);
    expect(matches(route(), record({ type: { S: 'Connector' } }))).toBe(false);
    expect(matches(route(), record({ kind: { S: 'Presence' } }))).toBe(false);
    expect(matches(route(), record())).toBe(false);
  });

  it('with withAttributes, delivers only items that have each of them as a string', () => {
    const marked = route({ withAttributes: ['heldCommandsAt', 'chargerId'] });
    expect(matches(marked, record({ type: { S: 'Presence' }, heldCommandsAt: { S: '2026-12-07T10:00:00.000Z' }, chargerId: { S: 'CP-1' } }))).toBe(true);
    expect(matches(marked, record({ type: { S: 'Presence' }, chargerId: { S: 'CP-1' } }))).toBe(false);
    expect(matches(marked, record({ type: { S: 'Presence' }, heldCommandsAt: { N: '1' }, chargerId: { S: 'CP-1' } }))).toBe(false);
    expect(matches(marked, record({ type: { S: 'Connector' }, heldCommandsAt: { S: 'x' }, chargerId: { S: 'CP-1' } }))).toBe(false);
  });
});
