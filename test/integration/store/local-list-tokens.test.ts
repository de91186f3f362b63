/**
 * The items behind local list syncs, on DynamoDB Local: tokens put on a charger's or a location's list (the first
 * assignment stays, removal says whether there was one, a deleted charger's or location's go with it), the charger's
 * list read with its tokens in one request, a sync's claim that two syncs cannot both win, a full update marked due
 * and cleared, and id tokens read past BatchGetItem's 100 keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListToken } from '#shared/local-list/list-tokens.ts';
import type { LocalListSync } from '#shared/local-list/local-list.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { chargerListTokenKey, localListKey } from '#shared/store/keys.ts';
import { countingRequests, openStoreFixture, STORAGE_ATTRIBUTES, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const token = (idToken: string, idTokenType = 'ISO14443', assignedBy = 'olga'): ListToken => ({ idToken, idTokenType, assignedAt: '2026-05-01T10:00:00.000Z', assignedBy });

describe('tokens put on a list', () => {
  const charger = { kind: 'charger', chargerId: 'CP-ListTokens' } as const;
  const location = { kind: 'location', locationId: 'depot-lists' } as const;

  it('keeps the first assignment of a token, and lists a holder’s tokens by type, then value', async () => {
    const tokens = f.deps.stores.listTokens;
    expect(await tokens.assign(charger, token('B'))).toEqual({ created: true, token: token('B') });
    expect(await tokens.assign(charger, token('B', 'ISO14443', 'someone-else'))).toEqual({ created: false, token: token('B') });
    await tokens.assign(charger, token('A', 'eMAID'));
    await tokens.assign(charger, token('A#1'));
    await tokens.assign(location, token('L'));
    expect((await tokens.all(charger)).map((t) => `${t.idTokenType}/${t.idToken}`)).toEqual(['ISO14443/A#1', 'ISO14443/B', 'eMAID/A']);
    const page = await tokens.list(charger, { limit: 2 });
    expect(page.items).toHaveLength(2);
    for (const attribute of [...STORAGE_ATTRIBUTES, 'type', 'chargerId']) expect(page.items[0]).not.toHaveProperty(attribute);
    expect((await tokens.list(charger, { cursor: page.cursor! })).items).toEqual([token('A', 'eMAID')]);
    expect(await tokens.all(location)).toEqual([token('L')]);
    expect((await f.item('Csms', chargerListTokenKey(charger.chargerId, 'eMAID', 'A')))?.type).toBe('LocalListToken');
  });

  it('says whether a token was on the list when taking it off', async () => {
    const tokens = f.deps.stores.listTokens;
    expect(await tokens.unassign(charger, 'ISO14443', 'A#1')).toBe(true);
    expect(await tokens.unassign(charger, 'ISO14443', 'A#1')).toBe(false);
    expect(await tokens.unassign(location, 'eMAID', 'L')).toBe(false);
    expect((await tokens.all(charger)).map((t) => t.idToken)).toEqual(['B', 'A']);
  });

  it('goes with a deleted location’s erasure and a deleted charger’s', async () => {
    const tokens = f.deps.stores.listTokens;
    expect(await tokens.eraseAll(location)).toBe(1);
    expect(await tokens.all(location)).toEqual([]);
    await f.deps.stores.chargerHistory.eraseLive(charger.chargerId);
    expect(await tokens.all(charger)).toEqual([]);
  });
});

describe('a charger’s list with its tokens', () => {
  const CP = 'CP-ListSync';
  const sync = (sentVersion: number): LocalListSync => ({ sentVersion, updateType: 'Differential', commandIds: [`cmd-${sentVersion}`], sentAt: '2026-05-01T10:00:00.000Z', sentBy: 'olga' });

  it('reads the version item, the entries and the charger’s tokens in one Query; the list alone shows no tokens', async () => {
    const lists = f.deps.stores.localLists;
    await f.deps.stores.listTokens.assign({ kind: 'charger', chargerId: CP }, token('T1'));
    await lists.changeEntries(CP, [{ chargerId: CP, idToken: 'T1', info: { status: 'Accepted' }, listVersion: 1, commandId: 'c1', updatedAt: '2026-05-01T10:00:00.000Z' }], []);
    await lists.setVersion({ chargerId: CP, version: 1, versionFrom: 'SendLocalList', versionAt: 'x', commandId: 'c1', entriesVersion: 1, entriesAt: 'x', updateType: 'Full' });
    const { result, requests } = await countingRequests(() => lists.readWithTokens(CP));
    expect(requests).toBe(1);
    expect(result.tokens).toEqual([token('T1')]);
    expect(result.list.entries.map((e) => e.idToken)).toEqual(['T1']);
    expect(result.list.version?.version).toBe(1);
    expect(await lists.read(CP)).toEqual(result.list);
  });

  it('lets one of two syncs that read the same state claim it, and numbers the next from the winner', async () => {
    const lists = f.deps.stores.localLists;
    expect(await lists.claimSync(CP, sync(2), undefined)).toBe(true);
    expect(await lists.claimSync(CP, sync(2), undefined)).toBe(false);
    expect(await lists.claimSync(CP, sync(3), 1)).toBe(false);
    expect(await lists.claimSync(CP, sync(3), 2)).toBe(true);
    const read = await lists.read(CP);
    expect(read.lastSync).toEqual(sync(3));
    // The claim leaves the version as the charger's answers told it.
    expect(read.version).toMatchObject({ version: 1, entriesVersion: 1 });
    expect(read.version).not.toHaveProperty('lastSync');
  });

  it('marks a full update due, keeps it through a Differential update and a version told, and clears it with a Full one', async () => {
    const lists = f.deps.stores.localLists;
    await lists.markFullUpdateDue(CP, { because: 'VersionMismatch', commandId: 'cmd-mismatch', at: '2026-05-01T11:00:00.000Z' });
    await lists.setVersion({ chargerId: CP, version: 4, versionFrom: 'SendLocalList', versionAt: 'y', commandId: 'c4', entriesVersion: 4, entriesAt: 'y', updateType: 'Differential' });
    await lists.setVersion({ chargerId: CP, version: 4, versionFrom: 'GetLocalListVersion', versionAt: 'z', commandId: 'g' });
    expect((await lists.read(CP)).fullUpdateDue).toEqual({ because: 'VersionMismatch', commandId: 'cmd-mismatch', at: '2026-05-01T11:00:00.000Z' });
    await lists.setVersion({ chargerId: CP, version: 5, versionFrom: 'SendLocalList', versionAt: 'w', commandId: 'c5', entriesVersion: 5, entriesAt: 'w', updateType: 'Full' }, { fullUpdateDone: true });
    const read = await lists.read(CP);
    expect(read.fullUpdateDue).toBeUndefined();
    expect(read.lastSync).toEqual(sync(3));
    expect((await f.item('Csms', localListKey(CP)))?.type).toBe('LocalListVersion');
  });

  it('shows no version for a list only a refusal or a sync wrote', async () => {
    const lists = f.deps.stores.localLists;
    await lists.markFullUpdateDue('CP-ListNew', { because: 'VersionMismatch', commandId: 'm', at: 'x' });
    await lists.claimSync('CP-ListNew', sync(1), undefined);
    expect(await lists.read('CP-ListNew')).toEqual({ fullUpdateDue: { because: 'VersionMismatch', commandId: 'm', at: 'x' }, lastSync: sync(1), entries: [] });
  });
});

describe('reading many id tokens together', () => {
  it('reads past 100 keys in BatchGetItems of 100, each answer in its place', async () => {
    const values = Array.from({ length: 250 }, (_, i) => `MANY-${String(i).padStart(3, '0')}`);
    for (const value of values.filter((_, i) => i % 2 === 0)) await createIdToken(f.deps, { value });
    const { stores } = f.deps;
    const reads = Object.fromEntries([...values, values[0]!].map((v, i) => [`r${i}`, stores.idTokens.read(v, 'ISO14443')]));
    const { result, requests } = await countingRequests(() => stores.readTogether(reads));
    expect(requests).toBe(3);
    expect(values.map((v, i) => result[`r${i}`]?.value)).toEqual(values.map((v, i) => (i % 2 === 0 ? v : undefined)));
    expect(result.r250?.value).toBe(values[0]);
  });
});
