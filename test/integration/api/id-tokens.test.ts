import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineClaims, personClaims, startApiHarness, type ApiHarness } from '../../support/api-harness.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { changeIdToken } from '#shared/token/id-token-admin.ts';
import {
  createIdTokenRoute,
  deleteIdTokenRoute,
  getIdTokenRoute,
  importIdTokensRoute,
  listIdTokensRoute,
  updateIdTokenRoute,
} from '#functions/api/id-tokens/routes.ts';

let api: ApiHarness;
let chargers: Harness;
const CP = 'CP-TOKENS';

const operator = personClaims('olga', ['operator']);
const viewer = personClaims('vic', ['viewer']);
const reader = machineClaims('billing', ['csms/read']);
const writer = machineClaims('crm', ['csms/write']);
const params = (type: string, value: string) => ({ type, value });

beforeAll(async () => {
  // The charger harness first: the API harness's tables then serve both (table names are read on use).
  chargers = await startHarness();
  api = await startApiHarness();
  await createCharger(chargers.deps, { chargerId: CP });
});
afterAll(async () => {
  await api?.close();
  await chargers?.close();
});

describe('POST /id-tokens', () => {
  it('creates a token with the documented defaults and answers it with its location and ETag', async () => {
    const res = await api.call(createIdTokenRoute, { body: { value: 'CARD-0001', label: 'Olga', owner: 'cust-17' }, claims: operator });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ type: 'ISO14443', value: 'CARD-0001', status: 'active', label: 'Olga', owner: 'cust-17', createdAt: expect.any(String), createdBy: 'olga' });
    expect(res.headers.Location).toBe('/id-tokens/ISO14443/CARD-0001');
    expect(res.headers.ETag).toMatch(/^"/);
  });

  it('answers 409 for a token that exists, and a retry with the same Idempotency-Key gets the first answer', async () => {
    const body = { type: 'eMAID', value: 'DE-ABC-C12345678-9', validUntil: '2030-01-01T01:00:00+01:00', groupId: 'FLEET-1' };
    const first = await api.call(createIdTokenRoute, { body, headers: { 'Idempotency-Key': 'k-1' }, claims: operator });
    expect(first.status).toBe(201);
    expect(first.body.validUntil).toBe('2030-01-01T00:00:00.000Z');
    const replay = await api.call(createIdTokenRoute, { body, headers: { 'Idempotency-Key': 'k-1' }, claims: operator });
    expect(replay.status).toBe(201);
    expect(replay.headers['Idempotent-Replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const again = await api.call(createIdTokenRoute, { body, claims: operator });
    expect(again.status).toBe(409);
    expect(again.headers['Content-Type']).toBe('application/problem+json');
  });

  it('refuses invalid fields, naming each', async () => {
    const res = await api.call(createIdTokenRoute, { body: { type: 'Magic', value: 'x'.repeat(37), status: 'lost', extra: 1 } });
    expect(res.status).toBe(400);
    const pointers = (res.body.errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/type', '/value', '/status']));
    expect(JSON.stringify(res.body.errors)).toContain('extra');
    expect((await api.call(createIdTokenRoute, { body: { value: 'A/B' } })).status).toBe(400);
    expect((await api.call(createIdTokenRoute, { body: { value: 'OK', type: 'NoAuthorization' } })).status).toBe(400);
  });

  it('lets admins, operators and csms/write clients create, and refuses viewers and csms/read clients', async () => {
    expect((await api.call(createIdTokenRoute, { body: { value: 'BY-ADMIN' } })).status).toBe(201);
    expect((await api.call(createIdTokenRoute, { body: { value: 'BY-CRM' }, claims: writer })).status).toBe(201);
    expect((await api.call(createIdTokenRoute, { body: { value: 'BY-VIEWER' }, claims: viewer })).status).toBe(403);
    expect((await api.call(createIdTokenRoute, { body: { value: 'BY-BILLING' }, claims: reader })).status).toBe(403);
    expect((await api.call(createIdTokenRoute, { body: { value: 'NOBODY' }, claims: null })).status).toBe(401);
  });
});

describe('GET /id-tokens', () => {
  it('pages through every token, and a garbage cursor is a 400', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await api.call(listIdTokensRoute, { query: { limit: '2', ...(cursor ? { cursor } : {}) }, claims: viewer });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((t: { value: string }) => t.value));
      cursor = res.body.cursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(['CARD-0001', 'DE-ABC-C12345678-9', 'BY-ADMIN', 'BY-CRM']));
    expect(seen).toEqual([...seen].sort());
    expect((await api.call(listIdTokensRoute, { query: { cursor: 'not-a-cursor' } })).status).toBe(400);
    expect((await api.call(listIdTokensRoute, { query: { cursor: Buffer.from('{"gsi2pk":"CHARGERS"}').toString('base64url') } })).status).toBe(400);
  });

  it('filters by group, projects fields=, and refuses unknown fields and parameters', async () => {
    const res = await api.call(listIdTokensRoute, { query: { groupId: 'FLEET-1', fields: 'value,status' }, claims: reader });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([{ value: 'DE-ABC-C12345678-9', status: 'active' }]);
    const bad = await api.call(listIdTokensRoute, { query: { fields: 'value,passwordHash' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].parameter).toBe('fields');
    expect((await api.call(listIdTokensRoute, { query: { group: 'x' } })).status).toBe(400);
  });
});

