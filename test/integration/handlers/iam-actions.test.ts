/**
 * The route table's DynamoDB actions against what the handlers really send. On AWS a missing action is an outage
 * (AccessDenied), while DynamoDB Local checks no IAM: so a recording proxy (test/support/recording-proxy.ts) sits
 * between the handlers and DynamoDB Local and notes every request's action, table and partition keys, per route, over
 * connects, refusals (wrong password, unknown id, rejected charger), auto-registration (by allow-list and by enrolment
 * code), the pending gate, both OCPP versions' messages (transactions, meter values, reports) and disconnects. Every
 * (table, action) a route sent must be in its access and every action it is granted must have been sent, and the
 * authorizer's keys must match its leading-key prefixes. A transaction is recorded as the actions IAM checks for it
 * (each Put a PutItem, ...).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, tableGrants, type RouteDef } from '#functions/routes.ts';
import { createEnrolmentCode } from '#shared/charger/auto-registration.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { commandInFlight } from '../../support/command-replies.ts';
import { lambdaContext, ORIGIN_SECRET, startHarness, type Harness } from '../../support/handler-harness.ts';
import { testDynamoEndpoint } from '../../support/dynamo.ts';
import { grantedActions, sentActions, startRecordingProxy, type RecordingProxy } from '../../support/recording-proxy.ts';

let proxy: RecordingProxy;
let h: Harness;
const as = <T>(route: string, work: () => Promise<T>): Promise<T> => proxy.as(route, work);

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const authorizerEvent = (id: string, auth: string, secret = ORIGIN_SECRET) => ({
  type: 'REQUEST',
  methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/local/$connect',
  headers: { 'X-Ocpp-Authorization': auth, 'X-Origin-Verify': secret, 'Sec-WebSocket-Protocol': 'ocpp1.6', 'CloudFront-Forwarded-Proto': 'https' },
  queryStringParameters: { chargeBoxId: id },
  requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: `c-${id}` },
});
const connectEvent = (id: string, connectionId: string, authorizer: Record<string, string>, auth?: string) => ({
  headers: auth ? { 'X-Ocpp-Authorization': auth, 'Sec-WebSocket-Protocol': 'ocpp1.6' } : {},
  requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId, connectedAt: Date.now(), identity: { sourceIp: '192.0.2.1' }, authorizer },
});
const disconnectEvent = (id: string, connectionId: string) => ({
  requestContext: {
    routeKey: '$disconnect',
    eventType: 'DISCONNECT',
    connectionId,
    disconnectStatusCode: 1000,
    authorizer: { chargeBoxId: id, protocol: 'ocpp1.6', echoProtocol: 'true', register: 'false', principalId: id },
  },
});

beforeAll(async () => {
  proxy = await startRecordingProxy(new URL(testDynamoEndpoint()));
  h = await startHarness({ AUTO_REGISTER: 'true', AUTO_REGISTER_ALLOW: 'SELF-*', AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint });
  const known = await createCharger(h.deps, { chargerId: 'CP-IAM' });
  if (!known.created) throw new Error('setup');
  await createCharger(h.deps, { chargerId: 'CP-IAM2', registrationStatus: 'accepted' });
  const rejected = await createCharger(h.deps, { chargerId: 'CP-REJECTED', registrationStatus: 'rejected' });
  const pending = await createCharger(h.deps, { chargerId: 'CP-PENDING', registrationStatus: 'pending' });
  if (!rejected.created || !pending.created) throw new Error('setup');
  const { code } = await createEnrolmentCode(h.deps, 1);
  await createIdToken(h.deps, { value: 'TAG-IAM', groupId: 'FLEET' });
  await createIdToken(h.deps, { value: 'TAG-BLOCKED', blocked: true });

  type Policy = { context?: Record<string, string> };
  const contexts: Record<string, Record<string, string>> = {};
  await as('OcppAuthorizer', async () => {
    const ok = async (id: string, pass: string, secret?: string) => {
      const policy = (await h.handlers.authorize(authorizerEvent(id, basic(id, pass), secret), lambdaContext('OcppAuthorizer')).catch(() => undefined)) as Policy | undefined;
      if (policy?.context) contexts[id] = policy.context;
    };
    await ok('CP-IAM', known.password);
    await ok('cp-iam', known.password); // ids are case-insensitive
    await ok('CP-IAM', 'a-wrong-password-here');
    await ok('CP-UNKNOWN', 'first-password-12345'); // not on the allow-list, not a code
    await ok('CP-GUESS', 'A'.repeat(32)); // of the generated form: looked up as an enrolment code
    await ok('SELF-1', 'first-password-12345'); // on the allow-list
    await ok('CP-ENROLLED', code); // an enrolment code
    await ok('CP-REJECTED', rejected.password);
    await ok('CP-PENDING', pending.password);
    await ok('CP-IAM', known.password, 'not-the-origin-secret');
  });
  if (contexts['SELF-1']?.register !== 'true' || contexts['CP-ENROLLED']?.enrolment !== 'true' || contexts['CP-REJECTED']) {
    throw new Error(`setup: admission decisions ${JSON.stringify(contexts)}`);
  }
  await as('OcppConnect', async () => {
    const auth = { chargeBoxId: 'CP-IAM', protocol: 'ocpp1.6', echoProtocol: 'true', register: 'false' };
    await h.handlers.connect(connectEvent('CP-IAM', 'c-1', auth), lambdaContext('OcppConnect'));
    await h.handlers.connect(connectEvent('CP-IAM', 'c-2', auth), lambdaContext('OcppConnect')); // replaces c-1
    // Auto-registration by the allow-list and by an enrolment code, with the contexts the authorizer gave.
    await h.handlers.connect(connectEvent('SELF-1', 'c-3', contexts['SELF-1'] ?? {}, basic('SELF-1', 'first-password-12345')), lambdaContext('OcppConnect'));
    await h.handlers.connect(connectEvent('CP-ENROLLED', 'c-5', contexts['CP-ENROLLED'] ?? {}, basic('CP-ENROLLED', code)), lambdaContext('OcppConnect'));
    await h.handlers.connect(connectEvent('CP-PENDING', 'c-6', contexts['CP-PENDING'] ?? {}), lambdaContext('OcppConnect'));
    const v2 = { chargeBoxId: 'CP-IAM2', protocol: 'ocpp2.0.1', echoProtocol: 'true', register: 'false' };
    await h.handlers.connect(connectEvent('CP-IAM2', 'c-4', v2), lambdaContext('OcppConnect'));
  });
  const registered = (await h.scanCsms()).filter((i) => i.sk === 'CHARGER' && (i.chargerId === 'SELF-1' || i.chargerId === 'CP-ENROLLED'));
  if (registered.length !== 2) throw new Error('setup: auto-registration did not create both chargers');
  // A CALL of ours in flight to CP-IAM, and one on the connection that closes last: the reply port and the
  // disconnect each end one.
  const inFlight = (commandId: string, connectionId: string, action = 'Reset', payload: unknown = { type: 'Soft' }) =>
    commandInFlight(h, { chargerId: 'CP-IAM', protocol: 'ocpp1.6', action, payload, commandId, connectionId });
  // Its answer has an effect (shared/command/effects.ts): the settings it tells are kept.
  await inFlight('00000000-0000-4000-8000-000000000001', 'c-2', 'GetConfiguration', {});
  await as('OcppMessage', async () => {
    await h.send('CP-IAM', 'ocpp1.6', JSON.stringify([3, '00000000-0000-4000-8000-000000000001', { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] }]), 'c-2');
    const v16 = (action: string, payload: unknown, id = 'CP-IAM') => h.call(id, 'ocpp1.6', action, payload);
    await v16('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1' });
    await v16('Heartbeat', {});
    await v16('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: '2026-01-01T10:00:00Z' });
    await v16('Authorize', { idTag: 'TAG-IAM' });
    await v16('Authorize', { idTag: 'TAG-BLOCKED' });
    const [, , started] = (await v16('StartTransaction', { connectorId: 1, idTag: 'TAG-IAM', meterStart: 0, timestamp: '2026-01-01T10:01:00Z' })) as [number, string, { transactionId: number }];
    await v16('MeterValues', { connectorId: 1, transactionId: started.transactionId, meterValue: [{ timestamp: '2026-01-01T10:05:00Z', sampledValue: [{ value: '1.5', unit: 'kWh' }, { value: '7200', measurand: 'Power.Active.Import', unit: 'W' }] }] });
    await v16('StopTransaction', { transactionId: started.transactionId, meterStop: 2500, timestamp: '2026-01-01T10:10:00Z', idTag: 'TAG-IAM', transactionData: [{ timestamp: '2026-01-01T10:10:00Z', sampledValue: [{ value: '2500' }] }] });
    await v16('StopTransaction', { transactionId: started.transactionId, meterStop: 2500, timestamp: '2026-01-01T10:10:00Z' }); // retried
    await v16('DataTransfer', { vendorId: 'com.acme', messageId: 'hello' });
    // The security extension: timeline entries, latest statuses, a kept CSR.
    await v16('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: '2026-01-01T10:11:00Z' });
    await v16('LogStatusNotification', { status: 'Uploaded', requestId: 1 });
    // Upload statuses: the file of the request (UpdateItem), the newest diagnostics file (Query of gsi2, UpdateItem).
    await v16('LogStatusNotification', { status: 'Uploading', requestId: 1 });
    await v16('DiagnosticsStatusNotification', { status: 'UploadFailed' });
    await v16('SignedFirmwareStatusNotification', { status: 'SignatureVerified', requestId: 2 });
    await v16('SignCertificate', { csr: 'CSR-IAM' });
    // Pending chargers: Boot passes the gate; anything else is refused from the context, or, on a connection whose
    // context predates the registration in it, after reading the profile.
    await h.call('SELF-1', 'ocpp1.6', 'BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1' }, 'pending');
    await h.call('SELF-1', 'ocpp1.6', 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: '2026-01-01T10:05:00Z', sampledValue: [{ value: '1' }] }] }, 'pending');
    await h.call('CP-PENDING', 'ocpp1.6', 'Authorize', { idTag: 'TAG-IAM' });
    await h.send('CP-IAM', 'ocpp1.6', '[2,"bad"'); // not JSON
    const v2 = (action: string, payload: unknown) => h.call('CP-IAM2', 'ocpp2.0.1', action, payload);
    const meter = (timestamp: string, wh: number) => [{ timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }];
    const tx = (eventType: string, seqNo: number, timestamp: string, extra: Record<string, unknown> = {}) => ({
      eventType,
      seqNo,
      timestamp,
      triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
      transactionInfo: { transactionId: 'TX-IAM', ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}) },
      ...extra,
    });
    await v2('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'W9', vendorName: 'ACME' } });
    await v2('StatusNotification', { timestamp: '2026-02-01T10:00:00Z', connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await v2('Authorize', { idToken: { idToken: 'TAG-IAM', type: 'ISO14443' } });
    await v2('TransactionEvent', tx('Started', 0, '2026-02-01T10:01:00Z', { evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'TAG-IAM', type: 'ISO14443' }, meterValue: meter('2026-02-01T10:01:00Z', 100) }));
    await v2('TransactionEvent', tx('Updated', 1, '2026-02-01T10:30:00Z', { meterValue: meter('2026-02-01T10:30:00Z', 5000) }));
    await v2('MeterValues', { evseId: 1, meterValue: meter('2026-02-01T10:31:00Z', 5100) });
    await v2('TransactionEvent', tx('Ended', 2, '2026-02-01T11:00:00Z', { meterValue: meter('2026-02-01T11:00:00Z', 9000) }));
    const page = (seqNo: number, tbc: boolean) => ({ requestId: 7, generatedAt: '2026-02-01T12:00:00Z', seqNo, tbc, reportData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: `V${seqNo}` }, variableAttribute: [{ value: 'x' }] }] });
    await v2('NotifyReport', page(0, true));
    await v2('NotifyReport', page(1, false));
    await v2('SignCertificate', { csr: 'CSR-IAM2', certificateType: 'ChargingStationCertificate' });
    await v2('Heartbeat', {});
  });
  // Answers whose effects write (shared/command/effects.ts): each command is put in flight outside the recording,
  // then answered through $default.
  const answer = async (chargerId: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', action: string, payload: unknown, result: unknown) => {
    const connectionId = chargerId === 'CP-IAM' ? 'c-2' : 'c-4';
    const commandId = await commandInFlight(h, { chargerId, protocol, action, payload, connectionId });
    await as('OcppMessage', () => h.send(chargerId, protocol, JSON.stringify([3, commandId, result]), connectionId));
  };
  const expiryDate = '2099-01-01T00:00:00Z';
  await answer('CP-IAM', 'ocpp1.6', 'ReserveNow', { connectorId: 1, expiryDate, idTag: 'TAG-IAM', reservationId: 1 }, { status: 'Accepted' });
  await answer('CP-IAM', 'ocpp1.6', 'ReserveNow', { connectorId: 1, expiryDate, idTag: 'TAG-IAM', reservationId: 2 }, { status: 'Occupied' });
  await answer('CP-IAM', 'ocpp1.6', 'CancelReservation', { reservationId: 1 }, { status: 'Accepted' });
  const entries = (...tags: string[]) => tags.map((idTag) => ({ idTag, idTagInfo: { status: 'Accepted' } }));
  await answer('CP-IAM', 'ocpp1.6', 'SendLocalList', { listVersion: 1, updateType: 'Full', localAuthorizationList: entries('A', 'B') }, { status: 'Accepted' });
  await answer('CP-IAM', 'ocpp1.6', 'SendLocalList', { listVersion: 2, updateType: 'Full', localAuthorizationList: entries('A') }, { status: 'Accepted' });
  await answer('CP-IAM', 'ocpp1.6', 'SendLocalList', { listVersion: 3, updateType: 'Differential', localAuthorizationList: [...entries('C'), { idTag: 'A' }] }, { status: 'Accepted' });
  await answer('CP-IAM', 'ocpp1.6', 'GetLocalListVersion', {}, { listVersion: 3 });
  await answer('CP-IAM', 'ocpp1.6', 'RemoteStartTransaction', { connectorId: 2, idTag: 'TAG-IAM' }, { status: 'Accepted' });
  const remote = await as('OcppMessage', () => h.call('CP-IAM', 'ocpp1.6', 'StartTransaction', { connectorId: 2, idTag: 'TAG-IAM', meterStart: 0, timestamp: new Date().toISOString() }));
  await answer('CP-IAM', 'ocpp1.6', 'RemoteStopTransaction', { transactionId: (remote[2] as { transactionId: number }).transactionId }, { status: 'Accepted' });
  await answer('CP-IAM2', 'ocpp2.0.1', 'RequestStartTransaction', { remoteStartId: 5, idToken: { idToken: 'TAG-IAM', type: 'ISO14443' } }, { status: 'Accepted' });
  await as('OcppMessage', () =>
    h.call('CP-IAM2', 'ocpp2.0.1', 'TransactionEvent', {
      eventType: 'Started',
      seqNo: 0,
      timestamp: new Date().toISOString(),
      triggerReason: 'RemoteStart',
      transactionInfo: { transactionId: 'TX-IAM-REMOTE', remoteStartId: 5 },
      idToken: { idToken: 'TAG-IAM', type: 'ISO14443' },
      evse: { id: 2, connectorId: 1 },
    }),
  );
  await answer('CP-IAM2', 'ocpp2.0.1', 'RequestStopTransaction', { transactionId: 'TX-IAM-REMOTE' }, { status: 'Accepted' });
  const effects = (await h.scanCsms()).filter((i) => ['Reservation', 'LocalListVersion', 'LocalListEntry', 'RemoteStart'].includes(String(i.type))).map((i) => i.sk);
  const linked = (await h.scanCsms()).filter((i) => i.stopRequestedByCommand !== undefined && i.startedByCommand !== undefined);
  if (effects.length !== 5 || linked.length !== 2) throw new Error(`setup: the answers' effects wrote ${JSON.stringify(effects)}, linked ${linked.length}`);
  await inFlight('00000000-0000-4000-8000-000000000002', 'c-2');
  await as('OcppDisconnect', async () => {
    await h.handlers.disconnect(disconnectEvent('CP-IAM', 'c-1'), lambdaContext('OcppDisconnect')); // superseded
    await h.handlers.disconnect(disconnectEvent('CP-IAM', 'c-2'), lambdaContext('OcppDisconnect'));
  });
}, 60_000);

afterAll(async () => {
  proxy?.close();
  await h?.close();
});

const logicalName = (physical: string) => Object.entries(h.tables.names).find(([, name]) => name === physical)?.[0] ?? physical;
const table: readonly RouteDef[] = routes;

describe('DynamoDB actions per route, as the handlers send them', () => {
  it('recorded requests from every charger route', () => {
    expect(new Set(proxy.sent.map((s) => s.route))).toEqual(new Set(['OcppAuthorizer', 'OcppConnect', 'OcppMessage', 'OcppDisconnect']));
  });

  it.each(table.map((r) => [r.id, r] as const))('%s sends only actions its access grants, on tables it names', (id, route) => {
    const granted = grantedActions(route);
    const used = sentActions(proxy.sent, id, logicalName);
    expect(used.filter((u) => !granted.includes(u)), `used: ${used.join(', ')}`).toEqual([]);
  });

  const chargerRoutes = table.filter((r) => ['OcppAuthorizer', 'OcppConnect', 'OcppDisconnect', 'OcppMessage'].includes(r.id));
  it.each(chargerRoutes.map((r) => [r.id, r] as const))('%s is granted no action it never sends', (id, route) => {
    const granted = grantedActions(route);
    const used = new Set(sentActions(proxy.sent, id, logicalName));
    expect(granted.filter((g) => !used.has(g))).toEqual([]);
  });

  it('keeps the authorizer inside the partitions its leading-key condition names, and needs each of them', () => {
    const authorizer = table.find((r) => r.id === 'OcppAuthorizer');
    const prefixes = authorizer?.access.tables?.Csms ? tableGrants(authorizer.access.tables.Csms).flatMap((g) => g.partitionKeyPrefixes ?? []) : [];
    const keys = proxy.sent.filter((s) => s.route === 'OcppAuthorizer').flatMap((s) => s.partitionKeys);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !prefixes.some((p) => k.startsWith(p)))).toEqual([]);
    expect(prefixes.filter((p) => !keys.some((k) => k.startsWith(p)))).toEqual([]);
  });

  it('reads profile and credentials in one request, and an enrolment code only for an unknown id', () => {
    const authorizer = proxy.sent.filter((s) => s.route === 'OcppAuthorizer');
    expect(authorizer.filter((s) => s.action === 'BatchGetItem').every((s) => s.partitionKeys.length === 2 && s.partitionKeys.every((k) => k.startsWith('CHARGER#')))).toBe(true);
    expect(authorizer.filter((s) => s.action === 'GetItem').every((s) => s.partitionKeys.every((k) => k.startsWith('ENROLMENT#')))).toBe(true);
  });

  it('ran the effect of the answered command under the message route', async () => {
    expect((await h.deps.stores.configuration.list('CP-IAM')).items).toEqual([expect.objectContaining({ key: 'HeartbeatInterval', value: '300' })]);
  });

  it('never deletes from or updates the append-only message log', () => {
    const onLog = proxy.sent.filter((s) => logicalName(s.table) === 'MessageLog').map((s) => s.action);
    expect(onLog.length).toBeGreaterThan(0);
    expect(onLog.filter((a) => a !== 'PutItem' && a !== 'BatchWriteItem')).toEqual([]);
  });
});
