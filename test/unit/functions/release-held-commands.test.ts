/**
 * Which stream records release a charger's held commands (functions/stream/release-held-commands.ts): an accepted
 * boot of its profile, or its presence found connected while it carries the mark of held commands.
 */
import { describe, expect, it } from 'vitest';
import { bootedCharger, reconnectedWithHeld } from '../../../functions/stream/release-held-commands.ts';

const profile = (at: string | undefined, registrationStatus = 'accepted') => ({ type: 'Charger', chargerId: 'CP-1', registrationStatus, ...(at ? { lastBootAt: at } : {}) });
const presence = (connected: boolean, heldCommandsAt?: string) => ({ type: 'Presence', chargerId: 'CP-1', connected, ...(heldCommandsAt ? { heldCommandsAt } : {}) });

describe('bootedCharger', () => {
  it('names the charger of an accepted boot that moved lastBootAt, and no other change', () => {
    expect(bootedCharger({ eventName: 'MODIFY', oldImage: profile('t1'), newImage: profile('t2') })).toBe('CP-1');
    expect(bootedCharger({ eventName: 'INSERT', newImage: profile('t1') })).toBe('CP-1');
    expect(bootedCharger({ eventName: 'MODIFY', oldImage: profile('t1'), newImage: profile('t1') })).toBeUndefined();
    expect(bootedCharger({ eventName: 'MODIFY', oldImage: profile('t1'), newImage: profile('t2', 'pending') })).toBeUndefined();
    expect(bootedCharger({ eventName: 'MODIFY', newImage: { ...presence(true, 't0'), registrationStatus: 'accepted', lastBootAt: 't2' } })).toBeUndefined();
  });
});

describe('reconnectedWithHeld', () => {
  it('names a charger whose presence is connected and marked, and none that is offline or unmarked', () => {
    expect(reconnectedWithHeld({ eventName: 'MODIFY', oldImage: presence(false, 't0'), newImage: presence(true, 't0') })).toBe('CP-1');
    // A command held in the moment the charger connected: the mark arrives on a connected presence.
    expect(reconnectedWithHeld({ eventName: 'MODIFY', oldImage: presence(true), newImage: presence(true, 't0') })).toBe('CP-1');
    expect(reconnectedWithHeld({ eventName: 'MODIFY', oldImage: presence(true), newImage: presence(false, 't0') })).toBeUndefined();
    expect(reconnectedWithHeld({ eventName: 'MODIFY', oldImage: presence(false), newImage: presence(true) })).toBeUndefined();
    expect(reconnectedWithHeld({ eventName: 'REMOVE', oldImage: presence(true, 't0') })).toBeUndefined();
    expect(reconnectedWithHeld({ eventName: 'MODIFY', newImage: { ...profile('t2'), connected: true, heldCommandsAt: 't0' } })).toBeUndefined();
  });
});