describe('GET/PATCH/DELETE /id-tokens/{type}/{value}', () => {
  it('reads a token by type and value; another type of the same value is another token', async () => {
    const res = await api.call(getIdTokenRoute, { params: params('ISO14443', 'CARD-0001'), claims: viewer });
    expect(res.status).toBe(200);
    expect(res.body.value).toBe('CARD-0001');
    expect((await api.call(getIdTokenRoute, { params: params('ISO15693', 'CARD-0001') })).status).toBe(404);
    expect((await api.call(getIdTokenRoute, { params: params('ISO14443', 'CARD-0001'), query: { fields: 'status' } })).body).toEqual({ status: 'active' });
    // A conditional read of an unchanged token.
    expect((await api.call(getIdTokenRoute, { params: params('ISO14443', 'CARD-0001'), headers: { 'If-None-Match': res.headers.ETag! } })).status).toBe(304);
  });

  it('needs If-Match to change a token (428), refuses a stale one (412), and applies a current one', async () => {
    const p = params('ISO14443', 'CARD-0001');
    expect((await api.call(updateIdTokenRoute, { params: p, body: { label: 'x' }, claims: operator })).status).toBe(428);
    const read = await api.call(getIdTokenRoute, { params: p });
    const changed = await api.call(updateIdTokenRoute, { params: p, body: { label: 'Olga K.', owner: null, groupId: 'FLEET-2' }, headers: { 'If-Match': read.headers.ETag! }, claims: operator });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ label: 'Olga K.', groupId: 'FLEET-2', updatedBy: 'olga' });
    expect(changed.body.owner).toBeUndefined();
    expect(changed.headers.ETag).not.toBe(read.headers.ETag);
    // The old ETag no longer matches: a lost update is a 412.
    const stale = await api.call(updateIdTokenRoute, { params: p, body: { label: 'lost' }, headers: { 'If-Match': read.headers.ETag! } });
    expect(stale.status).toBe(412);
    // The group index followed the change.
    const group = await api.call(listIdTokensRoute, { query: { groupId: 'FLEET-2' } });
    expect(group.body.items.map((t: { value: string }) => t.value)).toEqual(['CARD-0001']);
    expect((await api.call(updateIdTokenRoute, { params: p, body: {}, headers: { 'If-Match': '*' } })).status).toBe(400);
    expect((await api.call(updateIdTokenRoute, { params: p, body: { value: 'OTHER' }, headers: { 'If-Match': '*' } })).status).toBe(400);
    expect((await api.call(updateIdTokenRoute, { params: p, body: { label: 'v' }, headers: { 'If-Match': '*' }, claims: viewer })).status).toBe(403);
  });

  it('turns a concurrent change between read and write into a 412, never a lost update', async () => {
    const p = params('ISO14443', 'CARD-0001');
    const read = await api.call(getIdTokenRoute, { params: p });
    // Another writer (the CLI blocks tokens this way) changes the token right after the operation has read it.
    const store = api.deps.stores.idTokens;
    const racing = {
      ...api.deps,
      stores: { ...api.deps.stores, idTokens: { ...store, get: async (value: string, type: string) => {
        const before = await store.get(value, type);
        await store.setBlocked(value, type, false);
        return before;
      } } },
    };
    const out = await changeIdToken(racing, 'ISO14443', 'CARD-0001', { label: 'late' }, read.headers.ETag!, 'olga');
    expect(out).toMatchObject({ ok: false, reason: 'precondition-failed' });
    expect((await api.call(getIdTokenRoute, { params: p })).body.label).toBe('Olga K.');
  });

  it('blocks a token through the REST API, and the next Authorize refuses it (1.6 and 2.0.1)', async () => {
    await api.call(createIdTokenRoute, { body: { value: 'RFID-77' } });
    const authorize16 = async () => (await chargers.call(CP, 'ocpp1.6', 'Authorize', { idTag: 'RFID-77' }, 'Accepted'))[2];
    const authorize2 = async () => (await chargers.call(CP, 'ocpp2.0.1', 'Authorize', { idToken: { idToken: 'RFID-77', type: 'ISO14443' } }, 'Accepted'))[2];
    expect(await authorize16()).toEqual({ idTagInfo: { status: 'Accepted' } });
    const p = params('ISO14443', 'RFID-77');
    const read = await api.call(getIdTokenRoute, { params: p });
    const blocked = await api.call(updateIdTokenRoute, { params: p, body: { status: 'blocked' }, headers: { 'If-Match': read.headers.ETag! }, claims: operator });
    expect(blocked.body.status).toBe('blocked');
    expect(await authorize16()).toEqual({ idTagInfo: { status: 'Blocked' } });
    expect(await authorize2()).toMatchObject({ idTokenInfo: { status: 'Blocked' } });
  });

  it('deletes with If-Match (428 without, 412 stale), after which the token is unknown to chargers', async () => {
    const p = params('ISO14443', 'RFID-77');
    expect((await api.call(deleteIdTokenRoute, { params: p, claims: operator })).status).toBe(428);
    expect((await api.call(deleteIdTokenRoute, { params: p, headers: { 'If-Match': '"stale"' } })).status).toBe(412);
    const read = await api.call(getIdTokenRoute, { params: p });
    expect((await api.call(deleteIdTokenRoute, { params: p, headers: { 'If-Match': read.headers.ETag! }, claims: viewer })).status).toBe(403);
    expect((await api.call(deleteIdTokenRoute, { params: p, headers: { 'If-Match': read.headers.ETag! }, claims: operator })).status).toBe(204);
    expect((await api.call(getIdTokenRoute, { params: p })).status).toBe(404);
    expect((await api.call(deleteIdTokenRoute, { params: p, headers: { 'If-Match': '*' } })).status).toBe(404);
    expect((await chargers.call(CP, 'ocpp1.6', 'Authorize', { idTag: 'RFID-77' }, 'Accepted'))[2]).toEqual({ idTagInfo: { status: 'Invalid' } });
  });
});

