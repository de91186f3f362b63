/**
 * The charger routes through the real handlers against DynamoDB Local: register (generated password once, a chosen
 * one for admins, idempotent), read with presence, list with pages, merge patch and delete (keep or purge) with
 * If-Match, credentials and registration, live status and history, the import, and who may do each.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createChargerRoute,
  deleteChargerRoute,
  getChargerConnectorsRoute,
  getChargerReportRoute,
  getChargerRoute,
  importChargersRoute,
  listChargerMessagesRoute,
  listChargersRoute,
  listChargerStatusHistoryRoute,
  listChargerTimelineRoute,
  patchChargerRoute,
  rotateChargerPasswordRoute,
  setChargerRegistrationRoute,
} from '#functions/api/chargers/routes.ts';
import { createLocationRoute, getLocationRoute } from '#functions/api/locations/routes.ts';
import { verifyPassword } from '#shared/charger/credentials.ts';
import type { Command } from '#shared/command/command.ts';
import { PURGE_BUDGET } from '#shared/charger/charger-api.ts';
import { machineClaims, personClaims } from '../../support/api-harness.ts';
import { startChargerApi, type ChargerApiHarness } from './charger-api-harness.ts';

const viewer = personClaims('vera', ['viewer']);
const operator = personClaims('otto', ['operator']);
const reader = machineClaims('billing', ['csms/read']);
const writer = machineClaims('fleet', ['csms/write']);
const CHOSEN = 'migrated-password-0123';

let api: ChargerApiHarness;
const etagOf = async (chargerId: string) => (await api.call(getChargerRoute, { params: { chargerId } })).headers.ETag!;
const create = async (body: Record<string, unknown>, claims?: Record<string, string>) => api.call(createChargerRoute, { body, ...(claims ? { claims } : {}) });
/** Connects the charger as $connect would, and logs one frame from it. */
const connect = async (chargerId: string, connectionId = `conn-${chargerId}`) => {
  await api.deps.stores.presence.attach({ chargerId, connectionId, protocol: 'ocpp2.0.1', connectedAt: Date.parse('2026-03-01T10:00:00Z') });
  await api.deps.stores.messageLog.append({
    chargerId,
    connectionId,
    direction: 'in',
    raw: JSON.stringify([2, 'm-1', 'Heartbeat', {}]),
    at: new Date('2026-03-01T10:05:00Z'),
    reply: { raw: JSON.stringify([3, 'm-1', { currentTime: '2026-03-01T10:05:00Z' }]), at: new Date('2026-03-01T10:05:00Z') },
  });
};

beforeAll(async () => {
  api = await startChargerApi();
  for (const locationId of ['SITE-A', 'SITE-B']) await api.call(createLocationRoute, { body: { locationId, name: locationId } });
});
afterAll(async () => api?.close());

