/**
 * What chargers are answered for groups, master pass, restricted tokens and each refusal, in OCPP 1.6 and 2.0.1,
 * through the real $default handler on DynamoDB Local; and what a restriction costs, counted with the capacity meter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { createLocation } from '#shared/location/locations.ts';
import { createIdToken, type NewIdToken } from '#shared/token/id-tokens.ts';
import { capacitySnapshot } from '#shared/store/capacity-meter.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';

let h: Harness;
// At the depot, and elsewhere (no location), per version.
const V2_DEPOT = 'CP-TA-2D';
const V2_ELSEWHERE = 'CP-TA-2E';
const V16_DEPOT = 'CP-TA-16D';
const V16_ELSEWHERE = 'CP-TA-16E';
const MESSAGE = { format: 'UTF8' as const, language: 'en', content: 'Welcome back, Ana' };

const TOKENS: NewIdToken[] = [
  { value: 'FAM-1', groupId: 'FAMILY', expiresAt: '2030-01-01T00:00:00Z', cacheLifetimeSeconds: 600, personalMessage: MESSAGE },
  { value: 'FAM-2', groupId: 'FAMILY' },
  { value: 'FAM-3', groupId: 'FAMILY' },
  { value: 'FAM-4', groupId: 'FAMILY' },
  { value: 'POL-1', groupId: 'MASTERPASS', masterPass: true },
  { value: 'POL-2', groupId: 'MASTERPASS', masterPass: true },
  { value: 'DEPOT-1', allowedLocations: ['DEPOT'] },
  { value: 'DEPOT-2', allowedLocations: ['DEPOT'] },
  { value: 'DEPOT-3', allowedLocations: ['DEPOT'] },
  { value: 'DEPOT-4', allowedLocations: ['DEPOT'] },
  { value: 'ONLY-E', allowedChargers: [V2_ELSEWHERE.toLowerCase(), V16_ELSEWHERE] },
  { value: 'FREE-1' },
  { value: 'FREE-2' },
  { value: 'FREE-3' },
  { value: 'FREE-4' },
  { value: 'BLK-1', blocked: true },
  { value: 'EXP-1', expiresAt: '2020-01-01T00:00:00Z' },
  // Restricted to the depot, with a driver's data a charger elsewhere must not learn.
  { value: 'DEPOT-FAM', allowedLocations: ['DEPOT'], groupId: 'FAMILY', expiresAt: '2030-01-01T00:00:00Z', personalMessage: MESSAGE },
  { value: 'DEPOT-BLK', allowedLocations: ['DEPOT'], groupId: 'FAMILY', blocked: true, personalMessage: MESSAGE },
  { value: 'DEPOT-POL', allowedLocations: ['DEPOT'], groupId: 'MASTERPASS', masterPass: true },
];

beforeAll(async () => {
  h = await startHarness({ CSMS_CAPACITY_METER: 'on' });
  await createLocation(h.deps, { locationId: 'DEPOT', name: 'Depot' }, 'test');
  for (const chargerId of [V2_DEPOT, V16_DEPOT]) await createCharger(h.deps, { chargerId, locationId: 'DEPOT' });
  for (const chargerId of [V2_ELSEWHERE, V16_ELSEWHERE]) await createCharger(h.deps, { chargerId });
  for (const token of TOKENS) await createIdToken(h.deps, token);
});
afterAll(async () => h?.close());

/** The answer and the DynamoDB requests it cost; the authorizer context says accepted, as on a real connection. */
const measured = async (chargerId: string, protocol: OcppProtocol, action: string, payload: unknown) => {
  const before = capacitySnapshot().requests;
  const reply = await h.call(chargerId, protocol, action, payload, 'accepted');
  return { answer: reply[2] as Record<string, unknown>, requests: capacitySnapshot().requests - before };
};
const answer = async (chargerId: string, protocol: OcppProtocol, action: string, payload: unknown) =>
  (await measured(chargerId, protocol, action, payload)).answer;

const authorize2 = (idToken: string, chargerId = V2_DEPOT) => measured(chargerId, 'ocpp2.0.1', 'Authorize', { idToken: { idToken, type: 'ISO14443' } });
const authorize16 = (idTag: string, chargerId = V16_DEPOT) => measured(chargerId, 'ocpp1.6', 'Authorize', { idTag });

const FAMILY = { idToken: 'FAMILY', type: 'Central' };
const MASTER = { idToken: 'MASTERPASS', type: 'Central' };

const event = (transactionId: string, eventType: string, seqNo: number, triggerReason: string, idToken?: string, extra: Record<string, unknown> = {}) => ({
  eventType,
  seqNo,
  timestamp: `2026-03-01T10:${String(seqNo).padStart(2, '0')}:00Z`,
  triggerReason,
  transactionInfo: { transactionId, ...(eventType === 'Ended' ? { stoppedReason: 'Local' } : {}) },
  ...(idToken ? { idToken: { idToken, type: 'ISO14443' } } : {}),
  ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 } } : {}),
  ...extra,
});

