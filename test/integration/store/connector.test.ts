/**
 * Connectors: status history (every report kept once) and the current status (never replaced by an older
 * report); the transaction pointer, claimed only by a later-started transaction and released by its end, so a
 * start and an end racing in two invocations agree whichever lands first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorRef, StatusReport } from '#shared/charger/connector-status.ts';
import { connectorKey } from '#shared/store/keys.ts';
import { openStoreFixture, STORAGE_ATTRIBUTES, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const CP = 'CP-CONNECTORS';
const connectorOf = async (ref: ConnectorRef) =>
  (await f.deps.stores.connectors.list(CP)).find((c) => c.evseId === ref.evseId && c.connectorId === ref.connectorId);

describe('connector status', () => {
  const ref = { evseId: 1, connectorId: 1 };
  const report = (status: string, timestamp: string, messageId: string): StatusReport => ({ chargerId: CP, ...ref, status, timestamp, messageId });

  it('keeps a report sent twice once in the history', async () => {
    const connectors = f.deps.stores.connectors;
    expect(await connectors.putStatusIfNewer(report('Available', '2026-01-01T10:00:00.000Z', 'm-1'))).toEqual({ current: true });
    expect(await connectors.putStatusIfNewer(report('Available', '2026-01-01T10:00:00.000Z', 'm-2'))).toEqual({ current: true });
    expect((await connectors.history(CP, ref)).items).toHaveLength(1);
  });

  it('keeps an older report in the history without making it the current status', async () => {
    const connectors = f.deps.stores.connectors;
    expect(await connectors.putStatusIfNewer(report('Faulted', '2026-01-01T09:00:00.000Z', 'm-3'))).toEqual({ current: false });
    expect(await connectorOf(ref)).toMatchObject({ status: 'Available', statusTimestamp: '2026-01-01T10:00:00.000Z' });
    expect((await connectors.history(CP, ref)).items.map((r) => r.status)).toEqual(['Faulted', 'Available']);
  });

  it('lets a report of the same time as the current one replace it', async () => {
    const connectors = f.deps.stores.connectors;
    expect(await connectors.putStatusIfNewer({ ...report('Occupied', '2026-01-01T10:00:00.000Z', 'm-4'), errorCode: 'NoError' })).toEqual({ current: true });
    const current = await connectorOf(ref);
    expect(current).toMatchObject({ chargerId: CP, evseId: 1, connectorId: 1, status: 'Occupied', errorCode: 'NoError' });
    for (const attribute of STORAGE_ATTRIBUTES) expect(current).not.toHaveProperty(attribute);
    const history = (await connectors.history(CP, ref)).items;
    expect(history).toHaveLength(3);
    for (const attribute of STORAGE_ATTRIBUTES) expect(history[0]).not.toHaveProperty(attribute);
  });
});

describe('connector transaction pointer', () => {
  it('lets a later-started transaction take the connector over, naming the one it replaced', async () => {
    const connectors = f.deps.stores.connectors;
    const ref = { evseId: 2, connectorId: 1 };
    expect(await connectors.claim(CP, ref, 'T-1', '2026-01-02T10:00:00.000Z')).toEqual({ claimed: true });
    expect(await connectors.claim(CP, ref, 'T-1', '2026-01-02T10:00:00.000Z')).toEqual({ claimed: true });
    expect(await connectors.claim(CP, ref, 'T-2', '2026-01-02T11:00:00.000Z')).toEqual({ claimed: true, replaced: 'T-1' });
    expect((await connectorOf(ref))?.activeTransactionId).toBe('T-2');
  });

  it('does not let an earlier-started transaction claim the connector', async () => {
    const connectors = f.deps.stores.connectors;
    const ref = { evseId: 3, connectorId: 1 };
    await connectors.claim(CP, ref, 'T-LATE', '2026-01-03T11:00:00.000Z');
    expect(await connectors.claim(CP, ref, 'T-EARLY', '2026-01-03T10:00:00.000Z')).toEqual({ claimed: false });
    expect((await connectorOf(ref))?.activeTransactionId).toBe('T-LATE');
  });

  it('frees the connector when its holder is released', async () => {
    const connectors = f.deps.stores.connectors;
    const ref = { evseId: 4, connectorId: 1 };
    await connectors.claim(CP, ref, 'T-4', '2026-01-04T10:00:00.000Z');
    expect(await connectors.release(CP, ref, 'T-4', '2026-01-04T10:00:00.000Z')).toEqual({});
    const connector = await connectorOf(ref);
    expect(connector).toBeDefined();
    expect(connector).not.toHaveProperty('activeTransactionId');
    expect(connector).not.toHaveProperty('endedTransactionId');
  });

  it('refuses the claim of a transaction whose release landed first, leaving no active transaction', async () => {
    const connectors = f.deps.stores.connectors;
    const ref = { evseId: 5, connectorId: 1 };
    expect(await connectors.release(CP, ref, 'T-RACE', '2026-01-05T10:00:00.000Z')).toEqual({});
    expect(await connectors.claim(CP, ref, 'T-RACE', '2026-01-05T10:00:00.000Z')).toEqual({ claimed: false });
    expect(await connectorOf(ref)).not.toHaveProperty('activeTransactionId');
    // A different, later transaction can still take the connector.
    expect(await connectors.claim(CP, ref, 'T-AFTER', '2026-01-05T11:00:00.000Z')).toEqual({ claimed: true });
  });

  it('changes nothing when a transaction older than the holder is released', async () => {
    const connectors = f.deps.stores.connectors;
    const ref = { evseId: 6, connectorId: 1 };
    await connectors.claim(CP, ref, 'T-HOLDER', '2026-01-06T11:00:00.000Z');
    const before = await f.item('Csms', connectorKey(CP, ref.evseId, ref.connectorId));
    expect(await connectors.release(CP, ref, 'T-OLDER', '2026-01-06T10:00:00.000Z')).toEqual({});
    expect(await f.item('Csms', connectorKey(CP, ref.evseId, ref.connectorId))).toEqual(before);
    expect((await connectorOf(ref))?.activeTransactionId).toBe('T-HOLDER');
  });

  it('frees the connector when a transaction that started after the holder ends, naming the holder as replaced', async () => {
    const connectors = f.deps.stores.connectors;
    const ref = { evseId: 7, connectorId: 1 };
    await connectors.claim(CP, ref, 'T-OUTLIVED', '2026-01-07T10:00:00.000Z');
    expect(await connectors.release(CP, ref, 'T-NEWER', '2026-01-07T11:00:00.000Z')).toEqual({ replaced: 'T-OUTLIVED' });
    expect(await connectorOf(ref)).not.toHaveProperty('activeTransactionId');
    expect(await connectors.claim(CP, ref, 'T-NEWER', '2026-01-07T11:00:00.000Z')).toEqual({ claimed: false });
  });

  it('keeps the status and the pointer of one connector apart', async () => {
    const connectors = f.deps.stores.connectors;
    const ref = { evseId: 8, connectorId: 1 };
    await connectors.claim(CP, ref, 'T-8', '2026-01-08T10:00:00.000Z');
    await connectors.putStatusIfNewer({ chargerId: CP, ...ref, status: 'Occupied', timestamp: '2026-01-08T10:00:01.000Z', messageId: 'm-8' });
    expect(await connectorOf(ref)).toMatchObject({ status: 'Occupied', activeTransactionId: 'T-8' });
  });
});

describe('connector status details', () => {
  it("shows only the current report's details: a newer report without info drops the older report's", async () => {
    const connectors = f.deps.stores.connectors;
    const ref = { evseId: 9, connectorId: 1 };
    const base = { chargerId: CP, ...ref, ocppConnectorId: 9 };
    await connectors.putStatusIfNewer({ ...base, status: 'Faulted', errorCode: 'GroundFailure', info: 'ground fault', vendorId: 'ACME', vendorErrorCode: 'E42', timestamp: '2026-01-09T10:00:00.000Z', messageId: 'm-1' });
    await connectors.putStatusIfNewer({ ...base, status: 'Available', errorCode: 'NoError', timestamp: '2026-01-09T11:00:00.000Z', messageId: 'm-2' });
    const current = (await connectorOf(ref)) as Record<string, unknown> | undefined;
    expect(current).toMatchObject({ status: 'Available', errorCode: 'NoError', ocppConnectorId: 9 });
    expect(current).not.toHaveProperty('info');
    expect(current).not.toHaveProperty('vendorId');
    expect(current).not.toHaveProperty('vendorErrorCode');
  });
});
