/**
 * Local authorization lists end to end, against a started local runtime and strict ocpp-rpc chargers (1.6 and
 * 2.0.1): tokens put on a charger's list and its location's over REST, `POST /chargers/{id}/local-list:sync` sending
 * Full and Differential SendLocalList updates through the command queue, the version moving on only when the charger
 * accepts, a refused update changing nothing, and a version the charger reports otherwise (GetLocalListVersion, or
 * a VersionMismatch) making the next sync Full. What an answer's effect wrote is awaited with expect.poll: the effect
 * runs just after the command is recorded as answered.
 */
import type { RPCClient } from 'ocpp-rpc';
import { describe, expect, it } from 'vitest';
import { commandE2eFile, type Json } from '../support/command-e2e.ts';
import { runId } from '../support/e2e.ts';

const f = commandE2eFile('fx-locallist');

/** A 2.0.1 charger registered at a location, booted. */
const connectAt = async (chargerId: string, locationId: string): Promise<RPCClient> => {
  const password = await f.e.register({ chargerId, locationId });
  const client = await f.e.client(chargerId, password, ['ocpp2.0.1']);
  f.closeAfter(client);
  expect(await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Two' } })).toMatchObject({ status: 'Accepted' });
  return client;
};

/**
 * A charger that keeps every SendLocalList it gets and answers each with the next status given (Accepted after
 * them), and answers GetLocalListVersion with the version it is told to report.
 */
const listCharger = async (client: RPCClient, protocol: 'ocpp1.6' | 'ocpp2.0.1') => {
  const received: Json[] = [];
  const answers: string[] = [];
  let version = 0;
  client.handle('SendLocalList', async ({ params }) => {
    received.push(params as Json);
    return { status: answers.shift() ?? 'Accepted' };
  });
  client.handle('GetLocalListVersion', async () => (protocol === 'ocpp1.6' ? { listVersion: version } : { versionNumber: version }));
  return {
    client,
    /** The SendLocalList payloads received since the last call. */
    take: () => received.splice(0),
    answerNext: (...statuses: string[]) => answers.push(...statuses),
    reportVersion: (v: number) => {
      version = v;
    },
  };
};

const tokenPath = (chargerId: string, type: string, value: string) => `/chargers/${chargerId}/local-list/tokens/${type}/${value}`;
const put = (path: string) => f.api('PUT', path);
const localList = async (chargerId: string) => (await f.api('GET', `/chargers/${chargerId}/local-list`)).body;
const heldEntries = async (chargerId: string) =>
  (await localList(chargerId)).entries.map((e: Json) => `${e.idToken}${e.idTokenType ? `/${e.idTokenType}` : ''}=${e.info.status}@${e.listVersion}`);

/** Syncs and follows every command it sent to its end; the sync's answer with the ended commands. */
const synced = async (chargerId: string, query = ''): Promise<Json> => {
  const res = await f.api('POST', `/chargers/${chargerId}/local-list:sync${query}`);
  expect(res.status).toBe(202);
  const ended = [];
  for (const c of res.body.commands as Json[]) ended.push(await f.follow(c.commandId as string));
  expect(res.location).toBe(`/commands/${(res.body.commands as Json[]).at(-1)!.commandId}`);
  return { ...res.body, ended };
};

describe('OCPP 1.6', () => {
  it('sends a Full list, then Differential updates with versions; a refused one changes nothing; a version told otherwise or a VersionMismatch makes the next one Full', async () => {
    const cp = `CP-LL16-${runId}`;
    const charger = await listCharger(await f.connect(cp, 'ocpp1.6'), 'ocpp1.6');
    const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((x) => `L16${x}-${runId}`);
    for (const value of [a, b, c, d]) expect((await f.api('POST', '/id-tokens', { value })).status).toBe(201);
    await f.e.deps.stores.idTokens.setBlocked(b!, 'ISO14443', true);
    for (const value of [a, b]) expect((await put(tokenPath(cp, 'ISO14443', value!))).status).toBe(201);

    // Nothing is known of the charger's list: a Full update of version 1.
    const full = await synced(cp);
    expect(full).toMatchObject({ upToDate: false, fullUpdateBecause: 'no-known-list', entries: 2, commands: [{ versionNumber: 1, updateType: 'Full', upserts: 2, removals: 0 }] });
    expect(full.ended).toMatchObject([{ status: 'answered', outcome: 'accepted', action: 'SendLocalList' }]);
    expect(charger.take()).toEqual([
      { listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: a, idTagInfo: { status: 'Accepted' } }, { idTag: b, idTagInfo: { status: 'Blocked' } }] },
    ]);
    await expect.poll(() => heldEntries(cp)).toEqual([`${a}=Accepted@1`, `${b}=Blocked@1`]);
    expect(await f.api('POST', `/chargers/${cp}/local-list:sync`)).toMatchObject({ status: 200, body: { upToDate: true, version: 1, entries: 2 } });

    // A token blocked, one added, one taken off: a Differential update of version 2, the removal first.
    await f.e.deps.stores.idTokens.setBlocked(a!, 'ISO14443', true);
    await put(tokenPath(cp, 'ISO14443', c!));
    expect((await f.api('DELETE', tokenPath(cp, 'ISO14443', b!))).status).toBe(204);
    const differential = await synced(cp);
    expect(differential.commands).toMatchObject([{ versionNumber: 2, updateType: 'Differential', upserts: 2, removals: 1 }]);
    expect(charger.take()).toEqual([
      {
        listVersion: 2,
        updateType: 'Differential',
        localAuthorizationList: [{ idTag: b }, { idTag: a, idTagInfo: { status: 'Blocked' } }, { idTag: c, idTagInfo: { status: 'Accepted' } }],
      },
    ]);
    await expect.poll(() => heldEntries(cp)).toEqual([`${a}=Blocked@2`, `${c}=Accepted@2`]);

    // Refused (Failed): nothing moves; the next sync sends the change again, one version on from the refused one.
    await put(tokenPath(cp, 'ISO14443', d!));
    charger.answerNext('Failed');
    const refused = await synced(cp);
    expect(refused.ended).toMatchObject([{ status: 'answered', outcome: 'failed' }]);
    expect(charger.take()).toMatchObject([{ listVersion: 3, updateType: 'Differential', localAuthorizationList: [{ idTag: d }] }]);
    expect(await localList(cp)).toMatchObject({ version: 2, entriesVersion: 2, lastSync: { sentVersion: 3, commandIds: [refused.commands[0].commandId] } });
    expect(await heldEntries(cp)).toEqual([`${a}=Blocked@2`, `${c}=Accepted@2`]);
    await synced(cp);
    expect(charger.take()).toMatchObject([{ listVersion: 4, updateType: 'Differential', localAuthorizationList: [{ idTag: d, idTagInfo: { status: 'Accepted' } }] }]);
    await expect.poll(async () => (await localList(cp)).version).toBe(4);

    // The charger's list changed elsewhere: GetLocalListVersion tells version 9, and a Full update (10) follows at
    // once, with no sync asked for (the SyncLocalListOnMismatch stream route).
    charger.reportVersion(9);
    await f.answered(cp, 'GetLocalListVersion', {});
    await expect.poll(async () => (await localList(cp)).version, { timeout: 20_000 }).toBe(10);
    expect(charger.take()).toMatchObject([{ listVersion: 10, updateType: 'Full', localAuthorizationList: [{}, {}, {}] }]);
    expect((await localList(cp)).lastSync).toMatchObject({ sentVersion: 10, updateType: 'Full', sentBy: 'csms:version-mismatch' });

    // A Differential update refused with VersionMismatch: nothing moves, but the next sync is Full.
    expect((await f.api('DELETE', tokenPath(cp, 'ISO14443', c!))).status).toBe(204);
    charger.answerNext('VersionMismatch');
    const mismatched = await synced(cp);
    expect(mismatched.ended).toMatchObject([{ outcome: 'versionMismatch' }]);
    await expect.poll(async () => (await localList(cp)).fullUpdateDue).toMatchObject({ because: 'VersionMismatch', commandId: mismatched.commands[0].commandId });
    expect(await localList(cp)).toMatchObject({ version: 10, entriesVersion: 10 });
    const recovered = await synced(cp);
    expect(recovered).toMatchObject({ fullUpdateBecause: 'version-mismatch', commands: [{ versionNumber: 12, updateType: 'Full', upserts: 2 }] });
    expect(charger.take().map((p) => [p.listVersion, p.updateType, p.localAuthorizationList.map((e: Json) => e.idTag)])).toEqual([
      [11, 'Differential', [c]],
      [12, 'Full', [a, d]],
    ]);
    await expect.poll(() => heldEntries(cp)).toEqual([`${a}=Blocked@12`, `${d}=Accepted@12`]);
    expect(await localList(cp)).not.toHaveProperty('fullUpdateDue');
  });
});

