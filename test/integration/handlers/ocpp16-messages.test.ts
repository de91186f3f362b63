import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../support/handler-harness.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';

let h: Harness;
const CP = 'CP-16';
const v16 = 'ocpp1.6' as const;
const call = (action: string, payload: unknown, chargerId = CP) => h.call(chargerId, v16, action, payload);

beforeAll(async () => {
  h = await startHarness();
  await createCharger(h.deps, { chargerId: CP });
  await createCharger(h.deps, { chargerId: 'CP-16-OTHER' });
  await createIdToken(h.deps, { value: 'TAG-OK', groupId: 'FLEET' });
  await createIdToken(h.deps, { value: 'TAG-BLOCKED', blocked: true });
  await createIdToken(h.deps, { value: 'TAG-OLD', expiresAt: '2020-01-01T00:00:00Z' });
});
afterAll(async () => h?.close());

describe('OCPP 1.6 messages through the $default handler and DynamoDB Local', () => {
  it('answers BootNotification with the registry status and an interval under the 10-minute idle limit', async () => {
    const [type, , payload] = await call('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1', firmwareVersion: '1.2.3' });
    expect(type).toBe(3);
    expect(payload).toMatchObject({ status: 'Accepted', interval: 300 });
    expect(Date.parse((payload as { currentTime: string }).currentTime)).not.toBeNaN();
  });

  it('keeps connector status and its history, with connector 0 as the charger itself', async () => {
    await call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: '2026-01-01T10:00:00Z' });
    await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: '2026-01-01T10:01:00Z' });
    // An older report arriving late goes to history only.
    await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Unavailable', timestamp: '2026-01-01T09:00:00Z' });
    const connectors = await h.deps.stores.connectors.list(CP);
    expect(connectors.map((c) => [c.evseId, c.connectorId, c.status])).toEqual([
      [0, 0, 'Available'],
      [1, 1, 'Preparing'],
    ]);
    const { items: history } = await h.deps.stores.connectors.history(CP, { evseId: 1, connectorId: 1 });
    expect(history.map((s) => s.status)).toEqual(['Unavailable', 'Available', 'Preparing']);
  });

  it.each([
    ['TAG-OK', { status: 'Accepted', parentIdTag: 'FLEET' }],
    ['TAG-BLOCKED', { status: 'Blocked' }],
    ['TAG-OLD', { status: 'Expired', expiryDate: '2020-01-01T00:00:00.000Z' }],
    ['NOBODY', { status: 'Invalid' }],
  ])('authorizes %s as %o', async (idTag, idTagInfo) => {
    expect((await call('Authorize', { idTag }))[2]).toEqual({ idTagInfo });
  });

  it('runs a transaction with meter values and transactionData, and keeps every sample', async () => {
    const start = { connectorId: 1, idTag: 'TAG-OK', meterStart: 1000, timestamp: '2026-01-01T10:02:00Z' };
    const [, , started] = (await call('StartTransaction', start)) as [number, string, { transactionId: number; idTagInfo: unknown }];
    expect(started.idTagInfo).toEqual({ status: 'Accepted', parentIdTag: 'FLEET' });
    const txId = started.transactionId;
    expect((await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === 1)?.activeTransactionId).toBe(String(txId));
    // Authorize never answers ConcurrentTx (1.6: only relevant for a StartTransaction); a start on another charger
    // while this one runs on a connected charger does (concurrent-use.test.ts has the whole policy).
    expect((await call('Authorize', { idTag: 'TAG-OK' }))[2]).toEqual({ idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET' } });
    await h.deps.stores.presence.attach({ chargerId: CP, connectionId: 'conn-CP-16', protocol: v16, connectedAt: Date.now() });
    const elsewhere = (await call('StartTransaction', { ...start, timestamp: '2026-01-01T10:03:00Z' }, 'CP-16-OTHER')) as [number, string, { idTagInfo: unknown }];
    expect(elsewhere[2].idTagInfo).toEqual({ status: 'ConcurrentTx', parentIdTag: 'FLEET' });

    await call('MeterValues', {
      connectorId: 1,
      transactionId: txId,
      meterValue: [
        {
          timestamp: '2026-01-01T10:05:00Z',
          sampledValue: [
            { value: '1.5', unit: 'kWh', context: 'Sample.Periodic' },
            { value: '7200', measurand: 'Power.Active.Import', unit: 'W', phase: 'L1' },
          ],
        },
      ],
    });
    const [, , stopped] = await call('StopTransaction', {
      transactionId: txId,
      meterStop: 2500,
      timestamp: '2026-01-01T10:10:00Z',
      reason: 'EVDisconnected',
      idTag: 'TAG-OK',
      transactionData: [{ timestamp: '2026-01-01T10:10:00Z', sampledValue: [{ value: '2500', context: 'Transaction.End' }] }],
    });
    expect(stopped).toEqual({ idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET' } });

    const tx = await h.deps.stores.transactions.get(CP, String(txId));
    expect(tx).toMatchObject({ status: 'ended', stopReason: 'EVDisconnected', meterStartWh: 1000, meterStopWh: 2500, energyWh: 1500 });
    const samples = await h.deps.stores.meterValues.listOfTransaction(CP, String(txId));
    expect(samples.map((s) => [s.timestamp, s.energyWh, s.sampledValue.length])).toEqual([
      ['2026-01-01T10:05:00.000Z', 1500, 2],
      ['2026-01-01T10:10:00.000Z', 2500, 1],
    ]);
    expect((await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === 1)?.activeTransactionId).toBeUndefined();
  });

  it('gives a retried StartTransaction the same transaction id, also when the retries race', async () => {
    const start = { connectorId: 2, idTag: 'TAG-OK', meterStart: 5, timestamp: '2026-01-02T08:00:00Z' };
    const replies = await Promise.all([call('StartTransaction', start), call('StartTransaction', start), call('StartTransaction', start)]);
    const ids = new Set(replies.map((r) => (r[2] as { transactionId: number }).transactionId));
    expect(ids.size).toBe(1);
    const again = await call('StartTransaction', start);
    expect((again[2] as { transactionId: number }).transactionId).toBe([...ids][0]);
    const all = await h.deps.stores.transactions.listOfCharger(CP);
    expect(all.items.filter((t) => t.startedAt === '2026-01-02T08:00:00.000Z')).toHaveLength(1);
  });

  it('accepts and records a StopTransaction for a transaction it never saw, and a repeat of it', async () => {
    const stop = { transactionId: 987654, meterStop: 42, timestamp: '2026-01-03T00:00:00Z' };
    expect((await call('StopTransaction', stop))[2]).toEqual({});
    expect((await call('StopTransaction', stop))[2]).toEqual({});
    expect(await h.deps.stores.transactions.get(CP, '987654')).toMatchObject({ status: 'ended', startMissing: true, version: 1 });
  });

  it('records diagnostics and firmware status, and answers DataTransfer with UnknownVendorId', async () => {
    await call('DiagnosticsStatusNotification', { status: 'Uploaded' });
    await call('FirmwareStatusNotification', { status: 'Downloading' });
    expect((await call('DataTransfer', { vendorId: 'com.acme', messageId: 'hello', data: 'x' }))[2]).toEqual({ status: 'UnknownVendorId' });
    const kinds = (await h.deps.stores.timeline.list(CP)).items.map((e) => e.kind).sort();
    expect(kinds).toEqual(['DataTransfer', 'DiagnosticsStatus', 'FirmwareStatus']);
  });

  it('refuses Authorize and StartTransaction from a charger that is not accepted', async () => {
    await createCharger(h.deps, { chargerId: 'CP-PENDING', registrationStatus: 'pending' });
    const boot = await call('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1' }, 'CP-PENDING');
    expect(boot[2]).toMatchObject({ status: 'Pending', interval: 60 });
    const refused = await call('StartTransaction', { connectorId: 1, idTag: 'TAG-OK', meterStart: 0, timestamp: '2026-01-04T00:00:00Z' }, 'CP-PENDING');
    expect(refused.slice(0, 3)).toEqual([4, refused[1], 'SecurityError']);
    await h.deps.stores.chargers.setRegistrationStatus((await h.deps.stores.chargers.get('CP-PENDING'))!, 'accepted');
    expect((await call('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1' }, 'CP-PENDING'))[2]).toMatchObject({ status: 'Accepted' });
  });

  it('logs every frame in and its reply as one entry, with secrets masked and a TTL', async () => {
    await h.send(CP, v16, JSON.stringify([2, 'log-1', 'DataTransfer', { vendorId: 'x', data: 'AuthorizationKey', password: 'hunter2' }]));
    const { items: [entry] } = await h.deps.stores.messageLog.list(CP, { newestFirst: true, limit: 1 });
    expect(entry).toMatchObject({ direction: 'in', action: 'DataTransfer', messageId: 'log-1' });
    expect(entry?.frame).not.toContain('hunter2');
    expect(JSON.parse(entry?.reply ?? 'null')).toEqual([3, 'log-1', { status: 'UnknownVendorId' }]);
    expect((entry as unknown as { expiresAt: number }).expiresAt).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
  });
});

