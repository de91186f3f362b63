/**
 * The REST handler adapter (functions/_common/http/handler.ts) on fixture routes: what it refuses before the core
 * runs, and what it adds to the answer. Idempotency records go to DynamoDB Local through the real SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, idempotencyRecord, machineClaims, personClaims, startApiHarness, updateIdempotencyRecord } from '../../support/api-harness.ts';
import { echoCreateRoute, echoGetRoute, echoListRoute, echoPatchRoute } from './fixtures/echo.ts';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApiHarness({ CORS_ALLOWED_ORIGINS: 'https://console.example.com' });
});
afterAll(async () => api?.close());

const problemOf = (res: { status: number; headers: Record<string, string>; body: { status?: number } }) => {
  expect(res.headers['Content-Type']).toBe('application/problem+json');
  expect(res.body.status).toBe(res.status);
  return res.body as { detail: string; errors?: { pointer?: string; parameter?: string; header?: string; detail: string }[] };
};

describe('who may call', () => {
  it('admits people by group and machines by scope, and refuses the rest with 403', async () => {
    expect((await api.call(echoGetRoute, { params: { thingId: 'x' }, claims: personClaims('vera', ['viewer']) })).status).toBe(200);
    expect((await api.call(echoGetRoute, { params: { thingId: 'x' }, claims: machineClaims('billing', ['csms/read']) })).body.name).toBe('by machine');
    const viewerWrite = await api.call(echoCreateRoute, { body: { name: 'a', size: 1 }, claims: personClaims('vera', ['viewer']) });
    expect(viewerWrite.status).toBe(403);
    expect(problemOf(viewerWrite).detail).toContain('admin or operator');
    expect((await api.call(echoCreateRoute, { body: { name: 'a', size: 1 }, claims: machineClaims('billing', ['csms/read']) })).status).toBe(403);
    expect((await api.call(echoCreateRoute, { body: { name: 'a', size: 1 }, claims: machineClaims('grid', ['csms/write']) })).status).toBe(201);
    expect((await api.call(echoGetRoute, { params: { thingId: 'x' }, claims: personClaims('nobody', []) })).status).toBe(403);
  });

  it('answers 401 when a jwt route is reached without claims', async () => {
    expect((await api.call(echoGetRoute, { params: { thingId: 'x' }, claims: null })).status).toBe(401);
  });
});

describe('what may be sent', () => {
  it('names each faulty body field by JSON pointer', async () => {
    const res = await api.call(echoCreateRoute, { body: { name: '', size: -1, extra: true } });
    expect(res.status).toBe(400);
    const pointers = problemOf(res).errors?.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/name', '/size', '/']));
  });

  it('refuses a body that is not JSON, or not sent as JSON', async () => {
    expect((await api.call(echoCreateRoute, { rawBody: '{oops', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
    expect((await api.call(echoCreateRoute, { rawBody: 'a,b', headers: { 'Content-Type': 'text/csv' } })).status).toBe(415);
  });

  it('refuses unknown query parameters and bad values, naming them', async () => {
    const unknown = await api.call(echoListRoute, { query: { colour: 'red' } });
    expect(unknown.status).toBe(400);
    expect(problemOf(unknown).errors?.[0]?.parameter).toBe('colour');
    expect(problemOf(await api.call(echoListRoute, { query: { color: 'green' } })).errors?.[0]?.parameter).toBe('color');
    expect(problemOf(await api.call(echoListRoute, { query: { limit: '501' } })).errors?.[0]?.parameter).toBe('limit');
    expect((await api.call(echoListRoute, { query: { limit: '0' } })).status).toBe(400);
  });

  it('pages: limit defaults to 50 and reaches the core, the cursor comes back', async () => {
    const first = await api.call(echoListRoute, { query: { color: 'red' } });
    expect(first.body).toEqual({ items: [{ id: 'a', name: 'red', size: 50 }], cursor: 'next' });
    expect((await api.call(echoListRoute, { query: { limit: '500', cursor: 'next' } })).body).toEqual({ items: [{ id: 'a', name: 'any', size: 500 }] });
  });

  it('projects fields= from the representation only, and refuses unknown ones', async () => {
    expect((await api.call(echoListRoute, { query: { fields: 'id,size' } })).body.items).toEqual([{ id: 'a', size: 50 }]);
    expect((await api.call(echoGetRoute, { params: { thingId: 'x' }, query: { fields: 'name' } })).body).toEqual({ name: 'by person' });
    const bad = await api.call(echoGetRoute, { params: { thingId: 'x' }, query: { fields: 'name,__proto__' } });
    expect(bad.status).toBe(400);
    expect(problemOf(bad).errors?.[0]?.parameter).toBe('fields');
  });
});

describe('preconditions and entity tags', () => {
  it('requires If-Match where the route says so (428), and passes it on', async () => {
    const missing = await api.call(echoPatchRoute, { params: { thingId: 'x' }, body: {} });
    expect(missing.status).toBe(428);
    expect(problemOf(missing).errors?.[0]?.header).toBe('If-Match');
    expect((await api.call(echoPatchRoute, { params: { thingId: 'x' }, body: {}, headers: { 'If-Match': '"v0"' } })).status).toBe(412);
    expect((await api.call(echoPatchRoute, { params: { thingId: 'x' }, body: {}, headers: { 'If-Match': '"v1"' } })).status).toBe(200);
  });

  it('tags a single resource and answers 304 to a matching If-None-Match', async () => {
    const first = await api.call(echoGetRoute, { params: { thingId: 'x' } });
    const etag = first.headers.ETag;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect((await api.call(echoGetRoute, { params: { thingId: 'x' } })).headers.ETag).toBe(etag);
    expect((await api.call(echoGetRoute, { params: { thingId: 'y' } })).headers.ETag).not.toBe(etag);
    expect((await api.call(echoGetRoute, { params: { thingId: 'x' }, headers: { 'If-None-Match': etag! } })).status).toBe(304);
    expect((await api.call(echoListRoute)).headers.ETag).toBeUndefined();
  });
});

describe('Idempotency-Key', () => {
  it('answers a retry with the first result, without what is shown once', async () => {
    const headers = { 'Idempotency-Key': 'create-1' };
    const first = await api.call(echoCreateRoute, { body: { name: 'kept', size: 3 }, headers });
    expect(first.status).toBe(201);
    expect(first.body.secret).toBe('shown-once');
    const again = await api.call(echoCreateRoute, { body: { name: 'kept', size: 3 }, headers });
    expect(again.status).toBe(201);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(again.headers.Location).toBe(first.headers.Location);
    expect(again.body).toEqual({ id: first.body.id, name: 'kept', size: 3 });
  });

  it('refuses the same key with another body (422), keeps keys per caller, and frees the key when the core fails', async () => {
    const headers = { 'Idempotency-Key': 'create-2' };
    expect((await api.call(echoCreateRoute, { body: { name: 'one', size: 1 }, headers })).status).toBe(201);
    expect((await api.call(echoCreateRoute, { body: { name: 'two', size: 1 }, headers })).status).toBe(422);
    const other = await api.call(echoCreateRoute, { body: { name: 'one', size: 1 }, headers, claims: personClaims('olga', ['operator']) });
    expect(other.headers['Idempotent-Replayed']).toBeUndefined();
    const crash = { 'Idempotency-Key': 'create-3' };
    const failed = await api.call(echoCreateRoute, { body: { name: 'crash', size: 1 }, headers: crash });
    expect(failed.status).toBe(500);
    expect(problemOf(failed).detail).not.toContain('core failed');
    expect((await api.call(echoCreateRoute, { body: { name: 'crash', size: 1 }, headers: crash })).status).toBe(500);
    expect((await api.call(echoCreateRoute, { body: { name: 'ok', size: 1 }, headers: { 'Idempotency-Key': 'bad key with spaces' } })).status).toBe(400);
  });

  const setRecord = (key: string, update: string, values: Record<string, unknown>) => updateIdempotencyRecord(api, echoCreateRoute, key, update, values);
  const seconds = (fromNow: number) => Math.floor(Date.now() / 1000) + fromNow;

  it('takes over a claim whose request never finished once its lease lapsed (the Lambda died after claiming)', async () => {
    const headers = { 'Idempotency-Key': 'create-4' };
    const body = { name: 'died', size: 4 };
    const first = await api.call(echoCreateRoute, { body, headers });
    expect(first.status).toBe(201);
    // As a Lambda that timed out after its claim leaves it: pending, no answer; its lease runs a while yet.
    await setRecord('create-4', 'SET #state = :pending, leaseUntil = :lease REMOVE #response', { ':pending': 'pending', ':lease': seconds(30) });
    expect((await api.call(echoCreateRoute, { body, headers })).status).toBe(409);

    await setRecord('create-4', 'SET leaseUntil = :lease', { ':lease': seconds(-1) });
    expect((await api.call(echoCreateRoute, { body: { name: 'other', size: 4 }, headers })).status).toBe(422);
    const retried = await api.call(echoCreateRoute, { body, headers });
    expect(retried.status).toBe(201);
    expect(retried.headers['Idempotent-Replayed']).toBeUndefined();
    expect(retried.body.id).not.toBe(first.body.id);
    const replayed = await api.call(echoCreateRoute, { body, headers });
    expect(replayed.headers['Idempotent-Replayed']).toBe('true');
    expect(replayed.body.id).toBe(retried.body.id);
  });

  it('answers the work done when its record cannot be stored, and frees the key by the lease', async () => {
    const headers = { 'Idempotency-Key': 'create-5' };
    const body = { name: 'huge', size: 5 };
    const first = await api.call(echoCreateRoute, { body, headers });
    expect(first.status).toBe(201);
    expect(first.body.note).toHaveLength(420_000);
    // Held under the lease of the invocation that claimed it (the harness's Lambda has 10 s left), then free.
    const record = await idempotencyRecord(api, echoCreateRoute, 'create-5');
    expect(record).toMatchObject({ state: 'pending' });
    expect(record!.leaseUntil).toBeGreaterThanOrEqual(seconds(10));
    expect(record!.leaseUntil).toBeLessThanOrEqual(seconds(20));
    expect((await api.call(echoCreateRoute, { body, headers })).status).toBe(409);
    await setRecord('create-5', 'SET leaseUntil = :lease', { ':lease': seconds(-1) });
    const again = await api.call(echoCreateRoute, { body, headers });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.body.id);
  });
});

describe('CORS for the configured console origin', () => {
  it('echoes only an allowed origin, on answers and problems alike', async () => {
    const allowed = await api.call(echoGetRoute, { params: { thingId: 'x' }, headers: { Origin: 'https://console.example.com' } });
    expect(allowed.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://console.example.com', 'Access-Control-Expose-Headers': 'ETag, Location', Vary: 'Origin' });
    const problem = await api.call(echoPatchRoute, { params: { thingId: 'x' }, body: {}, headers: { Origin: 'https://console.example.com' } });
    expect(problem.headers['Access-Control-Allow-Origin']).toBe('https://console.example.com');
    const other = await api.call(echoGetRoute, { params: { thingId: 'x' }, headers: { Origin: 'https://evil.example' } });
    expect(other.headers['Access-Control-Allow-Origin']).toBeUndefined();
  });
});
