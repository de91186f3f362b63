/** When a change of a local list's version item sends the charger a Full update at once (the stream route). */
import { describe, expect, it } from 'vitest';
import { mismatchReported, type VersionItemImage } from '#shared/local-list/local-list-sync.ts';

const synced: VersionItemImage = {
  chargerId: 'CP-1',
  version: 4,
  versionFrom: 'SendLocalList',
  commandId: 'send-4',
  entriesVersion: 4,
  lastSync: { sentVersion: 4 },
};
const told = (version: number, extra: VersionItemImage = {}): VersionItemImage => ({ ...synced, version, versionFrom: 'GetLocalListVersion', commandId: 'get-1', ...extra });

describe('a reported local list version', () => {
  it('sends a Full update when a new GetLocalListVersion answer tells another version than our last accepted list', () => {
    expect(mismatchReported(synced, told(9))).toBe(true);
    // A charger that lost its list (1.6: 0, 2.x: 0 too) gets it back.
    expect(mismatchReported(synced, told(0))).toBe(true);
  });

  it('leaves a matching version, a 1.6 charger without a list (-1), and a list never synced alone', () => {
    expect(mismatchReported(synced, told(4))).toBe(false);
    expect(mismatchReported(synced, told(-1))).toBe(false);
    const { lastSync: _none, ...byHand } = synced;
    expect(mismatchReported(byHand, { ...told(9), lastSync: undefined })).toBe(false);
    expect(mismatchReported(undefined, told(9, { entriesVersion: undefined }))).toBe(false);
  });

  it('acts once per answer: another write of the item (the sync’s own claim) changes no command id', () => {
    const after = told(9);
    expect(mismatchReported(after, { ...after, lastSync: { sentVersion: 10 } })).toBe(false);
    expect(mismatchReported(after, told(9, { commandId: 'get-2' }))).toBe(true);
    expect(mismatchReported(synced, undefined)).toBe(false);
  });
});
