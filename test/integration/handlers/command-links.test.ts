/**
 * Remote starts and stops linked on transactions through the real $default handler on DynamoDB Local: the answer to
 * the command (its effect) keeps the remote start, the charger's transaction message links it, and a remote stop is
 * linked when accepted. What the transaction messages cost is counted with the capacity meter the benchmark uses: a
 * message with nothing to link sends no request more than before, and the reads a link needs ride in requests the
 * message sends anyway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { pendingStartKey } from '#shared/store/keys.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { answeredCommand } from '../../support/command-replies.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';
import { measuredCall } from '../../support/message-cost.ts';

let h: Harness;
const CP16 = 'CP-LINK16';
const CP2 = 'CP-LINK2';

beforeAll(async () => {
  h = await startHarness({ CSMS_CAPACITY_METER: 'on' });
  await createCharger(h.deps, { chargerId: CP16, registrationStatus: 'accepted' });
  await createCharger(h.deps, { chargerId: CP2, registrationStatus: 'accepted' });
  for (const value of ['TAG-RS1', 'TAG-RS2', 'TAG-RS3', 'TAG-LOCAL', 'TAG-X1', 'TAG-X2', 'TAG-X3']) await createIdToken(h.deps, { value });
});
afterAll(async () => h?.close());

const measured = (chargerId: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', action: string, payload: unknown) => measuredCall(h, chargerId, protocol, action, payload);

const hasPendingStart = async (idTag: string) => (await h.scanCsms()).some((i) => i.pk === pendingStartKey(CP16, idTag).pk && i.sk === pendingStartKey(CP16, idTag).sk);

describe('1.6: RemoteStartTransaction, then StartTransaction', () => {
  const start = (connectorId: number, idTag: string, minute: number) =>
    measured(CP16, 'ocpp1.6', 'StartTransaction', { connectorId, idTag, meterStart: 0, timestamp: `2026-05-01T10:${String(minute).padStart(2, '0')}:00Z` });

  it('costs a start with nothing to link what it cost before: one BatchGetItem (the pending start rides in it) ∥ a token query, then its writes', async () => {
    const plain = await start(1, 'TAG-LOCAL', 0);
    expect(plain.reply).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    expect(plain.requests).toBe(6);
    expect(await h.deps.stores.transactions.get(CP16, String(plain.reply.transactionId))).not.toHaveProperty('startedByCommand');
  });

  it('links the accepted remote start on its connector to the next start with its idTag, and uses it up', async () => {
    const commandId = await answeredCommand(h, { chargerId: CP16, protocol: 'ocpp1.6', action: 'RemoteStartTransaction', payload: { connectorId: 2, idTag: 'TAG-RS1' } }, { status: 'Accepted' });
    expect(await hasPendingStart('TAG-RS1')).toBe(true);
    const elsewhere = await start(3, 'TAG-RS1', 1);
    expect(await h.deps.stores.transactions.get(CP16, String(elsewhere.reply.transactionId))).not.toHaveProperty('startedByCommand');
    const linked = await start(2, 'TAG-RS1', 2);
    // One DeleteItem more, beside the writes: the pending start is used up. And one UpdateItem more (issue 11): the
    // card is held by the start on connector 3, so the claim beside the reads fails and a conditional one follows
    // (a transaction on the same charger never makes the answer ConcurrentTx).
    expect(linked.reply).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    expect(linked.requests).toBe(8);
    expect(await h.deps.stores.transactions.get(CP16, String(linked.reply.transactionId))).toMatchObject({ startedByCommand: commandId, ocppConnectorId: 2 });
    expect(await hasPendingStart('TAG-RS1')).toBe(false);
  });

  it('links a start on any connector when the command named none; keeps nothing for a refused command', async () => {
    const commandId = await answeredCommand(h, { chargerId: CP16, protocol: 'ocpp1.6', action: 'RemoteStartTransaction', payload: { idTag: 'TAG-RS2' } }, { status: 'Accepted' });
    const linked = await start(4, 'TAG-RS2', 3);
    expect(await h.deps.stores.transactions.get(CP16, String(linked.reply.transactionId))).toMatchObject({ startedByCommand: commandId });
    await answeredCommand(h, { chargerId: CP16, protocol: 'ocpp1.6', action: 'RemoteStartTransaction', payload: { idTag: 'TAG-RS3' } }, { status: 'Rejected' });
    expect(await hasPendingStart('TAG-RS3')).toBe(false);
  });

  it('links an accepted RemoteStopTransaction on the transaction it names, the first one only', async () => {
    const started = await start(1, 'TAG-X1', 4);
    const transactionId = Number(started.reply.transactionId);
    const stop = await answeredCommand(h, { chargerId: CP16, protocol: 'ocpp1.6', action: 'RemoteStopTransaction', payload: { transactionId } }, { status: 'Accepted' });
    await answeredCommand(h, { chargerId: CP16, protocol: 'ocpp1.6', action: 'RemoteStopTransaction', payload: { transactionId } }, { status: 'Accepted' });
    await answeredCommand(h, { chargerId: CP16, protocol: 'ocpp1.6', action: 'RemoteStopTransaction', payload: { transactionId: 999 } }, { status: 'Accepted' });
    // The charger's stop after it keeps the link (its versioned write reads the linked record).
    await measured(CP16, 'ocpp1.6', 'StopTransaction', { transactionId, meterStop: 100, timestamp: '2026-05-01T10:30:00Z', reason: 'Remote' });
    expect(await h.deps.stores.transactions.get(CP16, String(transactionId))).toMatchObject({ status: 'ended', stopRequestedByCommand: stop });
    expect(await h.deps.stores.transactions.get(CP16, '999')).toBeUndefined();
  });
});

describe('2.x: RequestStartTransaction, then TransactionEvent', () => {
  const at = (minute: number) => `2026-05-02T10:${String(minute).padStart(2, '0')}:00Z`;
  const event = (transactionId: string, eventType: string, seqNo: number, minute: number, extra: Record<string, unknown> = {}, info: Record<string, unknown> = {}) =>
    measured(CP2, 'ocpp2.0.1', 'TransactionEvent', {
      eventType,
      seqNo,
      timestamp: at(minute),
      triggerReason: eventType === 'Started' ? 'RemoteStart' : 'MeterValuePeriodic',
      transactionInfo: { transactionId, ...info },
      meterValue: [{ timestamp: at(minute), sampledValue: [{ value: 1000 + minute }] }],
      ...extra,
    });
  const requestStart = (remoteStartId: number, idToken: string, result: Record<string, unknown> = { status: 'Accepted' }) =>
    answeredCommand(h, { chargerId: CP2, protocol: 'ocpp2.0.1', action: 'RequestStartTransaction', payload: { remoteStartId, idToken: { idToken, type: 'ISO14443' } } }, result);
  const token = (idToken: string, evseId: number) => ({ idToken: { idToken, type: 'ISO14443' }, evse: { id: evseId, connectorId: 1 } });

  it('links the Started event that carries the remoteStartId, reading the remote start in the BatchGetItem the event sends anyway', async () => {
    const plain = await event('TX-PLAIN', 'Started', 0, 0, token('TAG-LOCAL', 1));
    const commandId = await requestStart(501, 'TAG-X2');
    expect(await h.deps.stores.remoteStarts.get(CP2, 501)).toMatchObject({ commandId });
    const started = await event('TX-RS', 'Started', 0, 1, token('TAG-X2', 2), { remoteStartId: 501 });
    expect(started.requests).toBe(plain.requests);
    expect(await h.deps.stores.transactions.get(CP2, 'TX-RS')).toMatchObject({ remoteStartId: 501, startedByCommand: commandId });
    // An in-order event repeating the id reads the remote start beside its update and links nothing again.
    const without = await event('TX-PLAIN', 'Updated', 1, 2);
    const repeated = await event('TX-RS', 'Updated', 1, 3, {}, { remoteStartId: 501 });
    expect([without.requests, repeated.requests]).toEqual([2, 3]);
    expect(await h.deps.stores.transactions.get(CP2, 'TX-RS')).toMatchObject({ startedByCommand: commandId, lastSeqNo: 1 });
  });

  it('links a transaction that began before the command (cable first) when an in-order event brings the id: one UpdateItem more, once', async () => {
    // Plugged in: the charger reports the charging state (a fact a later event may change) before anyone authorized.
    await event('TX-CABLE', 'Started', 0, 10, { evse: { id: 3, connectorId: 1 } }, { chargingState: 'EVConnected' });
    const commandId = await requestStart(502, 'TAG-X3');
    const linking = await event('TX-CABLE', 'Updated', 1, 11, {}, { remoteStartId: 502 });
    expect(linking.requests).toBe(4);
    expect(await h.deps.stores.transactions.get(CP2, 'TX-CABLE')).toMatchObject({ startedByCommand: commandId, remoteStartId: 502, lastSeqNo: 1 });
    const next = await event('TX-CABLE', 'Updated', 2, 12, {}, { remoteStartId: 502 });
    expect(next.requests).toBe(3);
  });

  it('links at once when the answer names the transaction; ignores a refused command and an unknown id', async () => {
    await event('TX-NAMED', 'Started', 0, 20, { evse: { id: 4, connectorId: 1 } });
    const commandId = await requestStart(503, 'TAG-X3', { status: 'Accepted', transactionId: 'TX-NAMED' });
    expect(await h.deps.stores.transactions.get(CP2, 'TX-NAMED')).toMatchObject({ startedByCommand: commandId });
    await requestStart(504, 'TAG-X3', { status: 'Rejected' });
    expect(await h.deps.stores.remoteStarts.get(CP2, 504)).toBeUndefined();
    await event('TX-UNKNOWN-ID', 'Started', 0, 21, token('TAG-X1', 5), { remoteStartId: 999 });
    expect(await h.deps.stores.transactions.get(CP2, 'TX-UNKNOWN-ID')).not.toHaveProperty('startedByCommand');
  });

  it('links an accepted RequestStopTransaction, and the Ended event keeps it', async () => {
    const stop = await answeredCommand(h, { chargerId: CP2, protocol: 'ocpp2.0.1', action: 'RequestStopTransaction', payload: { transactionId: 'TX-RS' } }, { status: 'Accepted' });
    await event('TX-RS', 'Ended', 2, 30, {}, { stoppedReason: 'Remote' });
    expect(await h.deps.stores.transactions.get(CP2, 'TX-RS')).toMatchObject({ status: 'ended', stopReason: 'Remote', stopRequestedByCommand: stop, startedByCommand: expect.any(String) });
  });
});