describe('the OCPP 1.6 security extension', () => {
  const SEC = 'CP-16-SEC';
  const sec = (action: string, payload: unknown) => call(action, payload, SEC);
  const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBcharger\n-----END CERTIFICATE REQUEST-----';
  beforeAll(async () => {
    await createCharger(h.deps, { chargerId: SEC });
  });

  it('keeps security events, log status and signed firmware status on the timeline, with the latest statuses', async () => {
    const event = { type: 'InvalidCentralSystemCertificate', timestamp: '2026-03-01T08:00:00+01:00', techInfo: 'chain too short' };
    expect(await sec('SecurityEventNotification', event)).toEqual([3, expect.any(String), {}]);
    expect((await sec('LogStatusNotification', { status: 'Uploading', requestId: 11 }))[2]).toEqual({});
    expect((await sec('LogStatusNotification', { status: 'Uploaded', requestId: 11 }))[2]).toEqual({});
    expect((await sec('SignedFirmwareStatusNotification', { status: 'InvalidSignature', requestId: 12 }))[2]).toEqual({});
    const { items } = await h.deps.stores.timeline.list(SEC);
    expect(items.map((e) => [e.kind, (e.payload as { status?: string }).status]).sort()).toEqual([
      ['FirmwareStatus', 'InvalidSignature'],
      ['LogStatus', 'Uploaded'],
      ['LogStatus', 'Uploading'],
      ['SecurityEvent', undefined],
    ]);
    // The event is dated by the charger, in UTC; the status notices carry no time and are dated on arrival.
    expect(items.find((e) => e.kind === 'SecurityEvent')).toMatchObject({ at: '2026-03-01T07:00:00.000Z', payload: event });
    expect(await h.deps.stores.presence.get(SEC)).toMatchObject({ logStatus: 'Uploaded', firmwareStatus: 'InvalidSignature' });
  });

  it('answers SignCertificate Rejected (no signer is configured) and keeps the CSR for an operator', async () => {
    const reply = await sec('SignCertificate', { csr: CSR });
    expect(reply).toEqual([3, expect.any(String), { status: 'Rejected' }]);
    const { items } = await h.deps.stores.certificateRequests.list(SEC);
    expect(items).toEqual([expect.objectContaining({ chargerId: SEC, protocol: 'ocpp1.6', messageId: reply[1], csr: CSR })]);
    expect(items[0]?.certificateType).toBeUndefined();
    // The CSR sits in the charger's partition (as registered) beside its presence and connectors.
    const stored = (await h.scanCsms()).filter((i) => i.type === 'CertificateRequest');
    expect(stored.map((i) => [i.pk, String(i.sk).startsWith('CSR#2')])).toEqual([[`CHARGER#${SEC}`, true]]);
  });

  it('refuses a CSR over 5500 characters and an unknown log status, and stores nothing for them', async () => {
    const before = await h.scanCsms();
    expect((await sec('SignCertificate', { csr: 'x'.repeat(5501) })).slice(0, 3)).toEqual([4, expect.any(String), 'PropertyConstraintViolation']);
    expect((await sec('LogStatusNotification', { status: 'Lost' })).slice(0, 3)).toEqual([4, expect.any(String), 'PropertyConstraintViolation']);
    expect(await h.scanCsms()).toEqual(before);
  });

  it('answers a CSMS-only security message from the charger with NotSupported', async () => {
    const reply = await sec('GetLog', { logType: 'SecurityLog', requestId: 1, log: { remoteLocation: 'ftp://x/' } });
    expect(reply.slice(0, 3)).toEqual([4, expect.any(String), 'NotSupported']);
  });
});

