/**
 * The pure part of local list syncs: which entries a charger's list should hold (statuses from the tokens' state,
 * 1.6 by value, capacity), when the update must be Full, and the messages that take the stored list to the wanted one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fullUpdateReason,
  listLimits,
  MAX_ITEMS_PER_MESSAGE,
  planUpdate,
  recordKey,
  sendLocalListPayload,
  wantedList,
  type PlannedMessage,
  type WantedEntry,
} from '#shared/local-list/local-list-plan.ts';
import { localListUpdateOf, tokenKey, type LocalListEntry } from '#shared/local-list/local-list.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import type { StoredLocalList } from '#shared/store/local-list-store.ts';
import type { IdTokenRecord } from '#shared/token/id-tokens.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const CP = 'CP-PLAN';
const PLACE = { chargerId: CP, locationId: 'SITE-PLAN' };

const record = (value: string, o: Partial<IdTokenRecord> = {}): IdTokenRecord => ({ value, tokenType: 'ISO14443', blocked: false, createdAt: '2026-01-01T00:00:00Z', ...o });
const records = (...rs: IdTokenRecord[]) => new Map(rs.map((r) => [recordKey(r.tokenType, r.value), r]));
const assigned = (value: string, idTokenType = 'ISO14443') => ({ idToken: value, idTokenType });
const statuses = (entries: readonly WantedEntry[]) => entries.map((e) => `${e.idToken}${e.idTokenType ? `/${e.idTokenType}` : ''}=${String(e.info.status)}`);

/** What the charger holds after an accepted update of ours with the given version (our last one). */
const stored = (entries: readonly WantedEntry[], version: number): StoredLocalList => ({
  version: { chargerId: CP, version, versionFrom: 'SendLocalList', versionAt: '2026-05-01T00:00:00Z', commandId: 'c', entriesVersion: version },
  entries: entries.map((e): LocalListEntry => ({ chargerId: CP, ...e, listVersion: version, commandId: 'c', updatedAt: '2026-05-01T00:00:00Z' })),
});

describe('the wanted list', () => {
  it('2.x: the charger’s own tokens, then its location’s, once each, with the status of each token’s state now', () => {
    const tokens = records(
      record('A'),
      record('B', { blocked: true }),
      record('C', { expiresAt: '2026-05-31T00:00:00.000Z' }),
      record('A', { tokenType: 'eMAID' }),
    );
    const list = wantedList({
      protocol: 'ocpp2.0.1',
      assigned: [assigned('A'), assigned('B'), assigned('GONE'), assigned('C'), assigned('A'), assigned('A', 'eMAID')],
      records: tokens,
      now: NOW,
      place: PLACE,
    });
    // A deleted token stays on the list as Unknown until it is taken off: a charger never accepts it offline.
    expect(statuses(list.entries)).toEqual(['A/ISO14443=Accepted', 'B/ISO14443=Blocked', 'GONE/ISO14443=Unknown', 'C/ISO14443=Expired', 'A/eMAID=Accepted']);
    expect(list.leftOut).toEqual([]);
  });

  it('1.6: one entry per value, of the type Authorize would pick, an unknown one Invalid', () => {
    const tokens = records(record('X', { blocked: true }), record('X', { tokenType: 'eMAID' }), record('Y', { expiresAt: '2027-01-01T00:00:00.000Z' }));
    const list = wantedList({ protocol: 'ocpp1.6', assigned: [assigned('X', 'eMAID'), assigned('Y'), assigned('X'), assigned('Z')], records: tokens, now: NOW, place: PLACE });
    expect(statuses(list.entries)).toEqual(['X=Blocked', 'Y=Accepted', 'Z=Invalid']);
    expect(list.entries[1]!.info).toMatchObject({ expiryDate: '2027-01-01T00:00:00.000Z' });
    expect(list.entries.every((e) => e.idTokenType === undefined)).toBe(true);
  });

  it('1.6: values in another case are one entry, spelled as first assigned, with the record whatever case it was registered in', () => {
    const tokens = records(record('ab12', { blocked: true }));
    const list = wantedList({ protocol: 'ocpp1.6', assigned: [assigned('AB12'), assigned('ab12', 'eMAID')], records: tokens, now: NOW, place: PLACE });
    expect(statuses(list.entries)).toEqual(['AB12=Blocked']);
  });

  it('gives a token restricted to other chargers or locations the status it would get at this charger', () => {
    const tokens = records(
      record('HERE', { allowedLocations: ['SITE-PLAN'] }),
      record('MINE', { allowedChargers: [CP.toLowerCase()] }),
      record('ELSEWHERE', { allowedLocations: ['SITE-OTHER'] }),
    );
    const mine = [assigned('HERE'), assigned('MINE'), assigned('ELSEWHERE')];
    expect(statuses(wantedList({ protocol: 'ocpp2.0.1', assigned: mine, records: tokens, now: NOW, place: PLACE }).entries)).toEqual([
      'HERE/ISO14443=Accepted',
      'MINE/ISO14443=Accepted',
      'ELSEWHERE/ISO14443=NotAtThisLocation',
    ]);
    expect(statuses(wantedList({ protocol: 'ocpp1.6', assigned: mine, records: tokens, now: NOW, place: PLACE }).entries)).toEqual(['HERE=Accepted', 'MINE=Accepted', 'ELSEWHERE=Invalid']);
  });

  it('cuts at the charger’s capacity, keeping the charger’s own tokens first, and leaves out what 1.6 cannot carry', () => {
    const many = ['A', 'B', 'C', 'D'].map((v) => assigned(v));
    const capped = wantedList({ protocol: 'ocpp2.0.1', assigned: many, records: records(), now: NOW, place: PLACE, maxEntries: 2 });
    expect(capped.entries.map((e) => e.idToken)).toEqual(['A', 'B']);
    expect(capped.leftOut).toEqual([
      { idToken: 'C', idTokenType: 'ISO14443', reason: 'over-capacity' },
      { idToken: 'D', idTokenType: 'ISO14443', reason: 'over-capacity' },
    ]);
    const long = 'L'.repeat(21);
    const v16 = wantedList({ protocol: 'ocpp1.6', assigned: [assigned(long), assigned('S')], records: records(), now: NOW, place: PLACE, maxEntries: 1 });
    expect(v16.entries.map((e) => e.idToken)).toEqual(['S']);
    expect(v16.leftOut).toEqual([{ idToken: long, reason: 'too-long-for-ocpp1.6' }]);
    expect(wantedList({ protocol: 'ocpp1.6', assigned: many, records: records(), now: NOW, place: PLACE, maxEntries: 0 }).entries).toEqual([]);
  });
});

