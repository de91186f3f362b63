import { describe, expect, it } from 'vitest';
import { decideToken, type IdTokenRecord } from '#shared/token/id-tokens.ts';
import { idTagInfoV16, idTokenInfoV2 } from '#shared/inbound/token-info.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const token = (o: Partial<IdTokenRecord> = {}): IdTokenRecord => ({
  value: 'TAG-1',
  tokenType: 'ISO14443',
  blocked: false,
  createdAt: '2026-01-01T00:00:00Z',
  ...o,
});

describe('decideToken', () => {
  it('accepts a valid token and reports its group as parent', () => {
    expect(decideToken(token({ groupId: 'FLEET' }), NOW, false)).toEqual({ verdict: 'Accepted', groupId: 'FLEET' });
  });
  it('calls an unknown token Unknown (1.6 Invalid)', () => {
    const d = decideToken(undefined, NOW, false);
    expect(d.verdict).toBe('Unknown');
    expect(idTagInfoV16(d)).toEqual({ status: 'Invalid' });
    expect(idTokenInfoV2(d)).toEqual({ status: 'Unknown' });
  });
  it('blocks before anything else', () => {
    expect(decideToken(token({ blocked: true, expiresAt: '2020-01-01T00:00:00Z' }), NOW, true).verdict).toBe('Blocked');
  });
  it('expires at the expiry instant', () => {
    expect(decideToken(token({ expiresAt: NOW.toISOString() }), NOW, false).verdict).toBe('Expired');
    expect(decideToken(token({ expiresAt: '2026-06-01T00:00:01Z' }), NOW, false).verdict).toBe('Accepted');
  });
  it('refuses a second concurrent transaction', () => {
    expect(decideToken(token(), NOW, true).verdict).toBe('ConcurrentTx');
  });
  it('speaks each version: expiry and parent in 1.6, cache expiry and group token in 2.x', () => {
    const d = decideToken(token({ expiresAt: '2027-01-01T00:00:00.000Z', groupId: 'G' }), NOW, false);
    expect(idTagInfoV16(d)).toEqual({ status: 'Accepted', expiryDate: '2027-01-01T00:00:00.000Z', parentIdTag: 'G' });
    expect(idTokenInfoV2(d)).toEqual({
      status: 'Accepted',
      cacheExpiryDateTime: '2027-01-01T00:00:00.000Z',
      groupIdToken: { idToken: 'G', type: 'Central' },
    });
  });
});