describe('POST /chargers', () => {
  it('registers a charger and answers its generated password once', async () => {
    const res = await create({ chargerId: 'CP-NEW', locationId: 'SITE-A', label: 'Bay 1', defaultProtocol: 'ocpp1.6' }, operator);
    expect(res.status).toBe(201);
    expect(res.headers.Location).toBe('/chargers/CP-NEW');
    expect(res.body).toMatchObject({ chargerId: 'CP-NEW', locationId: 'SITE-A', label: 'Bay 1', registrationStatus: 'accepted', securityProfile: 2, version: 1, createdBy: 'otto' });
    expect(res.body.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(JSON.stringify(res.body)).not.toMatch(/hash/i);
    const stored = await api.deps.stores.chargers.getWithSecret('CP-NEW');
    expect(await verifyPassword(res.body.password, stored!.passwordHash, api.credentialDeps)).toBe(true);
    expect((await api.call(getLocationRoute, { params: { locationId: 'SITE-A' } })).body.chargerCount).toBe(1);
  });

  it('replays an Idempotency-Key retry without the password', async () => {
    const call = { body: { chargerId: 'CP-IDEM' }, headers: { 'Idempotency-Key': 'create-cp-idem' } };
    const first = await api.call(createChargerRoute, call);
    const again = await api.call(createChargerRoute, call);
    expect(first.body.password).toBeDefined();
    expect(again.status).toBe(201);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(again.body.password).toBeUndefined();
    expect(again.body.chargerId).toBe('CP-IDEM');
  });

  it('refuses an id that exists in any case (409), an unknown location (422) and bad fields (400)', async () => {
    const taken = await create({ chargerId: 'cp-new' });
    expect(taken.status).toBe(409);
    expect(taken.body.errors).toEqual([expect.objectContaining({ pointer: '/chargerId' })]);
    const nowhere = await create({ chargerId: 'CP-NOWHERE', locationId: 'NO-SUCH-SITE' });
    expect(nowhere.status).toBe(422);
    expect(nowhere.body.errors).toEqual([expect.objectContaining({ pointer: '/locationId' })]);
    expect((await api.call(getChargerRoute, { params: { chargerId: 'CP-NOWHERE' } })).status).toBe(404);
    for (const [body, pointer] of [
      [{ chargerId: 'has space' }, '/chargerId'],
      [{ chargerId: 'CP-X', password: 'short' }, '/password'],
      [{ chargerId: 'CP-X', password: 'sixteen-chars-but-has space' }, '/password'],
      [{ chargerId: 'CP-X', securityProfile: 3 }, '/securityProfile'],
      [{ chargerId: 'CP-X', registrationStatus: 'maybe' }, '/registrationStatus'],
    ] as const) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
  });

  it('registers a migrated charger with its own password (admin only), hashed as a chosen one', async () => {
    const res = await create({ chargerId: 'CP-MIGRATED', password: CHOSEN });
    expect(res.status).toBe(201);
    expect(res.body.password).toBeUndefined();
    const stored = await api.deps.stores.chargers.getWithSecret('CP-MIGRATED');
    expect(stored!.passwordHash).toMatch(/^scrypt\$/);
    expect(await verifyPassword(CHOSEN, stored!.passwordHash)).toBe(true);
    const refused = await create({ chargerId: 'CP-MIGRATED-2', password: CHOSEN }, operator);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/admin/);
    expect((await api.call(getChargerRoute, { params: { chargerId: 'CP-MIGRATED-2' } })).status).toBe(404);
  });

  it('is open to operators and csms/write clients, closed to viewers and csms/read clients', async () => {
    expect((await create({ chargerId: 'CP-BY-MACHINE' }, writer)).status).toBe(201);
    for (const claims of [viewer, reader]) expect((await create({ chargerId: 'CP-NO' }, claims)).status).toBe(403);
  });
});

describe('GET /chargers', () => {
  it('pages through every charger; a forged cursor is a 400', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await api.call(listChargersRoute, { query: { limit: '2', ...(cursor ? { cursor } : {}) }, claims: reader });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((c: { chargerId: string }) => c.chargerId));
      cursor = res.body.cursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(['CP-NEW', 'CP-IDEM', 'CP-MIGRATED', 'CP-BY-MACHINE']));
    expect(new Set(seen).size).toBe(seen.length);
    const forged = Buffer.from(JSON.stringify({ gsi2pk: 'IDTOKENS', gsi2sk: 'x', pk: 'x', sk: 'x' })).toString('base64url');
    expect((await api.call(listChargersRoute, { query: { cursor: forged } })).status).toBe(400);
    // A cursor is readable JSON: one edited to keep the partition but lose the other key attributes is forged too.
    const first = await api.call(listChargersRoute, { query: { limit: '1' } });
    const { gsi2pk } = JSON.parse(Buffer.from(first.body.cursor as string, 'base64url').toString('utf8')) as { gsi2pk: string };
    const partitionOnly = Buffer.from(JSON.stringify({ gsi2pk })).toString('base64url');
    expect((await api.call(listChargersRoute, { query: { cursor: partitionOnly } })).status).toBe(400);
  });

  it('filters by location, projects fields, and refuses a filter it cannot serve as one query', async () => {
    const at = await api.call(listChargersRoute, { query: { locationId: 'SITE-A', fields: 'chargerId,locationId' }, claims: viewer });
    expect(at.body.items).toEqual([{ chargerId: 'CP-NEW', locationId: 'SITE-A' }]);
    const status = await api.call(listChargersRoute, { query: { registrationStatus: 'pending' } });
    expect(status.status).toBe(400);
    expect(status.body.errors).toEqual([expect.objectContaining({ parameter: 'registrationStatus' })]);
  });
});

describe('GET /chargers/{chargerId}', () => {
  it('answers the profile with a presence summary, in any case of the id', async () => {
    await create({ chargerId: 'CP-Live' });
    const offline = await api.call(getChargerRoute, { params: { chargerId: 'CP-Live' }, claims: viewer });
    expect(offline.body.presence).toEqual({ connected: false });
    await connect('CP-Live');
    const online = await api.call(getChargerRoute, { params: { chargerId: 'cp-live' }, claims: reader });
    expect(online.status).toBe(200);
    expect(online.body.chargerId).toBe('CP-Live');
    expect(online.body.presence).toEqual({ connected: true, protocol: 'ocpp2.0.1', connectedAt: '2026-03-01T10:00:00.000Z', lastSeen: '2026-03-01T10:05:00.000Z' });
    // The tag is the profile's: the charger's own traffic never makes an operator's If-Match stale.
    expect(online.headers.ETag).toBe(offline.headers.ETag);
    const patched = await api.call(patchChargerRoute, { params: { chargerId: 'CP-Live' }, body: { label: 'bay 1' }, headers: { 'If-Match': offline.headers.ETag! } });
    expect(patched.status).toBe(200);
    expect(patched.headers.ETag).not.toBe(offline.headers.ETag);
    expect((await api.call(getChargerRoute, { params: { chargerId: 'CP-NONE' } })).status).toBe(404);
  });
});

