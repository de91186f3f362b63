import { describe, expect, it } from 'vitest';
import { parseSubscriptionMessage, tokenOfSubprotocols } from '#shared/live/live-event.ts';
import { liveEventOf } from '#shared/store/live-event-images.ts';

const AT = '2026-01-01T00:00:00.000Z';

describe('liveEventOf', () => {
  it('shows a command’s status change without its unmasked payload or key attributes', () => {
    const before = { pk: 'CMD#1', sk: 'COMMAND', type: 'Command', chargerId: 'CP-1', commandId: '1', status: 'queued', sendPayload: { key: 'secret' }, nextPasswordHash: 'h', expiresAt: 1 };
    const event = liveEventOf({ eventName: 'MODIFY', oldImage: before, newImage: { ...before, status: 'sent', gsi1pk: 'x' } }, 'rec-1', AT);
    expect(event).toEqual({ type: 'event', eventId: 'rec-1', kind: 'commands', chargerId: 'CP-1', at: AT, data: { chargerId: 'CP-1', commandId: '1', status: 'sent' } });
  });

  it('ignores writes that move nothing its kind is about, removals and other types', () => {
    const presence = { type: 'Presence', chargerId: 'CP-1', connected: true, connectionId: 'c1', lastSeenAt: 'a' };
    expect(liveEventOf({ eventName: 'MODIFY', oldImage: presence, newImage: { ...presence, lastSeenAt: 'b' } }, 'r', AT)).toBeUndefined();
    expect(liveEventOf({ eventName: 'MODIFY', oldImage: presence, newImage: { ...presence, connected: false } }, 'r', AT)).toMatchObject({ kind: 'status', data: { connected: false } });
    expect(liveEventOf({ eventName: 'REMOVE', oldImage: presence }, 'r', AT)).toBeUndefined();
    expect(liveEventOf({ eventName: 'INSERT', newImage: { type: 'ChargerCredentials', chargerId: 'CP-1', passwordHash: 'h' } }, 'r', AT)).toBeUndefined();
    const meter = { type: 'MeterValue', chargerId: 'CP-1', timestamp: AT };
    expect(liveEventOf({ eventName: 'MODIFY', oldImage: meter, newImage: meter }, 'r', AT)).toBeUndefined();
    expect(liveEventOf({ eventName: 'INSERT', newImage: meter }, 'r', AT)).toMatchObject({ kind: 'meterValues' });
  });

  it('carries a transaction’s location', () => {
    expect(liveEventOf({ eventName: 'INSERT', newImage: { type: 'Transaction', chargerId: 'CP-1', locationId: 'LIS-1' } }, 'r', AT)).toMatchObject({ kind: 'transactions', locationId: 'LIS-1' });
  });
});

describe('parseSubscriptionMessage', () => {
  it('reads chargers (case-insensitively), locations and kinds; none named is every charger', () => {
    expect(parseSubscriptionMessage('{"action":"subscribe","chargers":["CP-1"],"locations":["LIS-1"],"kinds":["status"]}')).toEqual({
      ok: true,
      change: { action: 'subscribe', targets: ['charger:cp-1', 'location:LIS-1'], kinds: ['status'] },
    });
    expect(parseSubscriptionMessage('{"action":"subscribe"}')).toMatchObject({ ok: true, change: { targets: ['all'] } });
    expect(parseSubscriptionMessage('{"action":"unsubscribe"}')).toMatchObject({ ok: true, change: { targets: [] } });
  });

  it('refuses anything else: publishing, unknown kinds or fields, too many targets, no JSON', () => {
    for (const text of [
      '{"action":"publish","chargerId":"CP-1"}',
      '{"type":"event","kind":"status"}',
      '{"action":"subscribe","kinds":["gossip"]}',
      '{"action":"subscribe","chargers":["CP-1"],"data":{}}',
      JSON.stringify({ action: 'subscribe', chargers: Array.from({ length: 51 }, (_, i) => `CP-${i}`) }),
      'not json',
      undefined,
    ]) {
      expect(parseSubscriptionMessage(text), String(text)).toMatchObject({ ok: false });
    }
  });
});

describe('tokenOfSubprotocols', () => {
  it('finds the bearer token among the offered subprotocols', () => {
    expect(tokenOfSubprotocols('csms-live.v1, bearer.aaa.bbb.ccc')).toBe('aaa.bbb.ccc');
    expect(tokenOfSubprotocols('csms-live.v1')).toBeUndefined();
    expect(tokenOfSubprotocols('bearer.')).toBeUndefined();
  });
});
