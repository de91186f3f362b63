/**
 * `POST /reservations` through the real handler against DynamoDB Local and the command queue on fauxqs: what an
 * Idempotency-Key makes of a retry and of a key used again once its record expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChargerRoute } from '#functions/api/chargers/routes.ts';
import { createReservationRoute } from '#functions/api/reservations/routes.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { updateIdempotencyRecord } from '../../support/api-harness.ts';
import { startChargerApi, type ChargerApiHarness } from './charger-api-harness.ts';

let api: ChargerApiHarness;
beforeAll(async () => {
  api = await startChargerApi({ commandQueue: true });
});
afterAll(async () => api?.close());
const queuedIds = () => api.commandQueue!.queued().map((ref) => ref.commandId);

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe('POST /reservations with an Idempotency-Key', () => {
  it('answers a retry with the first reservation; used again after its record expired, the key makes the new one', async () => {
    const chargerId = 'CP-RESV-IDEM';
    expect((await api.call(createChargerRoute, { body: { chargerId, defaultProtocol: 'ocpp1.6' } })).status).toBe(201);
    await createIdToken(api.deps, { value: 'TAG-RESV-IDEM' });
    const headers = { 'Idempotency-Key': 'resv-daily' };
    const reserve = (connectorId: number) => ({ chargerId, connectorId, idToken: { value: 'TAG-RESV-IDEM' }, expiresAt: inAnHour() });

    const firstBody = reserve(1);
    const first = await api.call(createReservationRoute, { body: firstBody, headers });
    expect(first).toMatchObject({ status: 202, body: { connectorId: 1, status: 'requested' } });
    const retry = await api.call(createReservationRoute, { body: firstBody, headers });
    expect(retry).toMatchObject({ status: 202, headers: { 'Idempotent-Replayed': 'true' }, body: { reservationId: first.body.reservationId } });

    // A day later the record is past its TTL (the table may not have removed it yet).
    await updateIdempotencyRecord(api, createReservationRoute, 'resv-daily', 'SET expiresAt = :past', { ':past': 1 });
    const next = await api.call(createReservationRoute, { body: reserve(2), headers });
    expect(next.status).toBe(202);
    expect(next.headers['Idempotent-Replayed']).toBeUndefined();
    expect(next.body).toMatchObject({ connectorId: 2, status: 'requested', command: { action: 'ReserveNow', status: 'queued' } });
    expect(next.body.reservationId).not.toBe(first.body.reservationId);
    expect(next.body.command.commandId).not.toBe(first.body.command.commandId);
    expect(queuedIds()).toEqual(expect.arrayContaining([first.body.command.commandId, next.body.command.commandId]));
  });
});