describe('PATCH /chargers/{chargerId}', () => {
  it('needs If-Match (428), refuses a stale one (412) and viewers (403)', async () => {
    const params = { chargerId: 'CP-NEW' };
    expect((await api.call(patchChargerRoute, { params, body: { label: 'x' } })).status).toBe(428);
    expect((await api.call(patchChargerRoute, { params, body: { label: 'x' }, headers: { 'If-Match': '"old"' } })).status).toBe(412);
    expect((await api.call(patchChargerRoute, { params, body: { label: 'x' }, headers: { 'If-Match': '*' }, claims: viewer })).status).toBe(403);
  });

  it('merges a patch and moves the charger between locations, keeping both counts', async () => {
    const res = await api.call(patchChargerRoute, {
      params: { chargerId: 'CP-NEW' },
      body: { locationId: 'SITE-B', label: null, description: 'by the gate', defaultProtocol: null, securityProfile: 1 },
      headers: { 'If-Match': await etagOf('CP-NEW') },
      claims: operator,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ locationId: 'SITE-B', description: 'by the gate', securityProfile: 1, version: 2, updatedBy: 'otto' });
    expect(res.body.label).toBeUndefined();
    expect(res.body.defaultProtocol).toBeUndefined();
    expect(res.headers.ETag).toBe(await etagOf('CP-NEW'));
    const count = async (locationId: string) => (await api.call(getLocationRoute, { params: { locationId } })).body.chargerCount;
    expect([await count('SITE-A'), await count('SITE-B')]).toEqual([0, 1]);
    const listed = await api.call(listChargersRoute, { query: { locationId: 'SITE-B' } });
    expect(listed.body.items.map((c: { chargerId: string }) => c.chargerId)).toEqual(['CP-NEW']);
  });

  it('refuses a move to a location that does not exist (422) and writes nothing', async () => {
    const res = await api.call(patchChargerRoute, {
      params: { chargerId: 'CP-NEW' },
      body: { locationId: 'NO-SUCH-SITE', label: 'lost' },
      headers: { 'If-Match': await etagOf('CP-NEW') },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/locationId' })]);
    const after = await api.call(getChargerRoute, { params: { chargerId: 'CP-NEW' } });
    expect(after.body).toMatchObject({ locationId: 'SITE-B', version: 2 });
    expect(after.body.label).toBeUndefined();
  });
});

describe('the credentials and the registration', () => {
  // A charger in service gets its new password by command (test/e2e/charger-password.e2e.test.ts); revoking replaces it.
  it('revokes the password for admins only, and closes the live connection', async () => {
    await create({ chargerId: 'CP-ROT' });
    await connect('CP-ROT', 'conn-rot');
    const revoke = { params: { chargerId: 'CP-ROT' }, query: { revoke: 'true' } };
    for (const claims of [operator, writer, viewer]) {
      expect((await api.call(rotateChargerPasswordRoute, { ...revoke, claims })).status).toBe(403);
    }
    const res = await api.call(rotateChargerPasswordRoute, revoke);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ chargerId: 'CP-ROT', changedBy: 'replacement', closedConnectionId: 'conn-rot' });
    expect(api.closedConnections).toContain('conn-rot');
    const stored = await api.deps.stores.chargers.getWithSecret('CP-ROT');
    expect(await verifyPassword(res.body.password, stored!.passwordHash, api.credentialDeps)).toBe(true);
    expect((await api.call(rotateChargerPasswordRoute, { params: { chargerId: 'CP-NONE' } })).status).toBe(404);
  });

  it('lets operators reject or set pending; accepting (a new password) is for admins', async () => {
    await create({ chargerId: 'CP-REG' });
    const rejected = await api.call(setChargerRegistrationRoute, { params: { chargerId: 'CP-REG' }, body: { status: 'rejected' }, claims: operator });
    expect(rejected.status).toBe(200);
    expect(rejected.body.registrationStatus).toBe('rejected');
    expect(rejected.body.password).toBeUndefined();
    const byOperator = await api.call(setChargerRegistrationRoute, { params: { chargerId: 'CP-REG' }, body: { status: 'accepted' }, claims: operator });
    expect(byOperator.status).toBe(403);
    const accepted = await api.call(setChargerRegistrationRoute, { params: { chargerId: 'CP-REG' }, body: { status: 'accepted' } });
    expect(accepted.body).toMatchObject({ registrationStatus: 'accepted' });
    expect(accepted.body.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const bad = await api.call(setChargerRegistrationRoute, { params: { chargerId: 'CP-REG' }, body: { status: 'maybe' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: '/status' })]);
    expect((await api.call(setChargerRegistrationRoute, { params: { chargerId: 'CP-REG' }, body: { status: 'pending' }, claims: reader })).status).toBe(403);
  });

  it('decides who may accept on the status it writes over: an operator racing pending against accepted gets a 409, no password', async () => {
    const { password } = (await create({ chargerId: 'CP-RACE' })).body as { password: string };
    // The handlers' own store: the operator's `pending` lands right after the `accepted` request has read the charger
    // as accepted (nothing to check), and before it writes.
    const { deps } = await import('#functions/_common/runtime.ts');
    const read = deps.stores.chargers.get;
    const pendingMeanwhile = vi.spyOn(deps.stores.chargers, 'get').mockImplementationOnce(async (...args) => {
      const seen = await read(...args);
      const pending = await api.call(setChargerRegistrationRoute, { params: { chargerId: 'CP-RACE' }, body: { status: 'pending' }, claims: operator });
      expect(pending.status).toBe(200);
      return seen;
    });
    try {
      const raced = await api.call(setChargerRegistrationRoute, { params: { chargerId: 'CP-RACE' }, body: { status: 'accepted' }, claims: operator });
      expect(raced.status).toBe(409);
      expect(raced.body).toMatchObject({ status: 409, detail: expect.stringMatching(/changed while this request ran/) });
      expect(raced.body.password).toBeUndefined();
    } finally {
      pendingMeanwhile.mockRestore();
    }
    expect((await api.deps.stores.chargers.get('CP-RACE', true))?.registrationStatus).toBe('pending');
    const stored = await api.deps.stores.chargers.getWithSecret('CP-RACE', true);
    expect(await verifyPassword(password, stored!.passwordHash, api.credentialDeps)).toBe(true);
  });
});

