/**
 * Groups, master pass and restricted tokens through the local runtime, with strict ocpp-rpc clients (they check
 * every answer against the OCA schemas): a group member stops another's transaction (C09), a master pass is answered
 * as C16 says, and a token restricted to a location is refused elsewhere (2.x NotAtThisLocation, 1.6 Invalid).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { runId, startE2e, type E2e } from '../support/e2e.ts';
import { createLocation } from '#shared/location/locations.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';

let e: E2e;
const DEPOT = `DEPOT-${runId}`;
const GROUP = `FAM-${runId}`;
const MASTER = `MP-${runId}`;
// 1.6 idTags are at most 20 characters: `<name>-<6 hex>` stays within.
const tag = (name: string) => `${name}-${runId}`;
const MESSAGE = { format: 'UTF8', language: 'en', content: 'Welcome to the depot' } as const;

const connected: RPCClient[] = [];
/** A charger (at the depot or nowhere), connected with a strict client of one version and booted. */
const charger = async (name: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', at?: string) => {
  const chargerId = `CP-TG-${name}-${runId}`;
  const client = await e.client(chargerId, await e.register({ chargerId, ...(at ? { locationId: at } : {}) }), [protocol]);
  connected.push(client);
  const boot = protocol === 'ocpp1.6' ? { chargePointVendor: 'Acme', chargePointModel: 'One' } : { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Two' } };
  expect(await client.call('BootNotification', boot)).toMatchObject({ status: 'Accepted' });
  return { chargerId, client };
};

beforeAll(async () => {
  e = await startE2e();
  await createLocation(e.deps, { locationId: DEPOT, name: 'Depot' }, 'e2e');
  for (const value of ['A1', 'A2', 'A3', 'A4'].map(tag)) await createIdToken(e.deps, { value, groupId: GROUP, cacheLifetimeSeconds: 300, personalMessage: MESSAGE });
  for (const value of ['P1', 'P2'].map(tag)) await createIdToken(e.deps, { value, groupId: MASTER, masterPass: true });
  await createIdToken(e.deps, { value: tag('D1'), allowedLocations: [DEPOT] });
});
afterAll(async () => {
  await Promise.all(connected.map((c) => c.close()));
  await e?.runtime.stop();
});

const iso = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000).toISOString();
const txEvent = (transactionId: string, eventType: string, seqNo: number, triggerReason: string, idToken?: string, stoppedReason?: string) => ({
  eventType,
  seqNo,
  timestamp: iso(seqNo),
  triggerReason,
  transactionInfo: { transactionId, ...(stoppedReason ? { stoppedReason } : {}) },
  ...(idToken ? { idToken: { idToken, type: 'ISO14443' } } : {}),
  ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 } } : {}),
});