describe('Full or Differential', () => {
  const entries: WantedEntry[] = [{ idToken: 'A', idTokenType: 'ISO14443', info: { status: 'Accepted' } }];
  const known = stored(entries, 4);

  it('is Differential against a list we know the charger holds', () => {
    expect(fullUpdateReason('ocpp2.0.1', known, false)).toBeUndefined();
  });

  it('is Full when asked, after a VersionMismatch, with no accepted update, when the charger told another version, or for entries of another OCPP version', () => {
    expect(fullUpdateReason('ocpp2.0.1', known, true)).toBe('requested');
    expect(fullUpdateReason('ocpp2.0.1', { ...known, fullUpdateDue: { because: 'VersionMismatch', commandId: 'm', at: 'x' } }, false)).toBe('version-mismatch');
    expect(fullUpdateReason('ocpp2.0.1', { entries: [] }, false)).toBe('no-known-list');
    const told = { chargerId: CP, version: 0, versionFrom: 'GetLocalListVersion' as const, versionAt: 'x', commandId: 'g' };
    expect(fullUpdateReason('ocpp2.0.1', { version: told, entries: [] }, false)).toBe('no-known-list');
    expect(fullUpdateReason('ocpp2.0.1', { ...known, version: { ...known.version!, version: 9 } }, false)).toBe('version-differs');
    expect(fullUpdateReason('ocpp1.6', known, false)).toBe('other-protocol');
  });
});

