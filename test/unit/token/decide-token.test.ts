import { describe, expect, it } from 'vitest';
import { admitsPlace, decideToken, needsLocation, tokenPurposeOfEvent, type IdTokenRecord, type TokenVerdict } from '#shared/token/id-tokens.ts';
import { idTagInfoV16, idTokenInfoV2 } from '#shared/inbound/token-info.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const token = (o: Partial<IdTokenRecord> = {}): IdTokenRecord => ({
  value: 'TAG-1',
  tokenType: 'ISO14443',
  blocked: false,
  createdAt: '2026-01-01T00:00:00Z',
  ...o,
});
const HERE = { chargerId: 'CP-1', locationId: 'LOC-A' };

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
  it('speaks each version: expiry and parent in 1.6, group token in 2.x, and no cache expiry without a cache lifetime', () => {
    const d = decideToken(token({ expiresAt: '2027-01-01T00:00:00.000Z', groupId: 'G' }), NOW, false);
    expect(idTagInfoV16(d)).toEqual({ status: 'Accepted', expiryDate: '2027-01-01T00:00:00.000Z', parentIdTag: 'G' });
    // The token's own expiry is no cache lifetime: 2.x says nothing of the cache then.
    expect(idTokenInfoV2(d)).toEqual({ status: 'Accepted', groupIdToken: { idToken: 'G', type: 'Central' } });
  });
});

describe('statuses in each version', () => {
  // Each way a token is refused, with the words 1.6 (AuthorizationStatus) and 2.x (AuthorizationStatusEnumType) use.
  const cases: [string, IdTokenRecord | undefined, boolean, TokenVerdict, string, string][] = [
    ['unknown', undefined, false, 'Unknown', 'Invalid', 'Unknown'],
    ['blocked', token({ blocked: true }), false, 'Blocked', 'Blocked', 'Blocked'],
    ['expired', token({ expiresAt: '2026-05-31T23:59:59Z' }), false, 'Expired', 'Expired', 'Expired'],
    ['not at this location', token({ allowedLocations: ['LOC-B'] }), false, 'NotAtThisLocation', 'Invalid', 'NotAtThisLocation'],
    ['in use', token(), true, 'ConcurrentTx', 'ConcurrentTx', 'ConcurrentTx'],
    ['accepted', token(), false, 'Accepted', 'Accepted', 'Accepted'],
  ];
  it.each(cases)('%s', (_name, record, inUse, verdict, v16, v2) => {
    const d = decideToken(record, NOW, inUse, { place: HERE });
    expect(d.verdict).toBe(verdict);
    expect(idTagInfoV16(d).status).toBe(v16);
    expect(idTokenInfoV2(d).status).toBe(v2);
  });

  it('a master pass starting is Invalid in both versions (1.6 Invalid alone)', () => {
    const d = decideToken(token({ groupId: 'POLICE', masterPass: true }), NOW, false, { purpose: 'start', place: HERE });
    expect(idTagInfoV16(d)).toEqual({ status: 'Invalid' });
    expect(idTokenInfoV2(d)).toEqual({ status: 'Invalid', groupIdToken: { idToken: 'POLICE', type: 'Central' } });
  });

  it('blocked beats expired beats the place beats being a master pass beats concurrent use', () => {
    const everything = { blocked: true, expiresAt: '2020-01-01T00:00:00Z', allowedChargers: ['CP-9'], groupId: 'P', masterPass: true };
    const order: [Partial<IdTokenRecord>, TokenVerdict][] = [
      [everything, 'Blocked'],
      [{ ...everything, blocked: false }, 'Expired'],
      [{ ...everything, blocked: false, expiresAt: '2030-01-01T00:00:00Z' }, 'NotAtThisLocation'],
      [{ groupId: 'P', masterPass: true }, 'Invalid'],
    ];
    for (const [fields, verdict] of order) expect(decideToken(token(fields), NOW, true, { purpose: 'start', place: HERE }).verdict).toBe(verdict);
  });
});

