/**
 * `charger migrate-ids`: profiles written before charger ids were case-insensitive (issue 8), under the id as
 * registered and with their password hash on the profile, are moved to the lower-case key with the hash in a
 * credentials item; the charger is then found in any case and its password checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createCharger } from '#shared/charger/registry.ts';
import { checkPassword, hashPassword } from '#shared/charger/credentials.ts';
import { chargerKey, credentialsKey } from '#shared/store/keys.ts';
import { chargerItem, openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

/** A profile as the code before issue 8 wrote it: keyed by the id as registered, the hash on it. */
const writtenBefore = async (chargerId: string, passwordHash: string) => {
  await f.raw.send(
    new PutCommand({
      TableName: f.tables.names.Csms,
      Item: { pk: `CHARGER#${chargerId}`, sk: 'CHARGER', gsi2pk: 'CHARGERS', gsi2sk: chargerId, type: 'Charger', ...chargerItem({ chargerId, passwordHash }) },
    }),
  );
};

describe('charger migrate-ids', () => {
  it('moves profiles to their lower-case key and hashes to their own item, leaves a case variant it cannot move, and changes nothing the second time', async () => {
    const { stores } = f.deps;
    const hash = await hashPassword('a-chosen-password-1', 'chosen');
    await writtenBefore('CP-Old-1', hash);
    await writtenBefore('cp-old-2', hash); // at its key already, with its hash on the profile
    // An id registered again, since, in another case: the old profile cannot have the key.
    await writtenBefore('CP-DUP', hash);
    expect((await createCharger(f.deps, { chargerId: 'cp-dup', password: 'another-password-2' })).created).toBe(true);

    expect(await stores.chargers.getWithSecret('CP-Old-1')).toBeUndefined();

    const report = await stores.chargerIdMigration.run();
    expect(report).toMatchObject({ moved: 1, hashesMoved: 1, conflicts: [{ pk: 'CHARGER#CP-DUP', chargerId: 'CP-DUP' }] });

    const moved = await stores.chargers.getWithSecret('cp-OLD-1');
    expect(moved).toMatchObject({ chargerId: 'CP-Old-1', registrationStatus: 'accepted' });
    expect(await checkPassword('a-chosen-password-1', moved!.passwordHash)).toBe('match');
    // No profile carries a hash any more (the stream would carry it), and nothing is left under the old key.
    expect(await f.item('Csms', chargerKey('CP-Old-1'))).not.toHaveProperty('passwordHash');
    expect(await f.item('Csms', chargerKey('cp-old-2'))).not.toHaveProperty('passwordHash');
    expect(await f.item('Csms', credentialsKey('cp-old-2'))).toMatchObject({ passwordHash: hash });
    expect(await f.item('Csms', { pk: 'CHARGER#CP-Old-1', sk: 'CHARGER' })).toBeUndefined();
    expect((await stores.chargers.list({})).items.map((c) => c.chargerId)).toEqual(expect.arrayContaining(['CP-Old-1', 'cp-old-2', 'cp-dup']));

    expect(await stores.chargerIdMigration.run()).toMatchObject({ moved: 0, hashesMoved: 0, conflicts: [{ pk: 'CHARGER#CP-DUP', chargerId: 'CP-DUP' }] });
  });
});
