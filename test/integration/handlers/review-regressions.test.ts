import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateTransactionId, startFingerprint } from '#shared/transaction/transactions-v16.ts';
import { lambdaContext, ORIGIN_SECRET, startHarness, type Harness } from '../../support/handler-harness.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { openConnection } from '#shared/charger/connection.ts';

import { assembleReport } from '#shared/charger/report.ts';

import type { OcppProtocol } from '#shared/ocpp/frames.ts';

let h: Harness;
const CP = 'CP-EDGE-CASES';
const v16 = (action: string, payload: unknown) => h.call(CP, 'ocpp1.6', action, payload);
const v2 = (action: string, payload: unknown, chargerId = CP, protocol: OcppProtocol = 'ocpp2.0.1') => h.call(chargerId, protocol, action, payload);

beforeAll(async () => {
  h = await startHarness();
  await createCharger(h.deps, { chargerId: CP });
});
afterAll(async () => h?.close());

describe('transactions under unusual but valid input', () => {
  it('stores a message that repeats the same reading once, and still stops the transaction', async () => {
    const { transactionId } = (await v16('StartTransaction', { connectorId: 4, idTag: 'T', meterStart: 0, timestamp: '2026-03-01T10:00:00Z' }))[2] as { transactionId: number };
    const sample = { timestamp: '2026-03-01T10:05:00Z', sampledValue: [{ value: '500' }] };
    expect((await v16('MeterValues', { connectorId: 4, transactionId, meterValue: [sample, sample] }))[0]).toBe(3);
    const stop = await v16('StopTransaction', { transactionId, meterStop: 900, timestamp: '2026-03-01T10:10:00Z', transactionData: [sample, sample] });
    expect(stop[0]).toBe(3);
    expect(await h.deps.stores.transactions.get(CP, String(transactionId))).toMatchObject({ status: 'ended', energyWh: 900 });
    expect(await h.deps.stores.meterValues.listOfTransaction(CP, String(transactionId))).toHaveLength(1);
  });

  it('skips a transaction id already taken by a stop for a transaction it never saw', async () => {
    const start = { connectorId: 7, idTag: 'T', meterStart: 0, timestamp: '2026-03-02T10:02:00.000Z' }; // as stored: UTC, ms
    const [first, second] = [0, 1].map((n) => candidateTransactionId(startFingerprint({ chargerId: CP, ...start, sentTimestamp: start.timestamp, receivedAt: start.timestamp }), n));
    // A charger moved from another CSMS stops a transaction whose id is the one this start would get first.
    await v16('StopTransaction', { transactionId: first, meterStop: 5, timestamp: '2026-03-02T10:01:00Z' });
    const next = await v16('StartTransaction', start);
    expect(next[0]).toBe(3);
    expect((next[2] as { transactionId: number }).transactionId).toBe(second);
    expect(await h.deps.stores.transactions.get(CP, String(first))).toMatchObject({ status: 'ended', startMissing: true, meterStopWh: 5 });
    // A retry walks the same candidates and gets the same answer.
    expect(((await v16('StartTransaction', start))[2] as { transactionId: number }).transactionId).toBe(second);
  });

  it('ends a transaction whose stop was lost when a newer one starts on its connector, and lets the real stop still apply', async () => {
    const a = (await v16('StartTransaction', { connectorId: 8, idTag: 'LOST', meterStart: 100, timestamp: '2026-03-03T10:00:00Z' }))[2] as { transactionId: number };
    const b = (await v16('StartTransaction', { connectorId: 8, idTag: 'NEXT', meterStart: 300, timestamp: '2026-03-03T11:00:00Z' }))[2] as { transactionId: number };
    expect(await h.deps.stores.transactions.get(CP, String(a.transactionId))).toMatchObject({ status: 'ended', stopReason: 'Superseded', inferredEnd: true });
    expect((await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === 8)?.activeTransactionId).toBe(String(b.transactionId));
    // The token of the lost transaction is free again.
    expect((await v16('Authorize', { idTag: 'LOST' }))[2]).toEqual({ idTagInfo: { status: 'Invalid' } });
    // The charger's own stop arrives late (offline queue): its facts win, the connector stays with b.
    await v16('StopTransaction', { transactionId: a.transactionId, meterStop: 250, timestamp: '2026-03-03T10:30:00Z', reason: 'EVDisconnected' });
    expect(await h.deps.stores.transactions.get(CP, String(a.transactionId))).toMatchObject({ status: 'ended', stopReason: 'EVDisconnected', energyWh: 150, inferredEnd: false });
    expect((await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === 8)?.activeTransactionId).toBe(String(b.transactionId));
  });

  it('never leaves the connector pointing at a transaction that ended while it was being started', async () => {
    const started = { eventType: 'Started', seqNo: 0, timestamp: '2026-03-04T10:00:00Z', triggerReason: 'CablePluggedIn', transactionInfo: { transactionId: 'RACE-1' }, evse: { id: 9, connectorId: 1 } };
    const ended = { eventType: 'Ended', seqNo: 1, timestamp: '2026-03-04T10:00:05Z', triggerReason: 'EVDeparted', transactionInfo: { transactionId: 'RACE-1' } };
    await Promise.all([v2('TransactionEvent', started), v2('TransactionEvent', ended)]);
    expect((await h.deps.stores.transactions.get(CP, 'RACE-1'))?.status).toBe('ended');
    expect((await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === 9)?.activeTransactionId).toBeUndefined();
  });

  it('accepts a NoAuthorization token without looking it up', async () => {
    const reply = await v2('TransactionEvent', {
      eventType: 'Started', seqNo: 0, timestamp: '2026-03-05T10:00:00Z', triggerReason: 'CablePluggedIn',
      transactionInfo: { transactionId: 'FREE-1' }, idToken: { idToken: '', type: 'NoAuthorization' }, evse: { id: 10, connectorId: 1 },
    });
    expect(reply[2]).toEqual({ idTokenInfo: { status: 'Accepted' } });
  });

  it('refuses a charger that lost its acceptance both ending and starting a transaction (2.0.1 B02.FR.09)', async () => {
    await createCharger(h.deps, { chargerId: 'CP-DEMOTED', registrationStatus: 'pending' });
    const base = { timestamp: '2026-03-06T10:00:00Z', triggerReason: 'EVDeparted', transactionInfo: { transactionId: 'DEMOTED-1' } };
    // A pending charger may send BootNotification (and Heartbeat) only; its queued Ended waits for acceptance.
    expect((await v2('TransactionEvent', { ...base, eventType: 'Ended', seqNo: 3 }, 'CP-DEMOTED'))[2]).toBe('SecurityError');
    expect((await v2('TransactionEvent', { ...base, eventType: 'Started', seqNo: 0, transactionInfo: { transactionId: 'DEMOTED-2' } }, 'CP-DEMOTED'))[2]).toBe('SecurityError');
  });
});