describe('live status and history', () => {
  beforeAll(async () => {
    await create({ chargerId: 'CP-HIST' });
    const report = (timestamp: string, status: string) =>
      api.deps.stores.connectors.putStatusIfNewer({ chargerId: 'CP-HIST', evseId: 1, connectorId: 1, status, timestamp, messageId: `s-${timestamp}` });
    await report('2026-03-01T10:00:00.000Z', 'Available');
    await report('2026-03-01T11:00:00.000Z', 'Occupied');
    await report('2026-03-01T12:00:00.000Z', 'Available');
    for (const [at, kind] of [['2026-03-01T09:00:00.000Z', 'FirmwareStatus'], ['2026-03-01T09:30:00.000Z', 'SecurityEvent']] as const) {
      await api.deps.stores.timeline.record({ chargerId: 'CP-HIST', kind, at, messageId: `t-${at}`, payload: { status: kind } });
    }
    const setVariables = [2, 'sv-1', 'SetVariables', { setVariableData: [{ attributeValue: 'secret-basic-auth-pw!', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] }];
    await api.deps.stores.messageLog.append({ chargerId: 'CP-HIST', connectionId: 'c', direction: 'out', raw: JSON.stringify(setVariables), at: new Date('2026-03-01T13:00:00Z') });
    await api.deps.stores.messageLog.append({ chargerId: 'CP-HIST', connectionId: 'c', direction: 'in', raw: JSON.stringify([2, 'h', 'Heartbeat', {}]), at: new Date('2026-03-01T12:00:00Z') });
  });

  it('answers the connectors with their live status', async () => {
    const res = await api.call(getChargerConnectorsRoute, { params: { chargerId: 'cp-hist' }, claims: viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ chargerId: 'CP-HIST', connectors: [{ evseId: 1, connectorId: 1, status: 'Available', statusTimestamp: '2026-03-01T12:00:00.000Z' }] });
  });

  it('pages the connectors in EVSE order: all in one page by default, a cursor when a limit cuts them', async () => {
    const chargerId = 'CP-MANY-CONNECTORS';
    await create({ chargerId });
    for (const evseId of [3, 1, 2]) {
      await api.deps.stores.connectors.putStatusIfNewer({ chargerId, evseId, connectorId: 1, status: 'Available', timestamp: '2026-03-01T12:00:00.000Z', messageId: `s-${evseId}` });
    }
    const params = { chargerId };
    const all = await api.call(getChargerConnectorsRoute, { params });
    expect(all.body.connectors.map((c: { evseId: number }) => c.evseId)).toEqual([1, 2, 3]);
    expect(all.body).not.toHaveProperty('cursor');
    const first = await api.call(getChargerConnectorsRoute, { params, query: { limit: '2' } });
    expect(first.body.connectors.map((c: { evseId: number }) => c.evseId)).toEqual([1, 2]);
    const second = await api.call(getChargerConnectorsRoute, { params, query: { limit: '2', cursor: first.body.cursor } });
    expect(second.body).toEqual({ chargerId, connectors: [expect.objectContaining({ evseId: 3 })] });
    // Another charger's cursor, or a limit past the largest page, is the caller's mistake.
    expect((await api.call(getChargerConnectorsRoute, { params: { chargerId: 'CP-HIST' }, query: { cursor: first.body.cursor } })).status).toBe(400);
    expect((await api.call(getChargerConnectorsRoute, { params, query: { limit: '501' } })).status).toBe(400);
  });

  it('pages a connector status history newest first, within a time range', async () => {
    const params = { chargerId: 'CP-HIST' };
    const missing = await api.call(listChargerStatusHistoryRoute, { params });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { parameter: string }) => e.parameter)).toEqual(expect.arrayContaining(['evseId', 'connectorId']));
    const first = await api.call(listChargerStatusHistoryRoute, { params, query: { evseId: '1', connectorId: '1', limit: '2' }, claims: reader });
    expect(first.body.items.map((r: { status: string }) => r.status)).toEqual(['Available', 'Occupied']);
    const second = await api.call(listChargerStatusHistoryRoute, { params, query: { evseId: '1', connectorId: '1', limit: '2', cursor: first.body.cursor } });
    expect(second.body.items.map((r: { timestamp: string }) => r.timestamp)).toEqual(['2026-03-01T10:00:00.000Z']);
    const ranged = await api.call(listChargerStatusHistoryRoute, {
      params,
      query: { evseId: '1', connectorId: '1', from: '2026-03-01T10:30:00Z', to: '2026-03-01T11:30:00Z' },
    });
    expect(ranged.body.items.map((r: { status: string }) => r.status)).toEqual(['Occupied']);
    expect((await api.call(listChargerStatusHistoryRoute, { params, query: { evseId: '1', connectorId: '1', from: 'yesterday' } })).status).toBe(400);
    expect((await api.call(listChargerStatusHistoryRoute, { params, query: { evseId: '1', connectorId: '1', cursor: first.body.cursor.slice(2) } })).status).toBe(400);
    // A cursor of this list read without a range, sent with a range its position lies outside: foreign, not a 500.
    const outside = await api.call(listChargerStatusHistoryRoute, { params, query: { evseId: '1', connectorId: '1', to: '2026-03-01T09:00:00Z', cursor: first.body.cursor } });
    expect(outside.status).toBe(400);
  });

  it('pages the timeline newest first', async () => {
    const res = await api.call(listChargerTimelineRoute, { params: { chargerId: 'CP-HIST' }, query: { limit: '1' } });
    expect(res.body.items.map((e: { kind: string }) => e.kind)).toEqual(['SecurityEvent']);
    const next = await api.call(listChargerTimelineRoute, { params: { chargerId: 'CP-HIST' }, query: { limit: '1', cursor: res.body.cursor } });
    expect(next.body.items.map((e: { kind: string }) => e.kind)).toEqual(['FirmwareStatus']);
  });

  it('answers the message log newest first, with the secrets masked as stored', async () => {
    const res = await api.call(listChargerMessagesRoute, { params: { chargerId: 'CP-HIST' }, query: { fields: 'at,direction,action,frame' }, claims: viewer });
    expect(res.body.items.map((f: { action: string }) => f.action)).toEqual(['SetVariables', 'Heartbeat']);
    expect(res.body.items[0].frame).not.toContain('secret-basic-auth-pw!');
    expect(res.body.items[0].frame).toContain('***');
    expect(Object.keys(res.body.items[0]).sort()).toEqual(['action', 'at', 'direction', 'frame']);
  });

  it('assembles a NotifyReport; 404 when there is none, 400 for a request id that is not a number', async () => {
    const page = (seqNo: number, tbc: boolean) =>
      api.deps.stores.reports.recordPage({ chargerId: 'CP-HIST', kind: 'deviceModel', requestId: 7, seqNo, generatedAt: '2026-03-01T12:00:00Z', tbc, reportData: [{ seqNo }] });
    await page(0, true);
    await page(1, false);
    const res = await api.call(getChargerReportRoute, { params: { chargerId: 'CP-HIST', requestId: '7' }, claims: reader });
    expect(res.body).toEqual({
      chargerId: 'CP-HIST', kind: 'deviceModel', requestId: 7, complete: true, missingSeqNos: [], missingCount: 0, truncated: false, pages: 2, reportData: [{ seqNo: 0 }, { seqNo: 1 }],
    });
    expect((await api.call(getChargerReportRoute, { params: { chargerId: 'CP-HIST', requestId: '8' } })).status).toBe(404);
    expect((await api.call(getChargerReportRoute, { params: { chargerId: 'CP-HIST', requestId: 'x' } })).status).toBe(400);
  });

  it('answers a last page numbered 999,999 with the first 100 missing numbers and their count, not a million of them', async () => {
    await api.deps.stores.reports.recordPage({ chargerId: 'CP-HIST', kind: 'deviceModel', requestId: 9, seqNo: 999_999, tbc: false, reportData: [] });
    const res = await api.call(getChargerReportRoute, { params: { chargerId: 'CP-HIST', requestId: '9' }, claims: reader });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ complete: false, missingCount: 999_999, truncated: false, pages: 1 });
    expect(res.body.missingSeqNos).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(JSON.stringify(res.body).length).toBeLessThan(2_000);
  });

  it('answers a report larger than Lambda can answer cut after its first pages, and says so', async () => {
    // Eleven pages of about 390 KB (DynamoDB takes 400 KB an item): about 4.3 MB, more than the 4 MiB one answer takes.
    const entries = Array.from({ length: 39 }, (_, i) => ({ i, filler: 'x'.repeat(10_000) }));
    for (let seqNo = 0; seqNo < 11; seqNo++) {
      await api.deps.stores.reports.recordPage({ chargerId: 'CP-HIST', kind: 'deviceModel', requestId: 10, seqNo, tbc: seqNo < 10, reportData: entries });
    }
    const res = await api.call(getChargerReportRoute, { params: { chargerId: 'CP-HIST', requestId: '10' }, claims: reader });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ complete: false, truncated: true, missingSeqNos: [], missingCount: 0, pages: 10 });
    expect(res.body.reportData).toHaveLength(10 * 39);
    expect(JSON.stringify(res.body).length).toBeLessThan(4.5 * 1024 * 1024);
  });

  it('reads a report of another kind with ?kind=, apart from the device model report of the same requestId', async () => {
    await api.deps.stores.reports.recordPage({ chargerId: 'CP-HIST', kind: 'monitoring', requestId: 7, seqNo: 0, generatedAt: '2026-03-01T12:00:00Z', tbc: false, reportData: [{ monitor: 1 }] });
    const res = await api.call(getChargerReportRoute, { params: { chargerId: 'CP-HIST', requestId: '7' }, query: { kind: 'monitoring' }, claims: reader });
    expect(res.body).toEqual({
      chargerId: 'CP-HIST', kind: 'monitoring', requestId: 7, complete: true, missingSeqNos: [], missingCount: 0, truncated: false, pages: 1, reportData: [{ monitor: 1 }],
    });
    expect((await api.call(getChargerReportRoute, { params: { chargerId: 'CP-HIST', requestId: '7' }, query: { kind: 'chargingProfiles' } })).status).toBe(404);
    expect((await api.call(getChargerReportRoute, { params: { chargerId: 'CP-HIST', requestId: '7' }, query: { kind: 'variables' } })).status).toBe(400);
  });

  it('answers 404 for the history of an unknown charger', async () => {
    expect((await api.call(listChargerTimelineRoute, { params: { chargerId: 'CP-NONE' } })).status).toBe(404);
    expect((await api.call(getChargerConnectorsRoute, { params: { chargerId: 'CP-NONE' } })).status).toBe(404);
  });
});