describe('malformed and invalid 1.6 frames', () => {
  const cases: [string, string, string, string][] = [
    ['not JSON', '{nope', '-1', 'FormationViolation'],
    ['not an array', '{"a":1}', '-1', 'FormationViolation'],
    ['an unknown action', '[2,"u1","FlyToTheMoon",{}]', 'u1', 'NotImplemented'],
    ['a CSMS-only action', '[2,"u2","Reset",{"type":"Hard"}]', 'u2', 'NotSupported'],
    ['a missing required field', '[2,"u3","StartTransaction",{"connectorId":1,"idTag":"T","timestamp":"2026-01-01T00:00:00Z"}]', 'u3', 'OccurenceConstraintViolation'],
    ['a wrong type', '[2,"u4","StatusNotification",{"connectorId":"one","errorCode":"NoError","status":"Available"}]', 'u4', 'TypeConstraintViolation'],
    ['a value out of its enum', '[2,"u5","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Sleeping"}]', 'u5', 'PropertyConstraintViolation'],
    ['a string too long', `[2,"u6","Authorize",{"idTag":"${'x'.repeat(21)}"}]`, 'u6', 'PropertyConstraintViolation'],
  ];

  it.each(cases)('answers %s with the CALLERROR OCPP-J 1.6 names, and writes no state', async (_, raw, messageId, code) => {
    const before = await h.scanCsms();
    const reply = JSON.parse((await h.send(CP, v16, raw)) ?? 'null') as unknown[];
    expect(reply.slice(0, 3)).toEqual([4, messageId, code]);
    expect(typeof reply[3]).toBe('string');
    expect(reply[4]).toEqual({});
    expect(await h.scanCsms()).toEqual(before);
  });

  it('tolerates numbers sent as strings and unknown fields, and stores the corrected values', async () => {
    const reply = await call('StatusNotification', { connectorId: '3', errorCode: 'NoError', status: 'Faulted', vendorField: 1 });
    expect(reply[0]).toBe(3);
    expect((await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === 3)).toMatchObject({ status: 'Faulted', ocppConnectorId: 3 });
  });

  it('never answers a CALLRESULT or a malformed reply', async () => {
    expect(await h.send(CP, v16, '[3,"nobody-asked",{}]')).toBeUndefined();
    expect(await h.send(CP, v16, '[4,"x"]')).toBeUndefined();
  });
});
