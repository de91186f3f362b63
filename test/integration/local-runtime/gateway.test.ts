/**
 * The local CloudFront + API Gateway stand-in, driven by a real WebSocket client and the real management SDK
 * client, hosting fixture handlers on the platform's route table.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { LocalRuntime } from '../../../bin/local/runtime.ts';
import { createTestTables, deleteTestTables } from '../../support/dynamo.ts';
import type { TestTables } from '../../support/dynamo.ts';
import { closed, nextMessage, openSocket, refusal } from '../../support/ws-client.ts';
import { startFixtureRuntime } from './fixtures/host.ts';
import { invocationsFor, waitForInvocation } from './fixtures/recorder.ts';

const GOOD = { basic: 'any:secret', protocols: ['ocpp1.6'] };

let runtime: LocalRuntime;
let db: TestTables;
let mgmt: ApiGatewayManagementApiClient;
let seq = 0;

const managementClient = (endpoint: string) =>
  new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
/** A charger id of its own for every test, so recorded invocations never mix. */
const charger = () => `CP-${++seq}`;

beforeAll(async () => {
  db = await createTestTables();
  runtime = await startFixtureRuntime(db);
  mgmt = managementClient(runtime.managementEndpoint);
});

afterAll(async () => {
  mgmt?.destroy();
  await runtime?.stop();
  if (db) await deleteTestTables(db);
});

describe('upgrade through the CloudFront function and the authorizer', () => {
  it('rewrites /ocpp/<id> to the stage and hands the authorizer chargeBoxId, credentials and the origin secret', async () => {
    const id = charger();
    const ws = await openSocket(runtime.chargerUrl(id), { basic: 'any:secret', protocols: ['ocpp1.6', 'ocpp2.0.1'] });
    ws.close();
    const { event } = await waitForInvocation('authorizer', id);
    expect(event.type).toBe('REQUEST');
    expect(event.methodArn).toMatch(/\/local\/\$connect$/);
    expect(event.queryStringParameters).toEqual({ chargeBoxId: id });
    expect(event.headers['X-Origin-Verify']).toBe(runtime.secrets.originVerify);
    expect(event.headers['X-Ocpp-Authorization']).toBe(`Basic ${Buffer.from('any:secret').toString('base64')}`);
    expect(event.headers['Sec-WebSocket-Protocol']).toBe('ocpp1.6,ocpp2.0.1');
    expect(event.headers.Authorization).toBeUndefined(); // CloudFront does not forward it
    expect(event.requestContext).toMatchObject({ routeKey: '$connect', eventType: 'CONNECT', stage: 'local' });
  });

  it('answers paths outside /ocpp with the CloudFront function response', async () => {
    expect((await refusal(runtime.wsUrl.replace('/ocpp', '/elsewhere/CP-1'), GOOD)).status).toBe(404);
  });

  it('refuses with 401 without invoking the authorizer when an identity source is missing', async () => {
    const id = charger();
    expect((await refusal(runtime.chargerUrl(id), { protocols: ['ocpp1.6'] })).status).toBe(401);
    expect(invocationsFor('authorizer', id)).toHaveLength(0);
  });

  it.each([
    ['any:wrong', 401, 'Unauthorized'],
    ['any:deny', 403, 'Forbidden'],
    ['any:crash', 500, 'Internal server error'],
  ])('refuses credentials %s with %i as API Gateway does', async (basic, status, message) => {
    const id = charger();
    const refused = await refusal(runtime.chargerUrl(id), { basic, protocols: ['ocpp1.6'] });
    expect(refused).toEqual({ status, body: JSON.stringify({ message }) });
    expect(invocationsFor('authorizer', id)).toHaveLength(1);
    expect(invocationsFor('$connect', id)).toHaveLength(0);
  });

  it('refuses the upgrade with the status $connect returns', async () => {
    expect((await refusal(runtime.chargerUrl('REFUSED'), GOOD)).status).toBe(409);
  });

  it('opens with the subprotocol $connect returned, not the first one offered', async () => {
    const ws = await openSocket(runtime.chargerUrl(charger()), { basic: 'any:secret', protocols: ['ocpp1.6', 'ocpp2.0.1'] });
    expect(ws.protocol).toBe('ocpp2.0.1');
    ws.close();
  });

  it('opens without a subprotocol when $connect returns none', async () => {
    const ws = await openSocket(runtime.chargerUrl(charger()), { basic: 'any:secret' });
    expect(ws.protocol).toBe('');
    ws.close();
  });

  it('hands the authorizer context, as strings, to $connect, $default and $disconnect', async () => {
    const id = charger();
    const ws = await openSocket(runtime.chargerUrl(id), GOOD);
    const reply = nextMessage(ws);
    ws.send('{"action":"echo"}');
    const echoed = JSON.parse(await reply);
    ws.close();
    const expected = { chargeBoxId: id, originVerified: 'true', tier: '2', principalId: id };
    expect(echoed.authorizer).toMatchObject(expected);
    expect((await waitForInvocation('$connect', id)).event.requestContext.authorizer).toMatchObject(expected);
    expect((await waitForInvocation('$disconnect', id)).event.requestContext.authorizer).toMatchObject(expected);
  });
});