describe('POST /id-tokens:import', () => {
  const csv = ['value,type,status,validUntil,groupId,label', 'IMP-1,,active,,FLEET-9,"Doe, Jane"', 'IMP-2,ISO15693,blocked,2031-01-01T00:00:00Z,,', 'IMP-3,Bogus,,,,', ',ISO14443,,,,', 'IMP-1,,,,,'].join('\r\n');

  it('imports a CSV, reporting each row, and a second run reports what exists', async () => {
    const first = await api.call(importIdTokensRoute, { rawBody: csv, headers: { 'Content-Type': 'text/csv' }, claims: operator });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: 2, exists: 1, invalid: 2 });
    expect(first.body.rows.map((r: { row: number; result: string }) => [r.row, r.result])).toEqual([
      [1, 'created'],
      [2, 'created'],
      [3, 'invalid'],
      [4, 'invalid'],
      [5, 'exists'],
    ]);
    expect(first.body.rows[2].errors[0].field).toBe('type');
    expect(first.body.rows[3].errors[0].field).toBe('value');
    const token = await api.call(getIdTokenRoute, { params: params('ISO14443', 'IMP-1') });
    expect(token.body).toMatchObject({ label: 'Doe, Jane', groupId: 'FLEET-9', createdBy: 'olga' });
    const again = await api.call(importIdTokensRoute, { rawBody: csv, headers: { 'Content-Type': 'text/csv' }, claims: operator });
    expect(again.body).toMatchObject({ created: 0, exists: 3, invalid: 2 });
  });

  it('imports a JSON list, and refuses unusable input as a whole', async () => {
    const res = await api.call(importIdTokensRoute, { body: [{ value: 'IMP-J1', type: 'Central' }, { value: 'IMP-J2', status: 'nope' }], claims: writer });
    expect(res.body).toMatchObject({ created: 1, invalid: 1 });
    expect((await api.call(importIdTokensRoute, { body: { tokens: [{ value: 'IMP-J3' }] } })).body.created).toBe(1);
    expect((await api.call(importIdTokensRoute, { rawBody: 'colour,value\nred,X', headers: { 'Content-Type': 'text/csv' } })).status).toBe(422);
    expect((await api.call(importIdTokensRoute, { rawBody: '{"not":"a list"}', headers: { 'Content-Type': 'application/json' } })).status).toBe(422);
    expect((await api.call(importIdTokensRoute, { body: Array.from({ length: 501 }, (_, i) => ({ value: `MANY-${i}` })) })).status).toBe(422);
    expect((await api.call(importIdTokensRoute, { rawBody: 'x', headers: { 'Content-Type': 'text/plain' } })).status).toBe(415);
    expect((await api.call(importIdTokensRoute, { body: [{ value: 'V' }], claims: viewer })).status).toBe(403);
    expect((await api.call(importIdTokensRoute, { body: [{ value: 'V' }], claims: reader })).status).toBe(403);
  });
});

