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
  pendingStartKey,
  reservationKey,
  tokenUsesKey,
  transactionKey,
} from '#shared/store/keys.ts';
import type { IdTokenRecord } from '#shared/token/id-tokens.ts';
import { openStoreFixture, transactionRecord, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const CP = 'CP-MIGRATE';
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
});
