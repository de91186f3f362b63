/**
 * The local-list routes through the real handlers against DynamoDB Local: putting id tokens on a charger's list and a
 * location's (201, then 200 unchanged; 404 for an unknown token, charger or location), listing and taking them off,
 * who may do each, a deleted location's tokens erased, and the sync's answers that send nothing (up to date, unknown
 * charger, a charger without a local list). Syncs that send commands: test/e2e/local-list-sync.e2e.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteLocationRoute, getLocationRoute } from '#functions/api/locations/routes.ts';
import {
  deleteChargerListTokenRoute,
  deleteLocationListTokenRoute,
  listChargerListTokensRoute,
  listLocationListTokensRoute,
  putChargerListTokenRoute,
  putLocationListTokenRoute,
  syncChargerLocalListRoute,
} from '#functions/api/local-list/routes.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { createLocation } from '#shared/location/locations.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { personClaims, startApiHarness, type ApiHarness } from '../../support/api-harness.ts';

let api: ApiHarness;
const CP = 'CP-LocalListApi';
const LOC = 'loc-local-list-api';
const operator = personClaims('olga', ['operator']);
const viewer = personClaims('vic', ['viewer']);
/** A password the charger chose: no pepper needed to register it. */
const password = 'a-chosen-password-1234';
const at = (id: string, type: string, value: string, kind: 'chargerId' | 'locationId' = 'chargerId') => ({ [kind]: id, type, value });

beforeAll(async () => {
  api = await startApiHarness();
  await createLocation(api.deps, { locationId: LOC, name: 'Depot' }, 'test');
  await createCharger(api.deps, { chargerId: CP, defaultProtocol: 'ocpp2.0.1', locationId: LOC, password });
  for (const value of ['CARD-1', 'CARD-2', 'FLEET-9']) await createIdToken(api.deps, { value });
  await createIdToken(api.deps, { value: 'CARD-1', tokenType: 'eMAID' });
});
afterAll(async () => api?.close());

describe('tokens on a charger’s list', () => {
  it('puts a token on the list (201 with its Location), and again changes nothing (200, the first assignment)', async () => {
    const first = await api.call(putChargerListTokenRoute, { params: at(CP, 'ISO14443', 'CARD-1'), claims: operator });
    expect(first.status).toBe(201);
    expect(first.headers.Location).toBe(`/chargers/${CP}/local-list/tokens/ISO14443/CARD-1`);
    expect(first.body).toEqual({ type: 'ISO14443', value: 'CARD-1', assignedAt: expect.any(String), assignedBy: 'olga' });
    // Any case of the charger id finds it; the token goes on the list of the charger as registered.
    const again = await api.call(putChargerListTokenRoute, { params: at(CP.toLowerCase(), 'ISO14443', 'CARD-1') });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await api.call(putChargerListTokenRoute, { params: at(CP, 'eMAID', 'CARD-1') })).status).toBe(201);
  });

  it('answers 404 for a token that does not exist (of that type) and for an unknown charger; 403 for a viewer', async () => {
    const unknownType = await api.call(putChargerListTokenRoute, { params: at(CP, 'ISO15693', 'CARD-1') });
    expect(unknownType.status).toBe(404);
    expect(unknownType.body.detail).toMatch(/No id token ISO15693 CARD-1/);
    expect((await api.call(putChargerListTokenRoute, { params: at('CP-NOBODY', 'ISO14443', 'CARD-1') })).status).toBe(404);
    expect((await api.call(putChargerListTokenRoute, { params: at(CP, 'ISO14443', 'CARD-2'), claims: viewer })).status).toBe(403);
    expect((await api.call(deleteChargerListTokenRoute, { params: at(CP, 'ISO14443', 'CARD-1'), claims: viewer })).status).toBe(403);
  });

  it('lists the charger’s own tokens by type and value, in pages, for every role', async () => {
    const page = await api.call(listChargerListTokensRoute, { params: { chargerId: CP }, query: { limit: '1' }, claims: viewer });
    expect(page.status).toBe(200);
    expect(page.body.items.map((t: { type: string }) => t.type)).toEqual(['ISO14443']);
    const next = await api.call(listChargerListTokensRoute, { params: { chargerId: CP }, query: { cursor: page.body.cursor } });
    expect(next.body.items.map((t: { type: string; value: string }) => `${t.type}/${t.value}`)).toEqual(['eMAID/CARD-1']);
    expect((await api.call(listChargerListTokensRoute, { params: { chargerId: 'CP-NOBODY' } })).status).toBe(404);
  });

  it('takes a token off (204), then answers 404 for it', async () => {
    expect((await api.call(deleteChargerListTokenRoute, { params: at(CP, 'eMAID', 'CARD-1'), claims: operator })).status).toBe(204);
    const gone = await api.call(deleteChargerListTokenRoute, { params: at(CP, 'eMAID', 'CARD-1') });
    expect(gone.status).toBe(404);
    expect(gone.body.detail).toMatch(/not on the list of charger/);
  });
});