describe('frames', () => {
  it('sends the $default result body back as the route response', async () => {
    const ws = await openSocket(runtime.chargerUrl(charger()), GOOD);
    const reply = nextMessage(ws);
    ws.send('[2,"1","Heartbeat",{}]');
    expect(JSON.parse(await reply)).toMatchObject({
      body: '[2,"1","Heartbeat",{}]',
      isBase64Encoded: false,
      routeKey: '$default',
      eventType: 'MESSAGE',
    });
    ws.close();
  });

  it('delivers binary frames base64-encoded', async () => {
    const ws = await openSocket(runtime.chargerUrl(charger()), GOOD);
    const reply = nextMessage(ws);
    ws.send(Buffer.from([0, 1, 2, 255]));
    expect(JSON.parse(await reply)).toMatchObject({ body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true });
    ws.close();
  });

  it('answers a failing $default with an Internal server error message and keeps the socket open', async () => {
    const ws = await openSocket(runtime.chargerUrl(charger()), GOOD);
    const failure = nextMessage(ws);
    ws.send('{"action":"throw"}');
    expect(JSON.parse(await failure)).toMatchObject({ message: 'Internal server error', connectionId: expect.any(String) });
    const reply = nextMessage(ws);
    ws.send('{"action":"size"}');
    expect(JSON.parse(await reply)).toEqual({ bytes: 17 });
    ws.close();
  });

  const pad = (n: number) => {
    const [head, tail] = ['{"action":"size","pad":"', '"}'];
    return `${head}${'x'.repeat(n - head.length - tail.length)}${tail}`;
  };
  /** Sends `text` as fragments of at most `fragment` bytes: one message, several frames. */
  const sendFragmented = (ws: WebSocket, text: string, fragment: number) => {
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += fragment) {
      ws.send(bytes.subarray(at, at + fragment), { fin: at + fragment >= bytes.length, binary: false });
    }
  };

  it('delivers a single 32 KB frame and closes the connection with 1009 on a larger single frame, as API Gateway does', async () => {
    const id = charger();
    const ws = await openSocket(runtime.chargerUrl(id), GOOD);
    const reply = nextMessage(ws);
    ws.send(pad(32 * 1024));
    expect(JSON.parse(await reply)).toEqual({ bytes: 32 * 1024 });
    const gone = closed(ws);
    ws.send(pad(32 * 1024 + 1));
    expect((await gone).code).toBe(1009);
    expect((await waitForInvocation('$disconnect', id)).event.requestContext.disconnectStatusCode).toBe(1009);
    expect(invocationsFor('$default', id)).toHaveLength(1);
  });

  it('delivers a 128 KB message sent in 32 KB fragments and closes with 1009 on a larger fragmented one', async () => {
    const id = charger();
    const ws = await openSocket(runtime.chargerUrl(id), GOOD);
    const max = 128 * 1024;
    const reply = nextMessage(ws);
    sendFragmented(ws, pad(max), 32 * 1024);
    expect(JSON.parse(await reply)).toEqual({ bytes: max });
    const gone = closed(ws);
    sendFragmented(ws, pad(max + 1), 32 * 1024);
    expect((await gone).code).toBe(1009);
    expect((await waitForInvocation('$disconnect', id)).event.requestContext.disconnectStatusCode).toBe(1009);
  });
});