describe('DELETE /chargers/{chargerId}', () => {
  const seed = async (chargerId: string, frames: number) => {
    await create({ chargerId, locationId: 'SITE-A' });
    await connect(chargerId, `conn-${chargerId}`);
    await api.deps.stores.connectors.putStatusIfNewer({ chargerId, evseId: 1, connectorId: 1, status: 'Available', timestamp: '2026-03-01T10:00:00.000Z', messageId: 's' });
    await api.deps.stores.timeline.record({ chargerId, kind: 'SecurityEvent', at: '2026-03-01T10:00:00.000Z', messageId: 't', payload: {} });
    for (let i = 0; i < frames; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, frames - i) }, (_, j) =>
          api.deps.stores.messageLog.append({ chargerId, connectionId: 'c', direction: 'in', raw: '[2,"h","Heartbeat",{}]', at: new Date(Date.UTC(2026, 2, 1, 0, 0, 0, i + j)) }),
        ),
      );
    }
  };
  const history = async (chargerId: string) => ({
    timeline: (await api.deps.stores.timeline.list(chargerId)).items.length,
    status: (await api.deps.stores.connectors.history(chargerId, { evseId: 1, connectorId: 1 })).items.length,
    messages: (await api.deps.stores.messageLog.list(chargerId, { limit: 5 })).items.length,
    connectors: (await api.deps.stores.connectors.list(chargerId)).length,
    presence: (await api.deps.stores.presence.get(chargerId)) !== undefined,
  });

  it('keeps the history by default, closes the live connection and uncounts it at its location', async () => {
    await seed('CP-KEEP', 2);
    const reservation = { chargerId: 'CP-KEEP', reservationId: 3, expiry: '2026-03-01T11:00:00.000Z', connectorId: 1, idToken: 'TAG-K', commandId: 'c-r' };
    await api.deps.stores.reservations.createRequested({ ...reservation, createdAt: '2026-03-01T10:00:00.000Z', requestedBy: 'test' });
    expect(await api.deps.stores.reservations.get('CP-KEEP', 3)).toBeDefined();
    const told = { chargerId: 'CP-KEEP', protocol: 'ocpp1.6', commandId: 'c-1', reportedAt: '2026-03-01T10:00:00.000Z' } as const;
    await api.deps.stores.configuration.keep([{ ...told, key: 'HeartbeatInterval', value: '300', action: 'GetConfiguration' }]);
    await api.deps.stores.compositeSchedules.keep({ ...told, evseId: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] });
    // A command held for its next boot and one in flight: kept under the lower-case id, erased all the same.
    const command = (commandId: string): Command => ({
      commandId, chargerId: 'CP-KEEP', protocol: 'ocpp1.6', action: 'Reset', payload: { type: 'Soft' }, status: 'queued', timeoutSeconds: 30, requestedBy: 'test', createdAt: '2026-03-01T10:00:00.000Z',
    });
    await api.deps.stores.commands.create(command('cmd-held'));
    expect(await api.deps.stores.commands.hold(command('cmd-held'))).toBe(true);
    await api.deps.stores.commands.create(command('cmd-sent'));
    const slot = { chargerId: 'CP-KEEP', commandId: 'cmd-sent', messageId: 'cmd-sent', action: 'Reset', protocol: 'ocpp1.6', connectionId: 'conn-CP-KEEP', sentAt: new Date().toISOString(), deadline: new Date(Date.now() + 30_000).toISOString() } as const;
    expect(await api.deps.stores.commands.claimSlot(command('cmd-sent'), slot)).toEqual({ claimed: true });
    const before = (await api.call(getLocationRoute, { params: { locationId: 'SITE-A' } })).body.chargerCount;
    expect((await api.call(deleteChargerRoute, { params: { chargerId: 'CP-KEEP' } })).status).toBe(428);
    expect((await api.call(deleteChargerRoute, { params: { chargerId: 'CP-KEEP' }, headers: { 'If-Match': '"old"' } })).status).toBe(412);
    expect((await api.call(deleteChargerRoute, { params: { chargerId: 'CP-KEEP' }, headers: { 'If-Match': '*' }, claims: viewer })).status).toBe(403);
    const res = await api.call(deleteChargerRoute, { params: { chargerId: 'CP-KEEP' }, headers: { 'If-Match': await etagOf('CP-KEEP') }, claims: operator });
    expect(res.status).toBe(204);
    expect(api.closedConnections).toContain('conn-CP-KEEP');
    expect((await api.call(getChargerRoute, { params: { chargerId: 'CP-KEEP' } })).status).toBe(404);
    expect(await api.deps.stores.chargers.getWithSecret('CP-KEEP')).toBeUndefined();
    expect(await history('CP-KEEP')).toEqual({ timeline: 1, status: 1, messages: 3, connectors: 0, presence: false });
    expect(await api.deps.stores.reservations.get('CP-KEEP', 3)).toBeUndefined(); // live state of the charger, erased with it
    expect([(await api.deps.stores.configuration.list('CP-KEEP')).items, (await api.deps.stores.compositeSchedules.list('CP-KEEP')).items]).toEqual([[], []]);
    // A charger registered again under the id is sent none of the old one's held commands, nor waits for its CALL.
    expect([await api.deps.stores.commands.held('CP-KEEP'), await api.deps.stores.commands.getSlot('CP-KEEP')]).toEqual([[], undefined]);
    expect((await api.call(getLocationRoute, { params: { locationId: 'SITE-A' } })).body.chargerCount).toBe(before - 1);
  });

  it('purges the history in bounded steps, then deletes the charger', async () => {
    await seed('CP-PURGE', PURGE_BUDGET);
    const call = async () =>
      api.call(deleteChargerRoute, { params: { chargerId: 'CP-PURGE' }, query: { history: 'purge' }, headers: { 'If-Match': await etagOf('CP-PURGE') } });
    const first = await call();
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ state: 'purging', deleted: PURGE_BUDGET });
    expect((await api.call(getChargerRoute, { params: { chargerId: 'CP-PURGE' } })).status).toBe(200);
    const second = await call();
    expect(second.status).toBe(204);
    expect(await history('CP-PURGE')).toEqual({ timeline: 0, status: 0, messages: 0, connectors: 0, presence: false });
    expect((await api.call(deleteChargerRoute, { params: { chargerId: 'CP-PURGE' }, query: { history: 'wipe' }, headers: { 'If-Match': '*' } })).status).toBe(400);
  });
});