describe('id token values are case-insensitive (1.6 CiString, 2.x IdTokenType)', () => {
  it('finds, changes and refuses a second creation of a token in any case, answering the value as registered', async () => {
    expect((await api.call(createIdTokenRoute, { body: { value: 'ab12cd34' }, claims: operator })).status).toBe(201);
    const found = await api.call(getIdTokenRoute, { params: params('ISO14443', 'AB12CD34') });
    expect(found.status).toBe(200);
    expect(found.body.value).toBe('ab12cd34');
    const variant = await api.call(createIdTokenRoute, { body: { value: 'AB12cd34' }, claims: operator });
    expect(variant.status).toBe(409);
    // Another type with the value is still another token.
    expect((await api.call(createIdTokenRoute, { body: { value: 'AB12CD34', type: 'ISO15693' }, claims: operator })).status).toBe(201);
    const blocked = await api.call(updateIdTokenRoute, {
      params: params('ISO14443', 'Ab12Cd34'),
      body: { status: 'blocked' },
      headers: { 'If-Match': found.headers.ETag! },
      claims: operator,
    });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ value: 'ab12cd34', status: 'blocked' });
  });

  it('imports two case variants of a value in one file as one token', async () => {
    const res = await api.call(importIdTokensRoute, { body: [{ value: 'imp-case-1' }, { value: 'IMP-CASE-1' }], claims: operator });
    expect(res.body.rows.map((r: { result: string }) => r.result)).toEqual(['created', 'exists']);
  });
});