describe('what a charger is told besides the status', () => {
  const personalMessage = { format: 'UTF8' as const, content: 'Welcome back, Jane' };
  const driver = { groupId: 'DOE-FAMILY', expiresAt: '2030-01-01T00:00:00.000Z', personalMessage, cacheLifetimeSeconds: 600 };
  const ELSEWHERE = { chargerId: 'CP-9', locationId: 'LOC-B' };

  it('tells a charger where the token is not admitted its status alone, whatever refuses it', () => {
    const cases: [Partial<IdTokenRecord>, TokenVerdict, string][] = [
      [{ ...driver, allowedChargers: ['CP-1'] }, 'NotAtThisLocation', 'Invalid'],
      [{ ...driver, allowedLocations: ['LOC-A'], blocked: true }, 'Blocked', 'Blocked'],
      [{ ...driver, allowedLocations: ['LOC-A'], expiresAt: '2026-01-01T00:00:00.000Z' }, 'Expired', 'Expired'],
      [{ ...driver, allowedLocations: ['LOC-A'], groupId: 'POLICE', masterPass: true }, 'NotAtThisLocation', 'Invalid'],
    ];
    for (const [fields, verdict, v16] of cases) {
      const d = decideToken(token(fields), NOW, false, { place: ELSEWHERE });
      expect(d).toEqual({ verdict });
      expect(idTokenInfoV2(d)).toEqual({ status: verdict });
      expect(idTagInfoV16(d)).toEqual({ status: v16 });
    }
    // Without a known place a restricted token is admitted nowhere: the same.
    expect(decideToken(token({ ...driver, allowedChargers: ['CP-1'] }), NOW, false)).toEqual({ verdict: 'NotAtThisLocation' });
  });

  it('keeps the facts where the token is admitted, refused or not', () => {
    const here = { ...driver, allowedLocations: ['LOC-A'] };
    expect(idTokenInfoV2(decideToken(token({ ...here, blocked: true }), NOW, false, { place: HERE }))).toEqual({
      status: 'Blocked',
      groupIdToken: { idToken: 'DOE-FAMILY', type: 'Central' },
      personalMessage,
    });
    expect(idTagInfoV16(decideToken(token({ ...here, expiresAt: '2026-01-01T00:00:00.000Z' }), NOW, false, { place: HERE }))).toEqual({
      status: 'Expired',
      expiryDate: '2026-01-01T00:00:00.000Z',
      parentIdTag: 'DOE-FAMILY',
    });
    expect(idTagInfoV16(decideToken(token(here), NOW, true, { place: HERE }))).toEqual({
      status: 'ConcurrentTx',
      expiryDate: '2030-01-01T00:00:00.000Z',
      parentIdTag: 'DOE-FAMILY',
    });
  });

  it('answers 1.6 Invalid alone, and never a master pass group as parentIdTag', () => {
    // An accepted token refused for one start (an EVSE reserved for another) becomes Invalid: reserved-evses.ts.
    const refused = { ...decideToken(token(driver), NOW, false, { place: HERE }), verdict: 'Invalid' as const };
    expect(idTagInfoV16(refused)).toEqual({ status: 'Invalid' });
    const blockedMaster = decideToken(token({ groupId: 'POLICE', masterPass: true, blocked: true, expiresAt: driver.expiresAt }), NOW, false, { place: HERE });
    expect(idTagInfoV16(blockedMaster)).toEqual({ status: 'Blocked', expiryDate: driver.expiresAt });
  });

  it('answers a 2.x cache expiry with Accepted only, also when a start turns an accepted token into Invalid', () => {
    const accepted = decideToken(token(driver), NOW, false, { place: HERE });
    expect(accepted.cacheExpiresAt).toBe('2026-06-01T00:10:00.000Z');
    expect(idTokenInfoV2({ ...accepted, verdict: 'Invalid' })).toEqual({
      status: 'Invalid',
      groupIdToken: { idToken: 'DOE-FAMILY', type: 'Central' },
      personalMessage,
    });
  });
});

describe('master pass (OCPP 2.0.1 C16)', () => {
  const master = token({ groupId: 'POLICE', masterPass: true });

  it('is accepted with its group when authorized or stopping: the 2.x charger compares the group with AuthCtrlr.MasterPassGroupId', () => {
    for (const purpose of ['authorize', 'stop'] as const) {
      const d = decideToken(master, NOW, false, { purpose });
      expect(d).toEqual({ verdict: 'Accepted', groupId: 'POLICE', masterPass: true });
      expect(idTokenInfoV2(d)).toEqual({ status: 'Accepted', groupIdToken: { idToken: 'POLICE', type: 'Central' } });
    }
  });

  it('is Invalid in every 1.6 answer (1.6 has no master pass; Accepted would let it start), unless something else refuses it', () => {
    expect(idTagInfoV16(decideToken(master, NOW, false, { purpose: 'authorize' })).status).toBe('Invalid');
    expect(idTagInfoV16(decideToken(master, NOW, false, { purpose: 'stop' })).status).toBe('Invalid');
    expect(idTagInfoV16(decideToken({ ...master, blocked: true }, NOW, false)).status).toBe('Blocked');
  });

  it('is no master pass without a group (an ordinary token)', () => {
    const d = decideToken(token({ masterPass: true }), NOW, false, { purpose: 'start' });
    expect(d).toEqual({ verdict: 'Accepted' });
  });

  it('is never ConcurrentTx: it has no transaction of its own, and stops any number', () => {
    expect(decideToken(master, NOW, true, { purpose: 'start' }).verdict).toBe('Invalid');
    expect(decideToken(master, NOW, true, { purpose: 'stop' }).verdict).toBe('Accepted');
    expect(decideToken(master, NOW, true, { purpose: 'authorize' }).verdict).toBe('Accepted');
  });
});

