/**
 * `token migrate-case`: items written before id token values were case-insensitive, under keys in the case the value
 * was given, are moved to their canonical keys (or re-indexed), after which every lookup in any case finds them.
 * The old items are made here as the code before wrote them: written by today's stores, then put back under the
 * keys of then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Key } from '#shared/store/dynamo.ts';
import {
  chargerListTokenKey,
  idTokenKey,
  localListEntryKey,
  locationListTokenKey,
  pendingStartKey,
  reservationKey,
  tokenUsesKey,
  transactionKey,
} from '#shared/store/keys.ts';
import type { IdTokenRecord } from '#shared/token/id-tokens.ts';
import { moveItem } from '#shared/store/item-moves.ts';
import { DEFAULT_RETENTION } from '#shared/store/retention.ts';
import { immediatePuts, type StoreContext } from '#shared/store/context.ts';
import { openStoreFixture, transactionRecord, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const CP = 'CP-MIGRATE';
/** A store context on the fixture's tables, for calling a move directly. */
const depsContext = (): StoreContext => ({ db: f.raw, tables: f.tables.names, now: () => new Date(), retention: DEFAULT_RETENTION, puts: immediatePuts(f.raw) });
const token = (value: string, o: Partial<IdTokenRecord> = {}): IdTokenRecord => ({ value, tokenType: 'ISO14443', blocked: false, createdAt: '2026-01-01T00:00:00.000Z', ...o });
const use = { chargerId: CP, transactionId: 'tx-1', protocol: 'ocpp1.6' as const, idTokenType: 'ISO14443', since: new Date().toISOString() };

/** Puts an item back where the code before this change kept it (and its old index keys). */
const asWrittenBefore = async (now: Key, before: Key, indexKeys: Record<string, string> = {}) => {
  const item = await f.item('Csms', now);
  expect(item).toBeDefined();
  await f.raw.send(new DeleteCommand({ TableName: f.tables.names.Csms, Key: now }));
  await f.raw.send(new PutCommand({ TableName: f.tables.names.Csms, Item: { ...item, ...before, ...indexKeys } }));
};
const indexedBefore = async (key: Key, indexKeys: Record<string, string>) => {
  const names = Object.keys(indexKeys);
  await f.raw.send(
    new UpdateCommand({
      TableName: f.tables.names.Csms,
      Key: key,
      UpdateExpression: `SET ${names.map((n) => `${n} = :${n}`).join(', ')}`,
      ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, indexKeys[n]])),
    }),
  );
};

/** A write made to an old item after the scan read it, as code from before the change would make it. */
const writeSince = (key: Key, UpdateExpression: string, names: Pick<ConstructorParameters<typeof UpdateCommand>[0], 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>) =>
  f.raw.send(new UpdateCommand({ TableName: f.tables.names.Csms, Key: key, UpdateExpression, ...names }));