describe('maxConcurrentTransactions (issue 11)', () => {
  it('takes a number or unlimited on create, PATCH and import (a CSV cell of digits), null going back to the default', async () => {
    const fleet = await api.call(createIdTokenRoute, { body: { value: 'FLEET-MAX', maxConcurrentTransactions: 'unlimited' }, claims: operator });
    expect(fleet.body).toMatchObject({ maxConcurrentTransactions: 'unlimited' });
    for (const bad of [0, 1.5, 'lots', true]) {
      expect((await api.call(createIdTokenRoute, { body: { value: 'BAD-MAX', maxConcurrentTransactions: bad }, claims: operator })).status).toBe(400);
    }
    const read = await api.call(getIdTokenRoute, { params: params('ISO14443', 'FLEET-MAX') });
    const two = await api.call(updateIdTokenRoute, { params: params('ISO14443', 'FLEET-MAX'), body: { maxConcurrentTransactions: 2 }, headers: { 'If-Match': read.headers.ETag! } });
    expect(two.body.maxConcurrentTransactions).toBe(2);
    const reset = await api.call(updateIdTokenRoute, { params: params('ISO14443', 'FLEET-MAX'), body: { maxConcurrentTransactions: null }, headers: { 'If-Match': two.headers.ETag! } });
    expect(reset.body).not.toHaveProperty('maxConcurrentTransactions');
    const csv = ['value,maxConcurrentTransactions', 'IMP-MAX-3,3', 'IMP-MAX-U,unlimited', 'IMP-MAX-0,0'].join('\n');
    const imported = await api.call(importIdTokensRoute, { rawBody: csv, headers: { 'Content-Type': 'text/csv' }, claims: operator });
    expect(imported.body).toMatchObject({ created: 2, invalid: 1 });
    expect((await api.call(getIdTokenRoute, { params: params('ISO14443', 'IMP-MAX-3') })).body.maxConcurrentTransactions).toBe(3);
  });
});

