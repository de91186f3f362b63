import { describe, expect, it } from 'vitest';
import { checkReservedEvse, heldEvseOf, holdOf, tokenMatches, type EvseHold, type HeldEvses } from '#shared/reservation/reserved-evses.ts';
import type { TokenDecision } from '#shared/token/id-tokens.ts';
import { idTagInfoV16, idTokenInfoV2 } from '#shared/inbound/token-info.ts';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const hold = (o: Partial<EvseHold> = {}): EvseHold => ({ reservationId: 7, idToken: 'TAG-A', expiry: '2026-06-01T13:00:00.000Z', ...o });
const held = (evse: number, o: Partial<EvseHold> = {}): HeldEvses => ({ [evse]: hold(o) });
const accepted: TokenDecision = { verdict: 'Accepted' };

describe('the EVSE a reservation holds', () => {
  it('is the 1.6 connector (its own EVSE) or the 2.x evseId; a whole-charger or any-EVSE reservation holds none', () => {
    expect(heldEvseOf({ connectorId: 2 })).toBe(2);
    expect(heldEvseOf({ evseId: 3 })).toBe(3);
    expect(heldEvseOf({ connectorId: 0 })).toBeUndefined();
    expect(heldEvseOf({})).toBeUndefined();
  });

  it('keeps who may use it and until when, in UTC', () => {
    expect(
      holdOf({ chargerId: 'CP', reservationId: 9, expiry: '2026-06-01T14:00:00+02:00', connectorId: 1, idToken: 'T', groupIdToken: 'G' }),
    ).toEqual({ reservationId: 9, idToken: 'T', groupIdToken: 'G', expiry: '2026-06-01T12:00:00.000Z' });
  });
});

describe('tokenMatches (1.6 §5.13: idTag or parent matches idTag or parent of the reservation)', () => {
  it.each([
    ['the reserved token', hold(), { value: 'TAG-A' }, undefined, true],
    ['another token', hold(), { value: 'TAG-B' }, undefined, false],
    ['the reserved value of another 2.x type', hold({ idTokenType: 'ISO14443' }), { value: 'TAG-A', type: 'eMAID' }, undefined, false],
    ['the reserved value and type', hold({ idTokenType: 'ISO14443' }), { value: 'TAG-A', type: 'ISO14443' }, undefined, true],
    ['a token whose group is the reservation’s group', hold({ groupIdToken: 'FLEET' }), { value: 'TAG-B' }, 'FLEET', true],
    ['a token whose group is the reserved token', hold(), { value: 'TAG-B' }, 'TAG-A', true],
    ['the reservation’s group presented itself', hold({ groupIdToken: 'FLEET' }), { value: 'FLEET' }, undefined, true],
    ['a token of another group', hold({ groupIdToken: 'FLEET' }), { value: 'TAG-B' }, 'OTHER', false],
    ['the reserved token in another case (id tokens are case-insensitive)', hold(), { value: 'tag-a' }, undefined, true],
    ['the reservation’s group in another case', hold({ groupIdToken: 'FLEET' }), { value: 'TAG-B' }, 'Fleet', true],
    ['a token whose group is the reserved token in another case', hold(), { value: 'TAG-B' }, 'Tag-A', true],
  ] as const)('%s', (_name, h, token, group, expected) => {
    expect(tokenMatches(h, token, group)).toBe(expected);
  });
});

describe('checkReservedEvse', () => {
  it('refuses another token on a held EVSE with Invalid, in both versions’ words', () => {
    const checked = checkReservedEvse(held(1), { evseId: 1, token: { value: 'TAG-B' } }, { verdict: 'Accepted', groupId: 'OTHER' }, NOW);
    expect(checked).toEqual({ decision: { verdict: 'Invalid', groupId: 'OTHER' }, refusedFor: 7 });
    expect(idTagInfoV16(checked.decision!).status).toBe('Invalid');
    expect(idTokenInfoV2(checked.decision!).status).toBe('Invalid');
  });

  it('accepts the reserved token and uses the reservation up, with or without the reservation id', () => {
    expect(checkReservedEvse(held(1), { evseId: 1, token: { value: 'TAG-A' } }, accepted, NOW)).toEqual({ decision: accepted, uses: 7 });
    expect(checkReservedEvse(held(1), { evseId: 1, token: { value: 'TAG-A' }, reservationId: 7 }, accepted, NOW)).toEqual({ decision: accepted, uses: 7 });
  });

  it('accepts a member of the reservation’s group', () => {
    expect(checkReservedEvse(held(1, { groupIdToken: 'FLEET' }), { evseId: 1, token: { value: 'TAG-C' }, tokenGroup: 'FLEET' }, accepted, NOW)).toEqual({ decision: accepted, uses: 7 });
  });

  it('trusts the charger that names the reservation held there', () => {
    expect(checkReservedEvse(held(1), { evseId: 1, token: { value: 'TAG-Z' }, reservationId: 7 }, accepted, NOW)).toEqual({ decision: accepted, uses: 7 });
  });

  it('leaves other EVSEs, and a hold past its expiry, alone', () => {
    expect(checkReservedEvse(held(1), { evseId: 2, token: { value: 'TAG-B' } }, accepted, NOW)).toEqual({ decision: accepted });
    const expired = held(1, { expiry: NOW.toISOString() });
    expect(checkReservedEvse(expired, { evseId: 1, token: { value: 'TAG-B' } }, accepted, NOW)).toEqual({ decision: accepted });
    expect(checkReservedEvse(undefined, { evseId: 1, token: { value: 'TAG-B' } }, accepted, NOW)).toEqual({ decision: accepted });
  });

  it('keeps a refusal the token earned itself, and uses nothing for it', () => {
    const blocked: TokenDecision = { verdict: 'Blocked' };
    expect(checkReservedEvse(held(1), { evseId: 1, token: { value: 'TAG-B' } }, blocked, NOW)).toEqual({ decision: blocked });
    expect(checkReservedEvse(held(1), { evseId: 1, token: { value: 'TAG-A' } }, blocked, NOW)).toEqual({ decision: blocked });
  });

  it('uses the reservation an event names even without a token or a hold (a whole-charger reservation)', () => {
    expect(checkReservedEvse(undefined, { evseId: 1, reservationId: 12 }, undefined, NOW)).toEqual({ uses: 12 });
    expect(checkReservedEvse(held(1), { reservationId: 12 }, accepted, NOW)).toEqual({ decision: accepted, uses: 12 });
  });

  it('refuses a start naming another reservation on an EVSE held for someone else, and uses neither', () => {
    expect(checkReservedEvse(held(1), { evseId: 1, token: { value: 'TAG-B' }, reservationId: 12 }, accepted, NOW)).toEqual({
      decision: { verdict: 'Invalid' },
      refusedFor: 7,
    });
  });
});