describe('OCPP 2.0.1 answers', () => {
  it('answers each status the spec names for expired, blocked, unknown and misplaced tokens', async () => {
    expect((await authorize2('BLK-1')).answer).toEqual({ idTokenInfo: { status: 'Blocked' } });
    expect((await authorize2('EXP-1')).answer).toEqual({ idTokenInfo: { status: 'Expired' } });
    expect((await authorize2('NOPE-1')).answer).toEqual({ idTokenInfo: { status: 'Unknown' } });
    expect((await authorize2('DEPOT-1', V2_ELSEWHERE)).answer).toEqual({ idTokenInfo: { status: 'NotAtThisLocation' } });
    expect((await authorize2('ONLY-E', V2_DEPOT)).answer).toEqual({ idTokenInfo: { status: 'NotAtThisLocation' } });
  });

  it('answers a group member with its group token, its personal message, and a cache expiry from its cache lifetime', async () => {
    const before = Date.now();
    const { answer: reply } = await authorize2('FAM-1');
    const after = Date.now();
    const info = reply.idTokenInfo as { cacheExpiryDateTime: string };
    expect(info).toEqual({ status: 'Accepted', groupIdToken: FAMILY, personalMessage: MESSAGE, cacheExpiryDateTime: expect.any(String) });
    // Ten minutes from when the CSMS answered (the token itself runs until 2030).
    expect(Date.parse(info.cacheExpiryDateTime)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
    expect(Date.parse(info.cacheExpiryDateTime)).toBeLessThanOrEqual(after + 600_000);
    // No lifetime set: no cache expiry, whatever the token's own expiry.
    expect((await authorize2('FAM-2')).answer).toEqual({ idTokenInfo: { status: 'Accepted', groupIdToken: FAMILY } });
  });

  it('costs Authorize nothing more for a restriction, except one GetItem of the profile for a location restriction', async () => {
    expect((await authorize2('FAM-2')).requests).toBe(2);
    expect(await authorize2('ONLY-E', V2_ELSEWHERE)).toEqual({ answer: { idTokenInfo: { status: 'Accepted' } }, requests: 2 });
    expect(await authorize2('DEPOT-1', V2_DEPOT)).toEqual({ answer: { idTokenInfo: { status: 'Accepted' } }, requests: 3 });
  });

  it('lets another token of the group stop: Authorize and the Ended answer the same group token (C09)', async () => {
    expect((await answer(V2_DEPOT, 'ocpp2.0.1', 'TransactionEvent', event('TA-G1', 'Started', 0, 'Authorized', 'FAM-2')))).toEqual({
      idTokenInfo: { status: 'Accepted', groupIdToken: FAMILY },
    });
    // The charger compares this group token with the starting token's, then stops.
    expect((await authorize2('FAM-3')).answer).toEqual({ idTokenInfo: { status: 'Accepted', groupIdToken: FAMILY } });
    expect(await answer(V2_DEPOT, 'ocpp2.0.1', 'TransactionEvent', event('TA-G1', 'Ended', 1, 'StopAuthorized', 'FAM-3'))).toEqual({
      idTokenInfo: { status: 'Accepted', groupIdToken: FAMILY },
    });
    expect(await h.deps.stores.transactions.get(V2_DEPOT, 'TA-G1')).toMatchObject({ status: 'ended', idToken: 'FAM-2' });
  });

  it('accepts a master pass with its group when presented, refuses it as the start of a transaction, and accepts it stopping one (C16)', async () => {
    expect((await authorize2('POL-1')).answer).toEqual({ idTokenInfo: { status: 'Accepted', groupIdToken: MASTER } });
    expect(await answer(V2_DEPOT, 'ocpp2.0.1', 'TransactionEvent', event('TA-M1', 'Started', 0, 'Authorized', 'POL-1'))).toEqual({
      idTokenInfo: { status: 'Invalid', groupIdToken: MASTER },
    });
    // A transaction started before authorization: the master pass authorizing it is a start too.
    await answer(V2_ELSEWHERE, 'ocpp2.0.1', 'TransactionEvent', event('TA-M2', 'Started', 0, 'CablePluggedIn'));
    expect(await answer(V2_ELSEWHERE, 'ocpp2.0.1', 'TransactionEvent', event('TA-M2', 'Updated', 1, 'Authorized', 'POL-2'))).toEqual({
      idTokenInfo: { status: 'Invalid', groupIdToken: MASTER },
    });
    // Stopping someone's transaction with it, and the Ended that follows (TC_C_49: it names the starting token).
    await answer(V2_DEPOT, 'ocpp2.0.1', 'TransactionEvent', event('TA-M3', 'Started', 0, 'Authorized', 'FAM-4'));
    expect(await answer(V2_DEPOT, 'ocpp2.0.1', 'TransactionEvent', event('TA-M3', 'Updated', 1, 'StopAuthorized', 'POL-2'))).toEqual({
      idTokenInfo: { status: 'Accepted', groupIdToken: MASTER },
    });
    const ended = event('TA-M3', 'Ended', 2, 'StopAuthorized', 'FAM-4', { transactionInfo: { transactionId: 'TA-M3', stoppedReason: 'MasterPass' } });
    expect(await answer(V2_DEPOT, 'ocpp2.0.1', 'TransactionEvent', ended)).toEqual({ idTokenInfo: { status: 'Accepted', groupIdToken: FAMILY } });
  });

  it('tells a charger where the token is not admitted its status alone: no group, message or master pass', async () => {
    expect((await authorize2('DEPOT-FAM', V2_ELSEWHERE)).answer).toEqual({ idTokenInfo: { status: 'NotAtThisLocation' } });
    expect((await authorize2('DEPOT-BLK', V2_ELSEWHERE)).answer).toEqual({ idTokenInfo: { status: 'Blocked' } });
    expect((await authorize2('DEPOT-POL', V2_ELSEWHERE)).answer).toEqual({ idTokenInfo: { status: 'NotAtThisLocation' } });
    const started = event('TA-X1', 'Started', 0, 'Authorized', 'DEPOT-FAM', { evse: { id: 5, connectorId: 1 } });
    expect(await answer(V2_ELSEWHERE, 'ocpp2.0.1', 'TransactionEvent', started)).toEqual({ idTokenInfo: { status: 'NotAtThisLocation' } });
    // Presented to stop someone's transaction there: no group to compare either (C09 needs the group).
    await answer(V2_ELSEWHERE, 'ocpp2.0.1', 'TransactionEvent', event('TA-X2', 'Started', 0, 'Authorized', 'FREE-3', { evse: { id: 6, connectorId: 1 } }));
    expect(await answer(V2_ELSEWHERE, 'ocpp2.0.1', 'TransactionEvent', event('TA-X2', 'Updated', 1, 'StopAuthorized', 'DEPOT-FAM'))).toEqual({
      idTokenInfo: { status: 'NotAtThisLocation' },
    });
    // Where it is admitted, its own status comes with what it carries.
    expect((await authorize2('DEPOT-FAM', V2_DEPOT)).answer).toEqual({ idTokenInfo: { status: 'Accepted', groupIdToken: FAMILY, personalMessage: MESSAGE } });
    expect((await authorize2('DEPOT-BLK', V2_DEPOT)).answer).toEqual({ idTokenInfo: { status: 'Blocked', groupIdToken: FAMILY, personalMessage: MESSAGE } });
    expect((await authorize2('DEPOT-POL', V2_DEPOT)).answer).toEqual({ idTokenInfo: { status: 'Accepted', groupIdToken: MASTER } });
  });

  it('refuses a start at a charger outside the token restriction with NotAtThisLocation, reading no more than any start', async () => {
    const evse = (id: number) => ({ evse: { id, connectorId: 1 } });
    const elsewhere = await answer(V2_ELSEWHERE, 'ocpp2.0.1', 'TransactionEvent', event('TA-L1', 'Started', 0, 'Authorized', 'DEPOT-2', evse(3)));
    expect(elsewhere).toEqual({ idTokenInfo: { status: 'NotAtThisLocation' } });
    const unrestricted = await measured(V2_DEPOT, 'ocpp2.0.1', 'TransactionEvent', event('TA-L0', 'Started', 0, 'Authorized', 'FREE-1', evse(3)));
    const atDepot = await measured(V2_DEPOT, 'ocpp2.0.1', 'TransactionEvent', event('TA-L2', 'Started', 0, 'Authorized', 'DEPOT-3', evse(4)));
    expect(atDepot.answer).toEqual({ idTokenInfo: { status: 'Accepted' } });
    // A Started reads the charger anyway (is it accepted? where is it?): the restriction adds no request.
    expect(atDepot.requests).toBe(unrestricted.requests);
    // A later event finds the location in the transaction: no read of the profile either.
    const stopUnrestricted = await measured(V2_DEPOT, 'ocpp2.0.1', 'TransactionEvent', event('TA-L0', 'Updated', 1, 'StopAuthorized', 'FREE-2'));
    const stop = await measured(V2_DEPOT, 'ocpp2.0.1', 'TransactionEvent', event('TA-L2', 'Updated', 1, 'StopAuthorized', 'DEPOT-1'));
    expect(stop.answer).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(stop.requests).toBe(stopUnrestricted.requests);
  });
});

describe('OCPP 1.6 answers', () => {
  const start = (chargerId: string, idTag: string, minute: number) =>
    answer(chargerId, 'ocpp1.6', 'StartTransaction', { connectorId: 1, idTag, meterStart: 0, timestamp: `2026-03-02T10:${String(minute).padStart(2, '0')}:00Z` });

  it.each([
    ['BLK-1', V16_DEPOT, { status: 'Blocked' }],
    ['EXP-1', V16_DEPOT, { status: 'Expired', expiryDate: '2020-01-01T00:00:00.000Z' }],
    ['NOPE-1', V16_DEPOT, { status: 'Invalid' }],
    ['DEPOT-1', V16_ELSEWHERE, { status: 'Invalid' }],
    ['ONLY-E', V16_DEPOT, { status: 'Invalid' }],
    ['ONLY-E', V16_ELSEWHERE, { status: 'Accepted' }],
    ['DEPOT-1', V16_DEPOT, { status: 'Accepted' }],
    ['FAM-1', V16_DEPOT, { status: 'Accepted', expiryDate: '2030-01-01T00:00:00.000Z', parentIdTag: 'FAMILY' }],
    // 1.6 has no master pass: Accepted would let the card start charging. Invalid comes alone.
    ['POL-1', V16_DEPOT, { status: 'Invalid' }],
    // Where the card is not admitted: the status alone (no parentIdTag or expiryDate).
    ['DEPOT-FAM', V16_ELSEWHERE, { status: 'Invalid' }],
    ['DEPOT-BLK', V16_ELSEWHERE, { status: 'Blocked' }],
    ['DEPOT-FAM', V16_DEPOT, { status: 'Accepted', expiryDate: '2030-01-01T00:00:00.000Z', parentIdTag: 'FAMILY' }],
    ['DEPOT-BLK', V16_DEPOT, { status: 'Blocked', parentIdTag: 'FAMILY' }],
  ])('authorizes %s at %s as %o', async (idTag, chargerId, idTagInfo) => {
    expect((await authorize16(idTag, chargerId)).answer).toEqual({ idTagInfo });
  });

  it('answers the parent in StartTransaction and in a StopTransaction by another token of the group, which ends the transaction', async () => {
    const started = (await start(V16_DEPOT, 'FAM-2', 1)) as { transactionId: number; idTagInfo: unknown };
    expect(started.idTagInfo).toEqual({ status: 'Accepted', parentIdTag: 'FAMILY' });
    // The charger compares the parents, then stops with the other card.
    expect((await authorize16('FAM-3')).answer).toEqual({ idTagInfo: { status: 'Accepted', parentIdTag: 'FAMILY' } });
    const stopped = await answer(V16_DEPOT, 'ocpp1.6', 'StopTransaction', {
      transactionId: started.transactionId,
      idTag: 'FAM-3',
      meterStop: 1200,
      timestamp: '2026-03-02T11:00:00Z',
    });
    expect(stopped).toEqual({ idTagInfo: { status: 'Accepted', parentIdTag: 'FAMILY' } });
    expect(await h.deps.stores.transactions.get(V16_DEPOT, String(started.transactionId))).toMatchObject({ status: 'ended', idToken: 'FAM-2', stopIdToken: 'FAM-3' });
  });

  it('refuses a master pass and a misplaced token at StartTransaction with Invalid alone', async () => {
    expect(await start(V16_ELSEWHERE, 'POL-1', 2)).toEqual({ transactionId: expect.any(Number), idTagInfo: { status: 'Invalid' } });
    expect(await start(V16_ELSEWHERE, 'DEPOT-2', 3)).toMatchObject({ idTagInfo: { status: 'Invalid' } });
    expect(await start(V16_DEPOT, 'DEPOT-4', 4)).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    expect(await start(V16_ELSEWHERE, 'DEPOT-FAM', 5)).toEqual({ transactionId: expect.any(Number), idTagInfo: { status: 'Invalid' } });
  });

  it('answers a StopTransaction by a card not admitted at the charger with Invalid alone', async () => {
    const started = (await start(V16_ELSEWHERE, 'FREE-4', 6)) as { transactionId: number; idTagInfo: unknown };
    expect(started.idTagInfo).toEqual({ status: 'Accepted' });
    const stopped = await answer(V16_ELSEWHERE, 'ocpp1.6', 'StopTransaction', {
      transactionId: started.transactionId,
      idTag: 'DEPOT-FAM',
      meterStop: 100,
      timestamp: '2026-03-02T11:30:00Z',
    });
    expect(stopped).toEqual({ idTagInfo: { status: 'Invalid' } });
  });
});