describe('the @connections management API', () => {
  const connectionIdOf = async (id: string) => (await waitForInvocation('$connect', id)).event.requestContext.connectionId as string;

  it('PostToConnection from the real SDK client reaches the socket, from a test and from a handler', async () => {
    const id = charger();
    const ws = await openSocket(runtime.chargerUrl(id), GOOD);
    const connectionId = await connectionIdOf(id);
    const fromTest = nextMessage(ws);
    await mgmt.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '[2,"a","Reset",{}]' }));
    expect(await fromTest).toBe('[2,"a","Reset",{}]');
    const fromHandler = nextMessage(ws);
    ws.send('{"action":"post","data":"pushed"}');
    expect(await fromHandler).toBe('pushed');
    ws.close();
  });

  it('accepts the stage-prefixed endpoint, as AWS shows it (https://<api>/<stage>)', async () => {
    const id = charger();
    const ws = await openSocket(runtime.chargerUrl(id), GOOD);
    const staged = managementClient(`${runtime.managementEndpoint}/local`);
    const received = nextMessage(ws);
    await staged.send(new PostToConnectionCommand({ ConnectionId: await connectionIdOf(id), Data: 'via stage' }));
    expect(await received).toBe('via stage');
    staged.destroy();
    ws.close();
  });

  it('refuses PostToConnection data over 128 KB with PayloadTooLargeException', async () => {
    const id = charger();
    const ws = await openSocket(runtime.chargerUrl(id), GOOD);
    const post = mgmt.send(new PostToConnectionCommand({ ConnectionId: await connectionIdOf(id), Data: 'x'.repeat(128 * 1024 + 1) }));
    await expect(post).rejects.toBeInstanceOf(PayloadTooLargeException);
    ws.close();
  });

  it('GetConnection describes a live connection', async () => {
    const id = charger();
    const ws = await openSocket(runtime.chargerUrl(id), GOOD);
    const described = await mgmt.send(new GetConnectionCommand({ ConnectionId: await connectionIdOf(id) }));
    expect(described.ConnectedAt).toBeInstanceOf(Date);
    expect(described.LastActiveAt).toBeInstanceOf(Date);
    expect(described.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'Amazon CloudFront' });
    ws.close();
  });

  it('raises GoneException for a connection that has closed', async () => {
    const id = charger();
    const ws = await openSocket(runtime.chargerUrl(id), GOOD);
    const connectionId = await connectionIdOf(id);
    ws.close();
    await waitForInvocation('$disconnect', id);
    const post = mgmt.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'late' }));
    await expect(post).rejects.toBeInstanceOf(GoneException);
    await expect(mgmt.send(new DeleteConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(GoneException);
  });

  it('DeleteConnection closes the socket with 1000 and runs $disconnect with the authorizer context', async () => {
    const id = charger();
    const ws = await openSocket(runtime.chargerUrl(id), GOOD);
    const gone = closed(ws);
    await mgmt.send(new DeleteConnectionCommand({ ConnectionId: await connectionIdOf(id) }));
    expect((await gone).code).toBe(1000);
    const { event } = await waitForInvocation('$disconnect', id);
    expect(event.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 1000,
      authorizer: { chargeBoxId: id, principalId: id },
    });
  });
});