describe('token migrate-case', () => {
  it('moves and re-indexes every item a value in lower case keyed, reports a case variant it cannot move, and changes nothing the second time', async () => {
    const { stores } = f.deps;
    // A token with a group, its uses, a transaction and a reservation of it, a list assignment, a list entry, a pending remote start.
    await stores.idTokens.createIfAbsent(token('ab12', { groupId: 'fleet' }));
    await asWrittenBefore(idTokenKey('ab12', 'ISO14443'), { pk: 'IDTOKEN#ab12', sk: 'TYPE#ISO14443' }, { gsi1pk: 'IDGROUP#fleet' });
    await stores.tokenUses.open('ab12', use);
    await asWrittenBefore(tokenUsesKey('ab12'), { pk: 'IDTOKEN#ab12', sk: 'USES' });
    await stores.transactions.createOrGetExisting(transactionRecord({ chargerId: CP, transactionId: 'tx-1', idToken: 'ab12' }));
    await indexedBefore(transactionKey(CP, 'tx-1'), { gsi6pk: 'IDTOKEN#ab12#TX' });
    expect(
      await stores.reservations.createRequested({ chargerId: CP, reservationId: 4, expiry: '2030-01-01T00:00:00.000Z', idToken: 'ab12', commandId: 'c-4', createdAt: '2026-01-01T00:00:00.000Z', requestedBy: 'olga' }),
    ).toBe('created');
    await indexedBefore(reservationKey(CP, 4), { gsi2pk: 'IDTOKEN#ab12#RESERVATIONS' });
    await stores.listTokens.assign({ kind: 'charger', chargerId: CP }, { idToken: 'ab12', idTokenType: 'ISO14443', assignedAt: '2026-01-01T00:00:00.000Z', assignedBy: 'olga' });
    await asWrittenBefore(chargerListTokenKey(CP, 'ISO14443', 'ab12'), { pk: `CHARGER#${CP}`, sk: 'LOCALLIST-TOKEN#ISO14443#ab12' });
    await stores.localLists.replaceEntries(CP, [{ chargerId: CP, idToken: 'ab12', info: { status: 'Accepted' }, listVersion: 1, commandId: 'c-1', updatedAt: '2026-01-01T00:00:00.000Z' }]);
    await asWrittenBefore(localListEntryKey(CP, 'ab12'), { pk: `CHARGER#${CP}`, sk: 'LOCALLIST#ab12' });
    await stores.remoteStarts.rememberPending({ chargerId: CP, idTag: 'ab12', commandId: 'c-2', acceptedAt: new Date().toISOString() });
    await asWrittenBefore(pendingStartKey(CP, 'ab12'), { pk: `CHARGER#${CP}`, sk: 'PENDINGSTART#ab12' });
    // A value with no lower-case letter stays where it is; its group's index key is rewritten.
    await stores.idTokens.createIfAbsent(token('EF56', { groupId: 'fleet' }));
    await indexedBefore(idTokenKey('EF56', 'ISO14443'), { gsi1pk: 'IDGROUP#fleet' });
    // Two case variants of one token with one type, registered before: only one can have the key.
    await stores.idTokens.createIfAbsent(token('CD34'));
    await f.raw.send(new PutCommand({ TableName: f.tables.names.Csms, Item: { pk: 'IDTOKEN#cd34', sk: 'TYPE#ISO14443', type: 'IdToken', ...token('cd34') } }));

    // Before: the token is lost to any lookup but its own spelling's partition.
    expect(await stores.idTokens.get('AB12', 'ISO14443')).toBeUndefined();

    const report = await stores.tokenCaseMigration.run();
    expect(report).toMatchObject({ moved: 5, reindexed: 3 });
    expect(report.conflicts).toEqual([{ pk: 'IDTOKEN#cd34', sk: 'TYPE#ISO14443', type: 'IdToken', canonical: idTokenKey('CD34', 'ISO14443') }]);

    expect(await stores.idTokens.get('AB12', 'ISO14443')).toMatchObject({ value: 'ab12', groupId: 'fleet' });
    expect((await stores.idTokens.list({ groupId: 'FLEET' })).items.map((t) => t.value).sort()).toEqual(['EF56', 'ab12']);
    expect((await stores.tokenUses.read('AB12')).uses).toEqual([expect.objectContaining({ chargerId: CP, transactionId: 'tx-1' })]);
    expect((await stores.transactions.list({ idToken: 'Ab12' })).items.map((t) => t.transactionId)).toEqual(['tx-1']);
    expect((await stores.reservations.listBy({ idToken: 'AB12' })).items.map((r) => r.reservationId)).toEqual([4]);
    expect((await stores.listTokens.all({ kind: 'charger', chargerId: CP })).map((t) => t.idToken)).toEqual(['ab12']);
    expect(await f.item('Csms', localListEntryKey(CP, 'AB12'))).toMatchObject({ idToken: 'ab12' });
    expect(await f.item('Csms', pendingStartKey(CP, 'AB12'))).toMatchObject({ idTag: 'ab12' });
    // Nothing is left twice.
    expect(await f.partition('Csms', 'IDTOKEN#ab12')).toEqual([]);

    expect(await stores.tokenCaseMigration.run()).toMatchObject({ moved: 0, reindexed: 0, conflicts: [expect.objectContaining({ pk: 'IDTOKEN#cd34' })] });
  });

  it('folds an old item into the one at its key when they stand for the same thing: uses added, list entries and assignments of one token kept once', async () => {
    const { stores } = f.deps;
    const use2 = { ...use, chargerId: 'CP-OTHER', transactionId: 'tx-9', idTokenType: 'eMAID' };
    // Two tokens of two types whose values differ in case, both in use: one USES item now, two before.
    await stores.tokenUses.open('EF78', use);
    await stores.tokenUses.open('ef78', use2);
    await asWrittenBefore(tokenUsesKey('ef78'), { pk: 'IDTOKEN#ef78', sk: 'USES' });
    await stores.tokenUses.open('EF78', use);
    // A 2.x entry (with its type) and a location's assignment, each also at its canonical key already.
    const entry = { chargerId: CP, idToken: 'gh90', idTokenType: 'eMAID', info: { status: 'Accepted' }, listVersion: 1, commandId: 'c-1', updatedAt: '2026-01-01T00:00:00.000Z' };
    await stores.localLists.replaceEntries(CP, [entry]);
    await asWrittenBefore(localListEntryKey(CP, 'gh90', 'eMAID'), { pk: `CHARGER#${CP}`, sk: 'LOCALLIST#gh90#eMAID' });
    await stores.localLists.changeEntries(CP, [{ ...entry, idToken: 'GH90' }], []);
    const depot = { kind: 'location' as const, locationId: 'DEPOT-M' };
    const assignment = { idToken: 'gh90', idTokenType: 'eMAID', assignedAt: '2026-01-01T00:00:00.000Z', assignedBy: 'olga' };
    await stores.listTokens.assign(depot, assignment);
    await asWrittenBefore(locationListTokenKey('DEPOT-M', 'eMAID', 'gh90'), { pk: 'LOCATION#DEPOT-M', sk: 'LOCALLIST-TOKEN#eMAID#gh90' });
    await stores.listTokens.assign({ kind: 'location', locationId: 'DEPOT-M' }, { ...assignment, idToken: 'GH90' });

    const report = await stores.tokenCaseMigration.run();
    expect(report).toMatchObject({ merged: 3, busy: 0 });
    expect((await stores.tokenUses.read('ef78')).uses.map((u) => u.transactionId).sort()).toEqual(['tx-1', 'tx-9']);
    expect(await f.partition('Csms', 'IDTOKEN#ef78')).toEqual([]);
    expect((await stores.localLists.read(CP)).entries.filter((e) => e.idToken.toUpperCase() === 'GH90')).toHaveLength(1);
    expect((await stores.listTokens.all(depot)).map((t) => t.idToken)).toEqual(['GH90']);
  });

  it('moves an item as it is now when it was written after the scan read it, never undoing that write', async () => {
    const { stores } = f.deps;
    await stores.idTokens.createIfAbsent(token('ij12', { label: 'as scanned', version: 1 }));
    await asWrittenBefore(idTokenKey('ij12', 'ISO14443'), { pk: 'IDTOKEN#ij12', sk: 'TYPE#ISO14443' });
    const scanned = await f.item('Csms', { pk: 'IDTOKEN#ij12', sk: 'TYPE#ISO14443' });
    // A write after the scan: an operator's change moves the version on.
    await writeSince({ pk: 'IDTOKEN#ij12', sk: 'TYPE#ISO14443' }, 'SET label = :l, version = :v', { ExpressionAttributeValues: { ':l': 'changed since', ':v': 2 } });
    expect(await moveItem(depsContext(), scanned!, { ...scanned!, ...idTokenKey('IJ12', 'ISO14443') })).toBe('changed');
    expect(await f.item('Csms', idTokenKey('IJ12', 'ISO14443'))).toBeUndefined();
    await stores.tokenCaseMigration.run();
    expect(await stores.idTokens.get('IJ12', 'ISO14443')).toMatchObject({ label: 'changed since', version: 2 });

    // Writes that move no stamp are seen too: a use released (its rev stays), a token blocked.
    await stores.tokenUses.open('kl34', use);
    await stores.tokenUses.open('kl34', { ...use, chargerId: 'CP-OTHER', transactionId: 'tx-2' });
    await asWrittenBefore(tokenUsesKey('kl34'), { pk: 'IDTOKEN#kl34', sk: 'USES' });
    const uses = await f.item('Csms', { pk: 'IDTOKEN#kl34', sk: 'USES' });
    await writeSince({ pk: 'IDTOKEN#kl34', sk: 'USES' }, 'REMOVE uses.#u', { ExpressionAttributeNames: { '#u': Object.keys(uses!.uses as object)[0]! } });
    expect(await moveItem(depsContext(), uses!, { ...uses!, ...tokenUsesKey('KL34') })).toBe('changed');
    await stores.idTokens.createIfAbsent(token('mn56'));
    await asWrittenBefore(idTokenKey('mn56', 'ISO14443'), { pk: 'IDTOKEN#mn56', sk: 'TYPE#ISO14443' });
    const unblocked = await f.item('Csms', { pk: 'IDTOKEN#mn56', sk: 'TYPE#ISO14443' });
    await writeSince({ pk: 'IDTOKEN#mn56', sk: 'TYPE#ISO14443' }, 'SET blocked = :t', { ExpressionAttributeValues: { ':t': true } });
    expect(await moveItem(depsContext(), unblocked!, { ...unblocked!, ...idTokenKey('MN56', 'ISO14443') })).toBe('changed');
  });
});