describe('groups, master pass, restrictions and 2.x answers (issue 11)', () => {
  const authorize2 = async (idToken: string) =>
    ((await chargers.call(CP, 'ocpp2.0.1', 'Authorize', { idToken: { idToken, type: 'ISO14443' } }, 'Accepted'))[2] as { idTokenInfo: Record<string, unknown> }).idTokenInfo;
  const authorize16 = async (idTag: string) => ((await chargers.call(CP, 'ocpp1.6', 'Authorize', { idTag }, 'Accepted'))[2] as { idTagInfo: unknown }).idTagInfo;
  const message = { format: 'UTF8', language: 'pt', content: 'Olá, Olga' };
  const pointersOf = (body: { errors: { pointer: string }[] }) => body.errors.map((e) => e.pointer);

  it('creates a token with every new field, answers them, and chargers get them (2.0.1 and 1.6)', async () => {
    const body = { value: 'RESTRICTED-1', groupId: 'FLEET-R', allowedChargers: [CP.toLowerCase()], allowedLocations: ['nowhere'], cacheLifetimeSeconds: 900, personalMessage: message };
    const created = await api.call(createIdTokenRoute, { body, claims: operator });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(body);
    expect((await api.call(getIdTokenRoute, { params: params('ISO14443', 'RESTRICTED-1') })).body).toMatchObject(body);
    expect(await authorize2('RESTRICTED-1')).toEqual({
      status: 'Accepted',
      groupIdToken: { idToken: 'FLEET-R', type: 'Central' },
      personalMessage: message,
      cacheExpiryDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await authorize16('RESTRICTED-1')).toEqual({ status: 'Accepted', parentIdTag: 'FLEET-R' });
  });

  it('refuses a master pass without a group and malformed fields with 400, pointing at each', async () => {
    const noGroup = await api.call(createIdTokenRoute, { body: { value: 'MP-NOGROUP', masterPass: true }, claims: operator });
    expect(noGroup.status).toBe(400);
    expect(pointersOf(noGroup.body)).toEqual(['/groupId']);
    expect(JSON.stringify(noGroup.body)).toContain('MasterPassGroupId');
    const malformed = await api.call(createIdTokenRoute, {
      body: { value: 'BAD-FIELDS', allowedChargers: ['has space'], allowedLocations: [], cacheLifetimeSeconds: -1, personalMessage: { format: 'QRCODE', content: '' } },
      claims: operator,
    });
    expect(malformed.status).toBe(400);
    expect(pointersOf(malformed.body)).toEqual(
      expect.arrayContaining(['/allowedChargers/0', '/allowedLocations', '/cacheLifetimeSeconds', '/personalMessage/format', '/personalMessage/content']),
    );
  });

  it('changes them with PATCH (null removes, masterPass false too), refusing a master pass left without its group (422)', async () => {
    const p = params('ISO14443', 'MP-1');
    await api.call(createIdTokenRoute, { body: { value: 'MP-1', allowedLocations: ['nowhere'] }, claims: operator });
    expect(await authorize2('MP-1')).toEqual({ status: 'NotAtThisLocation' });
    expect(await authorize16('MP-1')).toEqual({ status: 'Invalid' });
    const etag = async () => (await api.call(getIdTokenRoute, { params: p })).headers.ETag!;
    const patch = async (body: Record<string, unknown>) => api.call(updateIdTokenRoute, { params: p, body, headers: { 'If-Match': await etag() }, claims: operator });

    const lonely = await patch({ masterPass: true });
    expect(lonely.status).toBe(422);
    expect(pointersOf(lonely.body)).toEqual(['/masterPass']);
    const master = await patch({ masterPass: true, groupId: 'MASTERPASS', allowedLocations: null });
    expect(master.status).toBe(200);
    expect(master.body).toMatchObject({ masterPass: true, groupId: 'MASTERPASS' });
    expect(master.body.allowedLocations).toBeUndefined();
    expect(await authorize2('MP-1')).toEqual({ status: 'Accepted', groupIdToken: { idToken: 'MASTERPASS', type: 'Central' } });
    expect(await authorize16('MP-1')).toEqual({ status: 'Invalid' });

    const orphaned = await patch({ groupId: null });
    expect(orphaned.status).toBe(422);
    expect(pointersOf(orphaned.body)).toEqual(['/groupId']);
    const ordinary = await patch({ masterPass: false, cacheLifetimeSeconds: 60, personalMessage: message });
    expect(ordinary.body.masterPass).toBeUndefined();
    expect(await authorize16('MP-1')).toEqual({ status: 'Accepted', parentIdTag: 'MASTERPASS' });
    const plain = await patch({ cacheLifetimeSeconds: null, personalMessage: null });
    expect(plain.body).not.toHaveProperty('personalMessage');
    expect(plain.body).not.toHaveProperty('cacheLifetimeSeconds');
    expect(await authorize2('MP-1')).toEqual({ status: 'Accepted', groupIdToken: { idToken: 'MASTERPASS', type: 'Central' } });
  });

  it('imports the new columns from a CSV and fields from JSON, reporting a bad row by field', async () => {
    const csv = [
      'value,groupId,masterPass,allowedChargers,allowedLocations,cacheLifetimeSeconds,personalMessage,personalMessageFormat,personalMessageLanguage',
      `IMP-MP,MASTERPASS,true,,,,,,`,
      `IMP-R,,,${CP};CP-OTHER,depot-1 depot-2,120,"Hi, you",ASCII,en`,
      `IMP-BAD,,true,,,later,,,`,
    ].join('\n');
    const res = await api.call(importIdTokensRoute, { rawBody: csv, headers: { 'Content-Type': 'text/csv' }, claims: operator });
    expect(res.body).toMatchObject({ created: 2, invalid: 1 });
    expect(res.body.rows[2].errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['cacheLifetimeSeconds']));
    expect((await api.call(getIdTokenRoute, { params: params('ISO14443', 'IMP-R') })).body).toMatchObject({
      allowedChargers: [CP, 'CP-OTHER'],
      allowedLocations: ['depot-1', 'depot-2'],
      cacheLifetimeSeconds: 120,
      personalMessage: { format: 'ASCII', language: 'en', content: 'Hi, you' },
    });
    expect((await api.call(getIdTokenRoute, { params: params('ISO14443', 'IMP-MP') })).body).toMatchObject({ masterPass: true, groupId: 'MASTERPASS' });
    const json = await api.call(importIdTokensRoute, { body: [{ value: 'IMP-J-MP', masterPass: true }], claims: operator });
    expect(json.body).toMatchObject({ invalid: 1, rows: [{ errors: [{ field: 'groupId' }] }] });
  });
});