describe('the messages', () => {
  const e = (idToken: string, status: string): WantedEntry => ({ idToken, idTokenType: 'ISO14443', info: { status } });

  it('sends a Full update in one message, one version past both the charger’s and the last one sent', () => {
    const plan = planUpdate({ known: { ...stored([], 3), lastSync: { sentVersion: 5, updateType: 'Full', commandIds: [], sentAt: 'x', sentBy: 'o' } }, wanted: [e('A', 'Accepted')], full: 'requested', itemsPerMessage: 10 });
    expect(plan).toEqual({ upToDate: false, messages: [{ version: 6, updateType: 'Full', items: [e('A', 'Accepted')] }] });
    expect(planUpdate({ known: { entries: [] }, wanted: [], full: 'no-known-list', itemsPerMessage: 10 })).toEqual({
      upToDate: false,
      messages: [{ version: 1, updateType: 'Full', items: [] }],
    });
  });

  it('splits a Full update past the message size: Full with the first part, then Differential ones', () => {
    const wanted = ['A', 'B', 'C', 'D', 'E'].map((v) => e(v, 'Accepted'));
    const plan = planUpdate({ known: stored([], 1), wanted, full: 'requested', itemsPerMessage: 2 });
    expect(plan.upToDate).toBe(false);
    const messages = (plan as { messages: PlannedMessage[] }).messages;
    expect(messages.map((m) => [m.version, m.updateType, m.items.map((i) => i.idToken).join('')])).toEqual([
      [2, 'Full', 'AB'],
      [3, 'Differential', 'CD'],
      [4, 'Differential', 'E'],
    ]);
  });

  it('sends removals (without info) first, then new and changed entries; an entry whose info only differs in key order is the same', () => {
    const known = stored([e('KEEP', 'Accepted'), e('GONE', 'Accepted'), e('BLOCK', 'Accepted')], 7);
    known.entries[0]!.info = { groupIdToken: { type: 'Central', idToken: 'G' }, status: 'Accepted' };
    const keep: WantedEntry = { ...e('KEEP', 'Accepted'), info: { status: 'Accepted', groupIdToken: { idToken: 'G', type: 'Central' } } };
    const plan = planUpdate({ known, wanted: [keep, e('BLOCK', 'Blocked'), e('NEW', 'Accepted')], full: undefined, itemsPerMessage: 10 });
    expect(plan).toEqual({
      upToDate: false,
      messages: [{ version: 8, updateType: 'Differential', items: [{ idToken: 'GONE', idTokenType: 'ISO14443' }, e('BLOCK', 'Blocked'), e('NEW', 'Accepted')] }],
    });
    expect(planUpdate({ known, wanted: [keep, e('GONE', 'Accepted'), e('BLOCK', 'Accepted')], full: undefined, itemsPerMessage: 10 })).toEqual({ upToDate: true });
  });

  it('takes a stored entry in another case for the wanted one: no removal and re-adding of one card', () => {
    const known = stored([e('ab12', 'Accepted')], 3);
    expect(planUpdate({ known, wanted: [e('AB12', 'Accepted')], full: undefined, itemsPerMessage: 10 })).toEqual({ upToDate: true });
  });

  it('writes each version’s payload, which reads back as the same update', () => {
    const m: PlannedMessage = { version: 3, updateType: 'Differential', items: [{ idToken: 'A' }, { idToken: 'B', info: { status: 'Blocked' } }] };
    expect(sendLocalListPayload('ocpp1.6', m)).toEqual({ listVersion: 3, updateType: 'Differential', localAuthorizationList: [{ idTag: 'A' }, { idTag: 'B', idTagInfo: { status: 'Blocked' } }] });
    const m2: PlannedMessage = { version: 4, updateType: 'Full', items: [{ idToken: 'B', idTokenType: 'eMAID', info: { status: 'Accepted' } }] };
    expect(sendLocalListPayload('ocpp2.0.1', m2)).toEqual({
      versionNumber: 4,
      updateType: 'Full',
      localAuthorizationList: [{ idToken: { idToken: 'B', type: 'eMAID' }, idTokenInfo: { status: 'Accepted' } }],
    });
    // 2.x localAuthorizationList has minItems 1: an empty Full update leaves it out.
    expect(sendLocalListPayload('ocpp2.0.1', { version: 5, updateType: 'Full', items: [] })).toEqual({ versionNumber: 5, updateType: 'Full' });
  });

  // A charger applying the messages in order ends with exactly the wanted list, whatever it held before.
  it('takes any stored list to any wanted list, Full or Differential, in messages of any size', () => {
    const protocols: OcppProtocol[] = ['ocpp1.6', 'ocpp2.0.1'];
    const statusesOf = fc.constantFrom('Accepted', 'Blocked', 'Expired');
    const listOf = fc.uniqueArray(fc.record({ id: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F'), status: statusesOf }), { selector: (x) => x.id, maxLength: 6 });
    fc.assert(
      fc.property(fc.constantFrom(...protocols), listOf, listOf, fc.boolean(), fc.integer({ min: 1, max: 4 }), (protocol, before, after, full, size) => {
        const typed = protocol === 'ocpp1.6' ? {} : { idTokenType: 'ISO14443' };
        const entry = (x: { id: string; status: string }): WantedEntry => ({ idToken: x.id, ...typed, info: { status: x.status } });
        const wanted = after.map(entry);
        const plan = planUpdate({ known: stored(before.map(entry), 2), wanted, full: full ? 'requested' : undefined, itemsPerMessage: size });
        // Up to date only for a Differential: then what it holds already is the wanted list.
        if (plan.upToDate) expect(full).toBe(false);
        const held = new Map(before.map((x) => [tokenKey(entry(x)), entry(x).info]));
        for (const m of plan.upToDate ? [] : plan.messages) {
          expect(m.items.length).toBeLessThanOrEqual(size);
          const update = localListUpdateOf(protocol, sendLocalListPayload(protocol, m));
          if (update.updateType === 'Full') held.clear();
          for (const r of update.removals) held.delete(tokenKey(r));
          for (const u of update.upserts) held.set(tokenKey(u), u.info);
        }
        expect(new Map([...held].sort())).toEqual(new Map(wanted.map((w) => [tokenKey(w), w.info] as const).sort()));
      }),
    );
  });
});

describe('list limits from the stored settings', () => {
  it('reads counts, caps a message at the frame-safe maximum, and treats anything else as unknown', () => {
    expect(listLimits({ maxEntries: '500', perMessage: '20' })).toEqual({ maxEntries: 500, itemsPerMessage: 20 });
    expect(listLimits({ maxEntries: '0', perMessage: '5000' })).toEqual({ maxEntries: 0, itemsPerMessage: MAX_ITEMS_PER_MESSAGE });
    expect(listLimits({ maxEntries: 'many', perMessage: '0' })).toEqual({ itemsPerMessage: MAX_ITEMS_PER_MESSAGE });
    expect(listLimits({})).toEqual({ itemsPerMessage: MAX_ITEMS_PER_MESSAGE });
  });
});