describe('restriction to chargers and locations', () => {
  it('admits an unrestricted token anywhere, even where the place is not known', () => {
    expect(admitsPlace(token(), undefined)).toBe(true);
    expect(admitsPlace(token(), HERE)).toBe(true);
  });
  it('admits a restricted token at a charger it names (any case) or at a location it names, and nowhere else', () => {
    const t = token({ allowedChargers: ['cp-7'], allowedLocations: ['LOC-A'] });
    expect(admitsPlace(t, { chargerId: 'CP-7' })).toBe(true);
    expect(admitsPlace(t, { chargerId: 'CP-8', locationId: 'LOC-A' })).toBe(true);
    expect(admitsPlace(t, { chargerId: 'CP-8', locationId: 'LOC-B' })).toBe(false);
    expect(admitsPlace(t, { chargerId: 'CP-8' })).toBe(false);
    // Location ids are matched as written (a location's id is case-sensitive).
    expect(admitsPlace(t, { chargerId: 'CP-8', locationId: 'loc-a' })).toBe(false);
  });
  it('fails closed: a restricted token without a known place is NotAtThisLocation', () => {
    expect(decideToken(token({ allowedChargers: ['CP-1'] }), NOW, false).verdict).toBe('NotAtThisLocation');
  });
  it('asks for the location only when the charger id alone does not admit a token restricted to locations', () => {
    expect(needsLocation(token(), 'CP-1')).toBe(false);
    expect(needsLocation(undefined, 'CP-1')).toBe(false);
    expect(needsLocation(token({ allowedChargers: ['CP-1'] }), 'CP-2')).toBe(false);
    expect(needsLocation(token({ allowedLocations: ['LOC-A'], allowedChargers: ['CP-1'] }), 'cp-1')).toBe(false);
    expect(needsLocation(token({ allowedLocations: ['LOC-A'] }), 'CP-1')).toBe(true);
  });
});

describe('cache lifetime and personal message (2.x idTokenInfo)', () => {
  it('answers cacheExpiryDateTime as now plus the lifetime', () => {
    const d = decideToken(token({ cacheLifetimeSeconds: 3600 }), NOW, false);
    expect(idTokenInfoV2(d)).toEqual({ status: 'Accepted', cacheExpiryDateTime: '2026-06-01T01:00:00.000Z' });
    // 1.6 has no cache expiry of its own: its expiryDate stays the token's.
    expect(idTagInfoV16(d)).toEqual({ status: 'Accepted' });
  });
  it('never past the token expiry', () => {
    const d = decideToken(token({ cacheLifetimeSeconds: 86_400, expiresAt: '2026-06-01T06:00:00.000Z' }), NOW, false);
    expect(d.cacheExpiresAt).toBe('2026-06-01T06:00:00.000Z');
  });
  it('only on an accepted answer: a refusal has nothing for a cache to let through', () => {
    expect(decideToken(token({ cacheLifetimeSeconds: 60, blocked: true }), NOW, false).cacheExpiresAt).toBeUndefined();
    expect(decideToken(token({ cacheLifetimeSeconds: 60, expiresAt: '2026-01-01T00:00:00Z' }), NOW, false).cacheExpiresAt).toBeUndefined();
  });
  it('carries the personal message in 2.x whatever the status, and never in 1.6', () => {
    const personalMessage = { format: 'UTF8' as const, language: 'de', content: 'Karte gesperrt: bitte melden Sie sich' };
    const d = decideToken(token({ blocked: true, personalMessage }), NOW, false);
    expect(idTokenInfoV2(d)).toEqual({ status: 'Blocked', personalMessage });
    expect(idTagInfoV16(d)).toEqual({ status: 'Blocked' });
  });
  it('leaves out a 1.6 parentIdTag longer than 1.6 allows (CiString20); 2.x carries it', () => {
    const d = decideToken(token({ groupId: 'G'.repeat(21) }), NOW, false);
    expect(idTagInfoV16(d)).toEqual({ status: 'Accepted' });
    expect(idTokenInfoV2(d).groupIdToken).toEqual({ idToken: 'G'.repeat(21), type: 'Central' });
  });
});

describe('tokenPurposeOfEvent (2.x TransactionEvent)', () => {
  it('starts with Started or triggerReason Authorized; anything else, and any Ended, is no start', () => {
    expect(tokenPurposeOfEvent({ eventType: 'Started', triggerReason: 'CablePluggedIn' })).toBe('start');
    expect(tokenPurposeOfEvent({ eventType: 'Updated', triggerReason: 'Authorized' })).toBe('start');
    expect(tokenPurposeOfEvent({ eventType: 'Updated', triggerReason: 'StopAuthorized' })).toBe('stop');
    expect(tokenPurposeOfEvent({ eventType: 'Ended', triggerReason: 'Authorized' })).toBe('stop');
    expect(tokenPurposeOfEvent({ eventType: 'Ended', triggerReason: 'StopAuthorized' })).toBe('stop');
  });
});
