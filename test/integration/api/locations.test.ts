/**
 * The location routes through the real handlers against DynamoDB Local: create (chosen or generated id,
 * idempotent), read, list with pages, merge patch and delete with If-Match, and who may do each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocationRoute,
  deleteLocationRoute,
  getLocationRoute,
  listLocationChargersRoute,
  listLocationsRoute,
  patchLocationRoute,
} from '#functions/api/locations/routes.ts';
import { createChargerRoute, deleteChargerRoute, getChargerRoute } from '#functions/api/chargers/routes.ts';
import { machineClaims, personClaims } from '../../support/api-harness.ts';
import { startChargerApi, type ChargerApiHarness } from './charger-api-harness.ts';

const viewer = personClaims('vera', ['viewer']);
const operator = personClaims('otto', ['operator']);
const reader = machineClaims('billing', ['csms/read']);
const writer = machineClaims('grid', ['csms/write']);

const lisbon = {
  name: 'Lisbon depot',
  address: { street: 'Rua Augusta 1', city: 'Lisboa', postalCode: '1100-048', country: 'PT' },
  coordinates: { latitude: 38.7107, longitude: -9.1366 },
  timeZone: 'Europe/Lisbon',
  grid: { substationId: 'SUB-7', transformerId: 'TR-12', contractedCapacityKw: 250 },
};

let api: ChargerApiHarness;
beforeAll(async () => {
  api = await startChargerApi();
});
afterAll(async () => api?.close());

describe('POST /locations', () => {
  it('creates a location with a chosen id, answering it with its ETag and Location', async () => {
    const res = await api.call(createLocationRoute, { body: { locationId: 'LIS-1', ...lisbon }, claims: operator });
    expect(res.status).toBe(201);
    expect(res.headers.Location).toBe('/locations/LIS-1');
    expect(res.headers.ETag).toMatch(/^"/);
    expect(res.body).toMatchObject({ locationId: 'LIS-1', ...lisbon, chargerCount: 0, version: 1, createdBy: 'otto', updatedBy: 'otto' });
    expect(res.body.createdAt).toMatch(/Z$/);
  });

  it('generates an id when none is given', async () => {
    const res = await api.call(createLocationRoute, { body: { name: 'Porto' }, claims: writer });
    expect(res.status).toBe(201);
    expect(res.body.locationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.createdBy).toBe('client:grid');
  });

  it('refuses a taken id with 409 naming /locationId', async () => {
    const res = await api.call(createLocationRoute, { body: { locationId: 'LIS-1', name: 'again' } });
    expect(res.status).toBe(409);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/locationId' })]);
  });

  it('answers a retry with the same Idempotency-Key with the first result', async () => {
    const call = { body: { locationId: 'IDEM-1', name: 'Once' }, headers: { 'Idempotency-Key': 'loc-idem-1' } };
    const first = await api.call(createLocationRoute, call);
    const again = await api.call(createLocationRoute, call);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it.each([
    [{ name: 'x', address: { country: 'XX' } }, '/address/country'],
    [{ name: 'x', address: { country: 'pt' } }, '/address/country'],
    [{ name: 'x', timeZone: 'Mars/Olympus' }, '/timeZone'],
    [{ name: 'x', coordinates: { latitude: 91, longitude: 0 } }, '/coordinates/latitude'],
    [{ name: 'x', coordinates: { latitude: 0, longitude: -181 } }, '/coordinates/longitude'],
    [{ name: 'x', grid: { contractedCapacityKw: -5 } }, '/grid/contractedCapacityKw'],
    [{ name: '' }, '/name'],
    [{ name: 'x', locationId: 'has space' }, '/locationId'],
    [{ name: 'x', colour: 'red' }, '/'],
  ])('refuses %j with 400 naming %s', async (body, pointer) => {
    const res = await api.call(createLocationRoute, { body });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  });

  it('is refused to viewers and read-only machine clients', async () => {
    for (const claims of [viewer, reader]) {
      expect((await api.call(createLocationRoute, { body: { name: 'no' }, claims })).status).toBe(403);
    }
  });
});

describe('GET /locations', () => {
  beforeAll(async () => {
    for (const id of ['PAGE-A', 'PAGE-B', 'PAGE-C']) await api.call(createLocationRoute, { body: { locationId: id, name: id } });
  });

  it('pages through every location with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api.call(listLocationsRoute, { query: { limit: '2', ...(cursor ? { cursor } : {}) }, claims: viewer });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((l: { locationId: string }) => l.locationId));
      cursor = res.body.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(seen).toEqual(expect.arrayContaining(['LIS-1', 'PAGE-A', 'PAGE-B', 'PAGE-C']));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses a cursor it did not hand out with 400', async () => {
    const res = await api.call(listLocationsRoute, { query: { cursor: 'not-a-cursor' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ parameter: 'cursor' })]);
  });

  it('answers only the fields asked for, and refuses unknown ones', async () => {
    const res = await api.call(listLocationsRoute, { query: { fields: 'locationId,name', limit: '1' }, claims: reader });
    expect(Object.keys(res.body.items[0]).sort()).toEqual(['locationId', 'name']);
    expect((await api.call(listLocationsRoute, { query: { fields: 'secret' } })).status).toBe(400);
  });
});

describe('GET /locations/{locationId}', () => {
  it('answers the location to every reader, with an ETag; 404 for an unknown one', async () => {
    for (const claims of [viewer, reader, writer, operator]) {
      const res = await api.call(getLocationRoute, { params: { locationId: 'LIS-1' }, claims });
      expect(res.status).toBe(200);
      expect(res.body.name).toBe('Lisbon depot');
    }
    expect((await api.call(getLocationRoute, { params: { locationId: 'NOPE' } })).status).toBe(404);
  });
});

describe('PATCH /locations/{locationId}', () => {
  const etag = async (locationId: string) => (await api.call(getLocationRoute, { params: { locationId } })).headers.ETag!;

  it('needs If-Match (428) and refuses a stale one (412)', async () => {
    const params = { locationId: 'LIS-1' };
    expect((await api.call(patchLocationRoute, { params, body: { name: 'x' } })).status).toBe(428);
    expect((await api.call(patchLocationRoute, { params, body: { name: 'x' }, headers: { 'If-Match': '"stale"' } })).status).toBe(412);
  });

  it('merges a patch: nested members merge, null removes', async () => {
    const params = { locationId: 'LIS-1' };
    const res = await api.call(patchLocationRoute, {
      params,
      body: { address: { city: 'Lisbon', postalCode: null }, timeZone: null, grid: { contractedCapacityKw: 400 } },
      headers: { 'If-Match': await etag('LIS-1') },
      claims: operator,
    });
    expect(res.status).toBe(200);
    expect(res.body.address).toEqual({ street: 'Rua Augusta 1', city: 'Lisbon', country: 'PT' });
    expect(res.body.timeZone).toBeUndefined();
    expect(res.body.grid).toEqual({ substationId: 'SUB-7', transformerId: 'TR-12', contractedCapacityKw: 400 });
    expect(res.body.version).toBe(2);
    expect(res.headers.ETag).toBe(await etag('LIS-1'));
  });

  it('refuses a patch that leaves the location invalid with 422 naming the field', async () => {
    const res = await api.call(patchLocationRoute, {
      params: { locationId: 'PAGE-A' },
      body: { address: { city: 'Faro' } },
      headers: { 'If-Match': await etag('PAGE-A') },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/address/country' })]);
  });

  it('is refused to viewers', async () => {
    const res = await api.call(patchLocationRoute, { params: { locationId: 'LIS-1' }, body: { name: 'v' }, headers: { 'If-Match': '*' }, claims: viewer });
    expect(res.status).toBe(403);
  });
});

describe('DELETE /locations/{locationId} and its chargers', () => {
  it('lists the chargers at a location and refuses to delete it while any is there', async () => {
    await api.call(createLocationRoute, { body: { locationId: 'BUSY', name: 'Busy' } });
    for (const chargerId of ['BUSY-1', 'BUSY-2']) {
      expect((await api.call(createChargerRoute, { body: { chargerId, locationId: 'BUSY' } })).status).toBe(201);
    }
    const listed = await api.call(listLocationChargersRoute, { params: { locationId: 'BUSY' }, claims: viewer });
    expect(listed.body.items.map((c: { chargerId: string }) => c.chargerId)).toEqual(['BUSY-1', 'BUSY-2']);
    expect((await api.call(listLocationChargersRoute, { params: { locationId: 'NOPE' } })).status).toBe(404);

    const read = await api.call(getLocationRoute, { params: { locationId: 'BUSY' } });
    expect(read.body.chargerCount).toBe(2);
    const refused = await api.call(deleteLocationRoute, { params: { locationId: 'BUSY' }, headers: { 'If-Match': read.headers.ETag! } });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/still has chargers \(2\)/);

    for (const chargerId of ['BUSY-1', 'BUSY-2']) {
      const charger = await api.call(getChargerRoute, { params: { chargerId } });
      expect((await api.call(deleteChargerRoute, { params: { chargerId }, headers: { 'If-Match': charger.headers.ETag! } })).status).toBe(204);
    }
    const empty = await api.call(getLocationRoute, { params: { locationId: 'BUSY' } });
    expect(empty.body.chargerCount).toBe(0);
    expect((await api.call(deleteLocationRoute, { params: { locationId: 'BUSY' }, headers: { 'If-Match': read.headers.ETag! } })).status).toBe(412);
    const deleted = await api.call(deleteLocationRoute, { params: { locationId: 'BUSY' }, headers: { 'If-Match': empty.headers.ETag! }, claims: operator });
    expect(deleted.status).toBe(204);
    expect((await api.call(getLocationRoute, { params: { locationId: 'BUSY' } })).status).toBe(404);
  });

  it('needs If-Match, and is refused to viewers', async () => {
    expect((await api.call(deleteLocationRoute, { params: { locationId: 'PAGE-C' } })).status).toBe(428);
    expect((await api.call(deleteLocationRoute, { params: { locationId: 'PAGE-C' }, headers: { 'If-Match': '*' }, claims: reader })).status).toBe(403);
  });
});
