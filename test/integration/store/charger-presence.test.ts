/**
 * The charger store (profiles, the password hash kept to the password check) and the presence store (the newest
 * connection wins; a late disconnect of a replaced connection changes nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargerKey, presenceKey } from '#shared/store/keys.ts';
import { chargerItem, openStoreFixture, STORAGE_ATTRIBUTES, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

describe('charger store', () => {
  it('creates a charger once: a second create reports it exists and keeps the first one', async () => {
    const chargers = f.deps.stores.chargers;
    expect(await chargers.createIfAbsent(chargerItem({ chargerId: 'CP-ONCE', registrationStatus: 'pending', passwordHash: 'first' }))).toBe('created');
    expect(await chargers.createIfAbsent(chargerItem({ chargerId: 'CP-ONCE', registrationStatus: 'accepted', passwordHash: 'second' }))).toBe('exists');
    expect(await chargers.getWithSecret('CP-ONCE', true)).toMatchObject({ registrationStatus: 'pending', passwordHash: 'first' });
  });

  it('returns the password hash to getWithSecret only, never from get or list', async () => {
    const chargers = f.deps.stores.chargers;
    await chargers.createIfAbsent(chargerItem({ chargerId: 'CP-SECRET', locationId: 'LOC-SECRET', passwordHash: 'the-hash' }));
    expect((await chargers.getWithSecret('CP-SECRET'))?.passwordHash).toBe('the-hash');
    const profile = await chargers.get('CP-SECRET');
    expect(profile).toMatchObject({ chargerId: 'CP-SECRET', locationId: 'LOC-SECRET' });
    expect(profile).not.toHaveProperty('passwordHash');
    for (const attribute of STORAGE_ATTRIBUTES) expect(profile).not.toHaveProperty(attribute);
    const listed = [...(await chargers.list()).items, ...(await chargers.list({ locationId: 'LOC-SECRET' })).items];
    expect(listed.filter((c) => c.chargerId === 'CP-SECRET')).toHaveLength(2);
    for (const c of listed) expect(c).not.toHaveProperty('passwordHash');
  });

  it('keeps from a boot only what it reported: a fact a later boot leaves out goes', async () => {
    const chargers = f.deps.stores.chargers;
    await chargers.createIfAbsent(chargerItem({ chargerId: 'CP-MODEM' }));
    await chargers.recordBoot('CP-MODEM', { vendor: 'V', model: 'M', iccid: '8931', imsi: '2620' }, new Date());
    const after = await chargers.recordBoot('CP-MODEM', { vendor: 'V', model: 'M', firmwareVersion: '2.0' }, new Date());
    expect(after).toMatchObject({ vendor: 'V', model: 'M', firmwareVersion: '2.0' });
    expect(after).not.toHaveProperty('iccid');
    expect(after).not.toHaveProperty('imsi');
  });

  it('records a boot and a registration status of a known charger, and of an unknown one nothing', async () => {
    const chargers = f.deps.stores.chargers;
    await chargers.createIfAbsent(chargerItem({ chargerId: 'CP-BOOTS', registrationStatus: 'pending' }));
    const booted = await chargers.recordBoot('CP-BOOTS', { vendor: 'V', model: 'M', firmwareVersion: '1.2' }, new Date('2026-02-01T08:00:00.000Z'));
    expect(booted).toMatchObject({ chargerId: 'CP-BOOTS', vendor: 'V', model: 'M', firmwareVersion: '1.2', lastBootAt: '2026-02-01T08:00:00.000Z', registrationStatus: 'pending' });
    expect(booted).not.toHaveProperty('passwordHash');
    const pending = (await chargers.get('CP-BOOTS'))!;
    expect(await chargers.setRegistrationStatus(pending, 'accepted')).toMatchObject({ registrationStatus: 'accepted' });
    // A decision made on the same read no longer holds: the status it was made on has moved on.
    expect(await chargers.setRegistrationStatus(pending, 'rejected')).toBe('changed');
    expect((await chargers.get('CP-BOOTS'))?.registrationStatus).toBe('accepted');

    expect(await chargers.recordBoot('CP-GHOST', { vendor: 'V', model: 'M' }, new Date('2026-02-01T08:00:00.000Z'))).toBeUndefined();
    expect(await chargers.setRegistrationStatus({ chargerId: 'CP-GHOST', registrationStatus: 'pending' }, 'accepted')).toBe('not-found');
    expect(await f.item('Csms', chargerKey('CP-GHOST'))).toBeUndefined();
  });

  it('lists the chargers of a location, or every charger', async () => {
    const chargers = f.deps.stores.chargers;
    await chargers.createIfAbsent(chargerItem({ chargerId: 'CP-LIST-A1', locationId: 'LOC-LIST-A' }));
    await chargers.createIfAbsent(chargerItem({ chargerId: 'CP-LIST-A2', locationId: 'LOC-LIST-A' }));
    await chargers.createIfAbsent(chargerItem({ chargerId: 'CP-LIST-B1', locationId: 'LOC-LIST-B' }));
    await chargers.createIfAbsent(chargerItem({ chargerId: 'CP-LIST-NONE' }));
    const ids = (page: { items: { chargerId: string }[] }) => page.items.map((c) => c.chargerId).filter((id) => id.startsWith('CP-LIST-'));
    expect(ids(await chargers.list({ locationId: 'LOC-LIST-A' }))).toEqual(['CP-LIST-A1', 'CP-LIST-A2']);
    expect(ids(await chargers.list({ locationId: 'LOC-LIST-B' }))).toEqual(['CP-LIST-B1']);
    expect(ids(await chargers.list())).toEqual(['CP-LIST-A1', 'CP-LIST-A2', 'CP-LIST-B1', 'CP-LIST-NONE']);
  });
});

describe('presence store', () => {
  const connection = (chargerId: string, connectionId: string, connectedAt: number) => ({ chargerId, connectionId, connectedAt, protocol: 'ocpp1.6' as const });

  it('lets a newer connection take over and reports the one it replaced', async () => {
    const presence = f.deps.stores.presence;
    expect(await presence.attach(connection('CP-TAKEOVER', 'conn-1', 1_000))).toEqual({ attached: true });
    expect(await presence.attach({ ...connection('CP-TAKEOVER', 'conn-2', 2_000), protocol: 'ocpp2.0.1' })).toEqual({ attached: true, replacedConnectionId: 'conn-1' });
    const now = await presence.get('CP-TAKEOVER');
    expect(now).toMatchObject({ chargerId: 'CP-TAKEOVER', connected: true, connectionId: 'conn-2', connectedAt: 2_000, protocol: 'ocpp2.0.1' });
    for (const attribute of STORAGE_ATTRIBUTES) expect(now).not.toHaveProperty(attribute);
    // The same connection registered again (a retried $connect) replaces nobody.
    expect(await presence.attach({ ...connection('CP-TAKEOVER', 'conn-2', 2_000), protocol: 'ocpp2.0.1' })).toEqual({ attached: true });
  });

  it('refuses a connection older than the registered one and changes nothing', async () => {
    const presence = f.deps.stores.presence;
    await presence.attach({ ...connection('CP-STALE', 'conn-new', 5_000), sourceIp: '10.0.0.2' });
    const before = await f.item('Csms', presenceKey('CP-STALE'));
    expect(await presence.attach({ ...connection('CP-STALE', 'conn-old', 4_000), sourceIp: '10.0.0.1' })).toEqual({ attached: false });
    expect(await f.item('Csms', presenceKey('CP-STALE'))).toEqual(before);
  });

  it('ignores the late disconnect of a replaced connection, and disconnects the current one', async () => {
    const presence = f.deps.stores.presence;
    await presence.attach(connection('CP-LATE', 'conn-a', 1_000));
    await presence.attach(connection('CP-LATE', 'conn-b', 2_000));
    expect(await presence.detach('CP-LATE', 'conn-a')).toBe(false);
    expect(await presence.get('CP-LATE')).toMatchObject({ connected: true, connectionId: 'conn-b' });

    expect(await presence.detach('CP-LATE', 'conn-b')).toBe(true);
    const offline = await presence.get('CP-LATE');
    expect(offline).toMatchObject({ connected: false });
    expect(offline).not.toHaveProperty('connectionId');
    // A connection after a clean disconnect replaces nobody.
    expect(await presence.attach(connection('CP-LATE', 'conn-c', 3_000))).toEqual({ attached: true });
  });

  it('counts live connections across the index shards (the ConnectedChargers sample): a connect adds one, a disconnect takes it away', async () => {
    const presence = f.deps.stores.presence;
    const before = await presence.countLive();
    for (let i = 0; i < 20; i++) await presence.attach(connection(`CP-COUNT-${i}`, `conn-count-${i}`, 1_000));
    expect(await presence.countLive()).toBe(before + 20);
    await presence.detach('CP-COUNT-3', 'conn-count-3');
    // A replacing connection is still one charger.
    await presence.attach(connection('CP-COUNT-4', 'conn-count-4b', 2_000));
    expect(await presence.countLive()).toBe(before + 19);
  });

  it('does not create presence for a disconnect of a charger it never saw', async () => {
    expect(await f.deps.stores.presence.detach('CP-NEVER', 'conn-x')).toBe(false);
    expect(await f.item('Csms', presenceKey('CP-NEVER'))).toBeUndefined();
  });

  it('keeps the latest upload status of each kind on the presence, leaving the connection as it is', async () => {
    const presence = f.deps.stores.presence;
    await presence.attach(connection('CP-UPLOADS', 'conn-u', 1_000));
    await presence.setLatestUploadStatus('CP-UPLOADS', 'FirmwareStatus', 'Downloading');
    await presence.setLatestUploadStatus('CP-UPLOADS', 'FirmwareStatus', 'Installed');
    await presence.setLatestUploadStatus('CP-UPLOADS', 'LogStatus', 'Uploaded');
    const now = await presence.get('CP-UPLOADS');
    expect(now).toMatchObject({ connected: true, connectionId: 'conn-u', firmwareStatus: 'Installed', logStatus: 'Uploaded' });
    expect(now).not.toHaveProperty('diagnosticsStatus');
    expect(typeof (now as Record<string, unknown> | undefined)?.firmwareStatusAt).toBe('string');
  });
});