describe('POST /chargers:import', () => {
  const csv = [
    'id,password,locationId,securityProfile,label',
    `CP-IMP-1,,SITE-A,1,"Bay ""one"", north"`,
    `CP-IMP-2,${CHOSEN},,2,`,
    'CP-IMP-3,,NO-SUCH-SITE,,',
    'bad id,,,,',
  ].join('\r\n');

  it('registers each row and reports it; a re-run changes nothing and reports them as existing', async () => {
    const res = await api.call(importChargersRoute, { rawBody: csv, headers: { 'Content-Type': 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 2, exists: 0, invalid: 2 });
    const [one, two, three, four] = res.body.rows;
    expect(one).toMatchObject({ row: 1, id: 'CP-IMP-1', status: 'created' });
    expect(one.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(two).toEqual({ row: 2, id: 'CP-IMP-2', status: 'created' });
    expect(three).toMatchObject({ row: 3, id: 'CP-IMP-3', status: 'invalid', detail: expect.stringMatching(/NO-SUCH-SITE/) });
    expect(four).toMatchObject({ row: 4, status: 'invalid', detail: expect.stringMatching(/\/chargerId/) });
    expect((await api.call(getChargerRoute, { params: { chargerId: 'CP-IMP-1' } })).body).toMatchObject({ label: 'Bay "one", north', securityProfile: 1, locationId: 'SITE-A' });
    const hash = (await api.deps.stores.chargers.getWithSecret('CP-IMP-2'))!.passwordHash;
    expect(await verifyPassword(CHOSEN, hash)).toBe(true);

    const again = await api.call(importChargersRoute, { rawBody: csv, headers: { 'Content-Type': 'text/csv' } });
    expect(again.body).toMatchObject({ created: 0, exists: 2, invalid: 2 });
    expect(again.body.rows[0]).toEqual({ row: 1, id: 'CP-IMP-1', status: 'exists', detail: 'already registered; left unchanged' });
    expect((await api.deps.stores.chargers.getWithSecret('CP-IMP-2'))!.passwordHash).toBe(hash);
  });

  it('takes a JSON list; operators may import without passwords only', async () => {
    const res = await api.call(importChargersRoute, { body: [{ chargerId: 'CP-IMP-J' }, { chargerId: 'CP-IMP-1' }], claims: operator });
    expect(res.body).toMatchObject({ created: 1, exists: 1, invalid: 0 });
    const withPassword = await api.call(importChargersRoute, { body: { chargers: [{ chargerId: 'CP-IMP-K', password: CHOSEN }] }, claims: writer });
    expect(withPassword.status).toBe(403);
    expect((await api.call(getChargerRoute, { params: { chargerId: 'CP-IMP-K' } })).status).toBe(404);
    expect((await api.call(importChargersRoute, { body: [], claims: viewer })).status).toBe(403);
  });

  it('refuses more than 250 rows (413), an unknown column and a body that is neither (400)', async () => {
    const many = Array.from({ length: 251 }, (_, i) => ({ chargerId: `CP-MANY-${i}` }));
    expect((await api.call(importChargersRoute, { body: many })).status).toBe(413);
    const unknown = await api.call(importChargersRoute, { rawBody: 'id,colour\nCP-1,red', headers: { 'Content-Type': 'text/csv' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/colour/);
    expect((await api.call(importChargersRoute, { rawBody: 'not json', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
  });
});