describe('OCPP 2.0.1: group stop, master pass, NotAtThisLocation', () => {
  const group = { idToken: GROUP, type: 'Central' };
  const masterGroup = { idToken: MASTER, type: 'Central' };

  it('lets a token of the same group stop the transaction: Authorize and the Ended carry the same group token', async () => {
    const { chargerId, client } = await charger('G2', 'ocpp2.0.1', DEPOT);
    const started = (await client.call('TransactionEvent', txEvent('g-1', 'Started', 0, 'Authorized', tag('A1')))) as { idTokenInfo: Record<string, unknown> };
    expect(started.idTokenInfo).toMatchObject({ status: 'Accepted', groupIdToken: group, personalMessage: MESSAGE, cacheExpiryDateTime: expect.any(String) });
    const other = (await client.call('Authorize', { idToken: { idToken: tag('A2'), type: 'ISO14443' } })) as { idTokenInfo: Record<string, unknown> };
    expect(other.idTokenInfo).toMatchObject({ status: 'Accepted', groupIdToken: group });
    const ended = (await client.call('TransactionEvent', txEvent('g-1', 'Ended', 1, 'StopAuthorized', tag('A2'), 'Local'))) as { idTokenInfo: Record<string, unknown> };
    expect(ended.idTokenInfo).toMatchObject({ status: 'Accepted', groupIdToken: group });
    expect(await e.deps.stores.transactions.get(chargerId, 'g-1')).toMatchObject({ status: 'ended', idToken: tag('A1') });
  });

  it('answers a master pass Accepted with its group, refuses it starting, and takes the MasterPass stop it makes', async () => {
    const { chargerId, client } = await charger('M2', 'ocpp2.0.1');
    expect(await client.call('Authorize', { idToken: { idToken: tag('P1'), type: 'ISO14443' } })).toEqual({ idTokenInfo: { status: 'Accepted', groupIdToken: masterGroup } });
    // A charger without master pass support starts with it anyway: the CSMS refuses.
    expect(await client.call('TransactionEvent', txEvent('m-1', 'Started', 0, 'Authorized', tag('P2')))).toEqual({ idTokenInfo: { status: 'Invalid', groupIdToken: masterGroup } });
    // Someone else's transaction, ended by the master pass (TC_C_49: the Ended names the starting token).
    await client.call('TransactionEvent', { ...txEvent('m-2', 'Started', 0, 'Authorized', tag('A3')), evse: { id: 2, connectorId: 1 } });
    const ended = (await client.call('TransactionEvent', txEvent('m-2', 'Ended', 1, 'StopAuthorized', tag('A3'), 'MasterPass'))) as { idTokenInfo: unknown };
    expect(ended.idTokenInfo).toMatchObject({ status: 'Accepted', groupIdToken: group });
    expect(await e.deps.stores.transactions.get(chargerId, 'm-2')).toMatchObject({ status: 'ended', stopReason: 'MasterPass' });
  });

  it('refuses a token restricted to a location at a charger elsewhere with NotAtThisLocation', async () => {
    const { client: atDepot } = await charger('L2D', 'ocpp2.0.1', DEPOT);
    const { client: elsewhere } = await charger('L2E', 'ocpp2.0.1');
    const authorize = { idToken: { idToken: tag('D1'), type: 'ISO14443' } };
    expect(await elsewhere.call('Authorize', authorize)).toEqual({ idTokenInfo: { status: 'NotAtThisLocation' } });
    expect(await atDepot.call('Authorize', authorize)).toEqual({ idTokenInfo: { status: 'Accepted' } });
  });
});

describe('OCPP 1.6: group stop, master pass, restriction', () => {
  it('lets a token of the same group stop the transaction, answering the parent throughout', async () => {
    const { chargerId, client } = await charger('G16', 'ocpp1.6', DEPOT);
    const started = (await client.call('StartTransaction', { connectorId: 1, idTag: tag('A4'), meterStart: 0, timestamp: iso(0) })) as { transactionId: number; idTagInfo: unknown };
    expect(started.idTagInfo).toEqual({ status: 'Accepted', parentIdTag: GROUP });
    expect(await client.call('Authorize', { idTag: tag('A2') })).toEqual({ idTagInfo: { status: 'Accepted', parentIdTag: GROUP } });
    const stopped = await client.call('StopTransaction', { transactionId: started.transactionId, idTag: tag('A2'), meterStop: 500, timestamp: iso(60) });
    expect(stopped).toEqual({ idTagInfo: { status: 'Accepted', parentIdTag: GROUP } });
    expect(await e.deps.stores.transactions.get(chargerId, String(started.transactionId))).toMatchObject({ status: 'ended', stopIdToken: tag('A2') });
  });

  it('answers a master pass Invalid (1.6 has none) and a token restricted elsewhere Invalid', async () => {
    const { client: atDepot } = await charger('L16D', 'ocpp1.6', DEPOT);
    const { client: elsewhere } = await charger('L16E', 'ocpp1.6');
    expect(await elsewhere.call('Authorize', { idTag: tag('P1') })).toEqual({ idTagInfo: { status: 'Invalid' } });
    expect(await elsewhere.call('Authorize', { idTag: tag('D1') })).toEqual({ idTagInfo: { status: 'Invalid' } });
    expect(await atDepot.call('Authorize', { idTag: tag('D1') })).toEqual({ idTagInfo: { status: 'Accepted' } });
  });
});
