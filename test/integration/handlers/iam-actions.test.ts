/**
 * The route table's DynamoDB actions against what the handlers really send. On AWS a missing action is an outage
 * (AccessDenied), while DynamoDB Local checks no IAM: so a recording proxy sits between the handlers and DynamoDB
 * Local and notes every request's action, table and partition keys, per route, over connects, refusals,
 * auto-registration, both OCPP versions' messages (transactions, meter values, reports) and disconnects. Every
 * (table, action) a route sent must be in its access, and the authorizer's keys must match its leading-key prefix.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteDef } from '#functions/routes.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { lambdaContext, ORIGIN_SECRET, startHarness, type Harness } from '../../support/handler-harness.ts';
import { testDynamoEndpoint } from '../../support/dynamo.ts';

interface Sent {
  readonly route: string;
  readonly action: string;
  readonly table: string;
  readonly partitionKeys: readonly string[];
}

const sent: Sent[] = [];
let phase: string | undefined;
let proxy: Server;
let h: Harness;

type AttributeMap = Record<string, { S?: string }>;
const pkOf = (key: AttributeMap | undefined) => key?.pk?.S ?? '';

/** Tables and partition keys one DynamoDB request names, by its JSON body. */
const touched = (body: Record<string, unknown>): { table: string; partitionKeys: string[] }[] => {
  if (typeof body.TableName === 'string') {
    const key = (body.Key ?? body.Item) as AttributeMap | undefined;
    const values = body.ExpressionAttributeValues as AttributeMap | undefined;
    return [{ table: body.TableName, partitionKeys: [key ? pkOf(key) : (values?.[':pk']?.S ?? '')] }];
  }
  const items = (body.RequestItems ?? {}) as Record<string, { Keys?: AttributeMap[] } | { PutRequest?: { Item: AttributeMap } }[]>;
  return Object.entries(items).map(([table, request]) => ({
    table,
    partitionKeys: Array.isArray(request) ? request.map((r) => pkOf(r.PutRequest?.Item)) : (request.Keys ?? []).map(pkOf),
  }));
};

const startRecordingProxy = async (target: URL): Promise<Server> => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      if (phase) for (const t of touched(JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>)) sent.push({ route: phase, action, ...t });
      const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      upstream.end(raw);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
};

const as = async <T>(route: string, work: () => Promise<T>): Promise<T> => {
  phase = route;
  try {
    return await work();
  } finally {
    phase = undefined;
  }
};

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const authorizerEvent = (id: string, auth: string, secret = ORIGIN_SECRET) => ({
  type: 'REQUEST',
  methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/local/$connect',
  headers: { 'X-Ocpp-Authorization': auth, 'X-Origin-Verify': secret, 'Sec-WebSocket-Protocol': 'ocpp1.6' },
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
  h = await startHarness({ AUTO_REGISTER: 'true', AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
  const known = await createCharger(h.deps, { chargerId: 'CP-IAM' });
  if (!known.created) throw new Error('setup');
  await createCharger(h.deps, { chargerId: 'CP-IAM2', registrationStatus: 'accepted' });
  await createIdToken(h.deps, { value: 'TAG-IAM', groupId: 'FLEET' });
  await createIdToken(h.deps, { value: 'TAG-BLOCKED', blocked: true });

  await as('OcppAuthorizer', async () => {
    const ok = (id: string, pass: string, secret?: string) => h.handlers.authorize(authorizerEvent(id, basic(id, pass), secret), lambdaContext('OcppAuthorizer')).catch(() => undefined);
    await ok('CP-IAM', known.password);
    await ok('CP-IAM', 'a-wrong-password-here');
    await ok('CP-UNKNOWN', 'first-password-12345');
    await ok('CP-IAM', known.password, 'not-the-origin-secret');
  });
  await as('OcppConnect', async () => {
    const auth = { chargeBoxId: 'CP-IAM', protocol: 'ocpp1.6', echoProtocol: 'true', register: 'false' };
    await h.handlers.connect(connectEvent('CP-IAM', 'c-1', auth), lambdaContext('OcppConnect'));
    await h.handlers.connect(connectEvent('CP-IAM', 'c-2', auth), lambdaContext('OcppConnect')); // replaces c-1
    const register = { chargeBoxId: 'CP-SELF', protocol: 'ocpp1.6', echoProtocol: 'true', register: 'true' };
    await h.handlers.connect(connectEvent('CP-SELF', 'c-3', register, basic('CP-SELF', 'first-password-12345')), lambdaContext('OcppConnect'));
    const v2 = { chargeBoxId: 'CP-IAM2', protocol: 'ocpp2.0.1', echoProtocol: 'true', register: 'false' };
    await h.handlers.connect(connectEvent('CP-IAM2', 'c-4', v2), lambdaContext('OcppConnect'));
  });
  await as('OcppMessage', async () => {
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
    await v16('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'X1' }, 'CP-SELF'); // pending
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
    await v2('Heartbeat', {});
  });
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
    expect(new Set(sent.map((s) => s.route))).toEqual(new Set(['OcppAuthorizer', 'OcppConnect', 'OcppMessage', 'OcppDisconnect']));
  });

  it.each(table.map((r) => [r.id, r] as const))('%s sends only actions its access grants, on tables it names', (id, route) => {
    const granted = Object.entries(route.access.tables ?? {}).flatMap(([name, grant]) => grant.actions.map((a) => `${name} ${a}`));
    const used = [...new Set(sent.filter((s) => s.route === id).map((s) => `${logicalName(s.table)} ${s.action}`))].sort();
    expect(used.filter((u) => !granted.includes(u)), `used: ${used.join(', ')}`).toEqual([]);
  });

  it('keeps the authorizer inside the partitions its leading-key condition names', () => {
    const authorizer = table.find((r) => r.id === 'OcppAuthorizer');
    const prefixes = authorizer?.access.tables?.Csms?.partitionKeyPrefixes ?? [];
    const keys = sent.filter((s) => s.route === 'OcppAuthorizer').flatMap((s) => s.partitionKeys);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !prefixes.some((p) => k.startsWith(p)))).toEqual([]);
  });

  it('never deletes from or updates the append-only message log', () => {
    const onLog = sent.filter((s) => logicalName(s.table) === 'MessageLog').map((s) => s.action);
    expect(onLog.length).toBeGreaterThan(0);
    expect(onLog.filter((a) => a !== 'PutItem' && a !== 'BatchWriteItem')).toEqual([]);
  });
});