describe('tokens on a location’s list', () => {
  it('puts, lists and takes off tokens; 404 for an unknown location', async () => {
    const put = await api.call(putLocationListTokenRoute, { params: at(LOC, 'ISO14443', 'FLEET-9', 'locationId'), claims: operator });
    expect(put.status).toBe(201);
    expect(put.headers.Location).toBe(`/locations/${LOC}/local-list/tokens/ISO14443/FLEET-9`);
    await api.call(putLocationListTokenRoute, { params: at(LOC, 'ISO14443', 'CARD-2', 'locationId') });
    const listed = await api.call(listLocationListTokensRoute, { params: { locationId: LOC }, claims: viewer });
    expect(listed.body.items.map((t: { value: string }) => t.value)).toEqual(['CARD-2', 'FLEET-9']);
    expect((await api.call(deleteLocationListTokenRoute, { params: at(LOC, 'ISO14443', 'CARD-2', 'locationId') })).status).toBe(204);
    expect((await api.call(putLocationListTokenRoute, { params: at('nowhere', 'ISO14443', 'CARD-2', 'locationId') })).status).toBe(404);
    expect((await api.call(listLocationListTokensRoute, { params: { locationId: 'nowhere' } })).status).toBe(404);
  });

  it('erases them when the location is deleted', async () => {
    const LONELY = 'loc-lonely';
    await createLocation(api.deps, { locationId: LONELY, name: 'No chargers' }, 'test');
    await api.call(putLocationListTokenRoute, { params: at(LONELY, 'ISO14443', 'CARD-2', 'locationId') });
    const read = await api.call(getLocationRoute, { params: { locationId: LONELY } });
    expect((await api.call(deleteLocationRoute, { params: { locationId: LONELY }, headers: { 'If-Match': read.headers.ETag! } })).status).toBe(204);
    expect(await api.deps.stores.listTokens.all({ kind: 'location', locationId: LONELY })).toEqual([]);
  });
});

describe('POST /chargers/{id}/local-list:sync, when nothing is sent', () => {
  it('answers 200 up to date when the charger holds the wanted list', async () => {
    const QUIET = 'CP-LocalListQuiet';
    await createCharger(api.deps, { chargerId: QUIET, defaultProtocol: 'ocpp1.6', password });
    // An accepted empty Full update of version 3: with no tokens put on its list, there is nothing to send.
    await api.deps.stores.localLists.setVersion({ chargerId: QUIET, version: 3, versionFrom: 'SendLocalList', versionAt: 'x', commandId: 'c', entriesVersion: 3, entriesAt: 'x', updateType: 'Full' });
    const res = await api.call(syncChargerLocalListRoute, { params: { chargerId: QUIET }, claims: operator });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ chargerId: QUIET, upToDate: true, version: 3, entries: 0, leftOut: [], commands: [] });
    expect((await api.call(syncChargerLocalListRoute, { params: { chargerId: QUIET }, claims: viewer })).status).toBe(403);
    expect((await api.call(syncChargerLocalListRoute, { params: { chargerId: QUIET }, query: { full: 'maybe' } })).status).toBe(400);
    // The query is part of the request an Idempotency-Key names: a full sync is not a retry of a differential one.
    const headers = { 'Idempotency-Key': 'sync-quiet-1' };
    expect((await api.call(syncChargerLocalListRoute, { params: { chargerId: QUIET }, headers, claims: operator })).status).toBe(200);
    const full = await api.call(syncChargerLocalListRoute, { params: { chargerId: QUIET }, query: { full: 'true' }, headers, claims: operator });
    expect(full.headers['Idempotent-Replayed']).toBeUndefined();
    expect(full.status).toBe(422);
  });

  it('answers 404 for an unknown charger, 409 for one that never spoke OCPP or reported it has no local list', async () => {
    expect((await api.call(syncChargerLocalListRoute, { params: { chargerId: 'CP-NOBODY' } })).status).toBe(404);
    await createCharger(api.deps, { chargerId: 'CP-LocalListNever', password });
    expect((await api.call(syncChargerLocalListRoute, { params: { chargerId: 'CP-LocalListNever' } })).status).toBe(409);
    const NONE = 'CP-LocalListNone';
    await createCharger(api.deps, { chargerId: NONE, defaultProtocol: 'ocpp1.6', password });
    await api.deps.stores.localLists.setVersion({ chargerId: NONE, version: -1, versionFrom: 'GetLocalListVersion', versionAt: 'x', commandId: 'g' });
    const res = await api.call(syncChargerLocalListRoute, { params: { chargerId: NONE } });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/version -1/);
  });
});