describe('facts sent again', () => {
  it('keeps a status report sent twice (new message id) once', async () => {
    const report = { timestamp: '2026-03-07T10:00:00Z', connectorStatus: 'Faulted', evseId: 11, connectorId: 1 };
    await v2('StatusNotification', report);
    await v2('StatusNotification', report);
    expect((await h.deps.stores.connectors.history(CP, { evseId: 11, connectorId: 1 })).items).toHaveLength(1);
  });
});

describe('secrets a charger reports about itself', () => {
  it('masks BasicAuthPassword in NotifyReport and NotifyEvent, in the message log and in what is stored', async () => {
    const secret = 'the-charger-password-123';
    await v2('NotifyReport', {
      requestId: 42, generatedAt: '2026-03-08T10:00:00Z', seqNo: 0,
      reportData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, variableAttribute: [{ type: 'Actual', value: secret }] }],
    });
    await v2('NotifyEvent', {
      generatedAt: '2026-03-08T10:01:00Z', seqNo: 0,
      eventData: [{ eventId: 1, timestamp: '2026-03-08T10:01:00Z', trigger: 'Delta', actualValue: secret, eventNotificationType: 'CustomMonitor', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }],
    });
    const stored = JSON.stringify([
      await assembleReport(h.deps, CP, 'deviceModel', 42),
      (await h.deps.stores.timeline.list(CP)).items,
      (await h.deps.stores.messageLog.list(CP, { limit: 500 })).items,
    ]);
    expect(stored).toContain('BasicAuthPassword');
    expect(stored).not.toContain(secret);
  });
});

describe('connection edge cases', () => {
  it('keeps a new connection when closing the one it replaces fails', async () => {
    const failing = { close: () => Promise.reject(new Error('throttled')) };
    const input = { chargerId: CP, protocol: 'ocpp1.6' as const, register: false };
    await openConnection(h.deps, failing, { ...input, connectionId: 'old', connectedAt: 1 });
    expect(await openConnection(h.deps, failing, { ...input, connectionId: 'new', connectedAt: 2 })).toEqual({ opened: true, replacedConnectionId: 'old' });
    expect(await h.deps.stores.presence.get(CP)).toMatchObject({ connected: true, connectionId: 'new' });
  });

  it('refuses auto-registration with a password shorter than OCPP allows', async () => {
    const basic = `Basic ${Buffer.from('CP-SHORT:short').toString('base64')}`;
    const outcome = await openConnection(h.deps, { close: async () => undefined }, {
      chargerId: 'CP-SHORT', connectionId: 'c-short', protocol: 'ocpp1.6', connectedAt: 1, register: true, authorization: basic,
    });
    expect(outcome.opened).toBe(false);
  });

  it('keeps plain ws:// to security profile 1 chargers', async () => {
    const profile2 = await createCharger(h.deps, { chargerId: 'CP-TLS' });
    const profile1 = await createCharger(h.deps, { chargerId: 'CP-PLAIN', securityProfile: 1 });
    if (!profile2.created || !profile1.created) throw new Error('setup');
    const authorize = (id: string, password: string, proto: string) =>
      h.handlers.authorize(
        {
          type: 'REQUEST',
          methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/dev/$connect',
          headers: {
            'X-Ocpp-Authorization': `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`,
            'X-Origin-Verify': ORIGIN_SECRET,
            'Sec-WebSocket-Protocol': 'ocpp1.6',
            'CloudFront-Forwarded-Proto': proto,
          },
          queryStringParameters: { chargeBoxId: id },
          requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'c' },
        },
        lambdaContext('OcppAuthorizer'),
      ) as Promise<{ policyDocument: { Statement: { Effect: string }[] } }>;
    expect((await authorize('CP-TLS', profile2.password, 'http')).policyDocument.Statement[0]?.Effect).toBe('Deny');
    expect((await authorize('CP-TLS', profile2.password, 'https')).policyDocument.Statement[0]?.Effect).toBe('Allow');
    expect((await authorize('CP-PLAIN', profile1.password, 'http')).policyDocument.Statement[0]?.Effect).toBe('Allow');
  });
});