describe('OCPP 2.0.1', () => {
  it('merges the charger’s tokens with its location’s, splits updates past ItemsPerMessage, and recovers from a VersionMismatch with a Full update', async () => {
    const cp = `CP-LL2-${runId}`;
    const loc = `loc-ll2-${runId}`;
    expect((await f.api('POST', '/locations', { locationId: loc, name: 'Depot' })).status).toBe(201);
    const charger = await listCharger(await connectAt(cp, loc), 'ocpp2.0.1');
    const [x, l1, l2, l3] = ['X', 'L1', 'L2', 'L3'].map((v) => `LL2${v}-${runId}`);
    for (const value of [x, l1, l2, l3]) await f.api('POST', '/id-tokens', { value });
    await f.api('POST', '/id-tokens', { value: x, type: 'eMAID', status: 'blocked' });
    await put(tokenPath(cp, 'ISO14443', x!));
    await put(tokenPath(cp, 'eMAID', x!));
    for (const value of [l1, l2, x]) expect((await put(`/locations/${loc}/local-list/tokens/ISO14443/${value}`)).status).toBe(201);

    // The charger takes two entries a message (a SetVariables it accepted is kept as its setting).
    charger.client.handle('SetVariables', async ({ params }) => ({
      setVariableResult: ((params as Json).setVariableData as Json[]).map((d) => ({ attributeStatus: 'Accepted', component: d.component, variable: d.variable })),
    }));
    await f.answered(cp, 'SetVariables', { setVariableData: [{ component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'ItemsPerMessage' }, attributeValue: '2' }] });
    await expect.poll(async () => (await f.api('GET', `/chargers/${cp}/configuration`)).body.items.length).toBe(1);

    const full = await synced(cp);
    expect(full).toMatchObject({
      entries: 4,
      commands: [
        { versionNumber: 1, updateType: 'Full', upserts: 2 },
        { versionNumber: 2, updateType: 'Differential', upserts: 2 },
      ],
    });
    const info = (status: string) => ({ idTokenInfo: expect.objectContaining({ status }) });
    expect(charger.take()).toEqual([
      {
        versionNumber: 1,
        updateType: 'Full',
        localAuthorizationList: [{ idToken: { idToken: x, type: 'ISO14443' }, ...info('Accepted') }, { idToken: { idToken: x, type: 'eMAID' }, ...info('Blocked') }],
      },
      {
        versionNumber: 2,
        updateType: 'Differential',
        localAuthorizationList: [{ idToken: { idToken: l1, type: 'ISO14443' }, ...info('Accepted') }, { idToken: { idToken: l2, type: 'ISO14443' }, ...info('Accepted') }],
      },
    ]);
    await expect.poll(async () => (await localList(cp)).version).toBe(2);
    expect(await heldEntries(cp)).toEqual([`${l1}/ISO14443=Accepted@2`, `${l2}/ISO14443=Accepted@2`, `${x}/ISO14443=Accepted@1`, `${x}/eMAID=Blocked@1`]);

    // Off the location's list: a Differential removal (no idTokenInfo).
    expect((await f.api('DELETE', `/locations/${loc}/local-list/tokens/ISO14443/${l1}`)).status).toBe(204);
    await synced(cp);
    expect(charger.take()).toEqual([{ versionNumber: 3, updateType: 'Differential', localAuthorizationList: [{ idToken: { idToken: l1, type: 'ISO14443' } }] }]);
    await expect.poll(async () => (await localList(cp)).version).toBe(3);

    // VersionMismatch: the version stays, the next sync is a Full update (in two messages again).
    await put(`/locations/${loc}/local-list/tokens/ISO14443/${l3}`);
    charger.answerNext('VersionMismatch');
    expect((await synced(cp)).ended).toMatchObject([{ outcome: 'versionMismatch' }]);
    await expect.poll(async () => (await localList(cp)).fullUpdateDue?.because).toBe('VersionMismatch');
    expect((await localList(cp)).version).toBe(3);
    charger.take();
    const recovered = await synced(cp);
    expect(recovered).toMatchObject({ fullUpdateBecause: 'version-mismatch', commands: [{ versionNumber: 5, updateType: 'Full' }, { versionNumber: 6, updateType: 'Differential' }] });
    expect(charger.take().map((p) => p.localAuthorizationList.length)).toEqual([2, 2]);
    await expect.poll(async () => (await localList(cp)).version).toBe(6);
    expect(await heldEntries(cp)).toEqual([`${l2}/ISO14443=Accepted@6`, `${l3}/ISO14443=Accepted@6`, `${x}/ISO14443=Accepted@5`, `${x}/eMAID=Blocked@5`]);

    // Asked for, a Full update is sent although nothing changed; GetLocalListVersion telling another version does too.
    expect(await synced(cp, '?full=true')).toMatchObject({ fullUpdateBecause: 'requested', commands: [{ versionNumber: 7 }, { versionNumber: 8 }] });
    await expect.poll(async () => (await localList(cp)).version).toBe(8);
    charger.take();
    charger.reportVersion(42);
    await f.answered(cp, 'GetLocalListVersion', {});
    await expect.poll(async () => (await localList(cp)).version, { timeout: 20_000 }).toBe(44);
    expect(charger.take()).toMatchObject([{ versionNumber: 43, updateType: 'Full' }, { versionNumber: 44, updateType: 'Differential' }]);
    // The version told matches now: asking again sends nothing.
    charger.reportVersion(44);
    await f.answered(cp, 'GetLocalListVersion', {});
    expect((await f.api('POST', `/chargers/${cp}/local-list:sync`)).body).toMatchObject({ upToDate: true, version: 44 });
    expect(charger.take()).toEqual([]);
  });
});
