/**
 * The operators' live-event routes (functions/ws/operators/routes.ts) and the ConnectedChargers sampler: their
 * DynamoDB actions in the route table against what their real handlers send, as iam-actions.test.ts does for the
 * charger routes (the recording proxy is test/support/recording-proxy.ts). An operator signs in to a Cognito stand-in
 * and connects through the real authorizer; connects, subscribes (to one target, to several, refused on a connection
 * never opened), unsubscribes; a stream batch with a change of every live item type is published to three
 * subscribers (one receives, one's posts fail and it is dropped, one is gone); disconnects. Every (table, action) a
 * route sent must be granted to it and every granted one sent, and each request's partition keys must lie inside the
 * leading-key prefixes of a grant of its action (IAM's `ForAllValues` condition: all of one request's keys in one
 * statement), each prefix being needed.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, tableGrants, type RouteDef } from '#functions/routes.ts';
import { operatorLiveRoutes } from '#functions/ws/operators/routes.ts';
import { bearerSubprotocol, LIVE_SUBPROTOCOL } from '#shared/live/live-event.ts';
import { LIVE_EVENT_ITEM_TYPES } from '#shared/store/live-event-images.ts';
import {
  authorizerEvent,
  connectEvent,
  disconnectEvent,
  dynamodbStreamEvent,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  messageEvent,
  scheduledEvent,
  type ApiInfo,
  type ConnectionInfo,
} from '../../../bin/local/events/index.ts';
import { startCognitoStandIn, type CognitoStandIn } from '../../../bin/local/cognito/server.ts';
import { testDynamoEndpoint } from '../../support/dynamo.ts';
import { connectionsEndpoint, lambdaContext, startHarness, type Harness } from '../../support/handler-harness.ts';
import { signIn } from '../../support/operator-tokens.ts';
import { grantedActions, sentActions, startRecordingProxy, type RecordingProxy } from '../../support/recording-proxy.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

let proxy: RecordingProxy;
let h: Harness;
let cognito: CognitoStandIn;
let operatorsApi: Server;
/** What the operators' @connections endpoint was asked: posts per connection, and connections closed. */
const posted: { connectionId: string; body: string }[] = [];
const closed: string[] = [];
const postsTo = (connectionId: string) => posted.filter((p) => p.connectionId === connectionId).length;

/** The subscriber whose posts fail (500): dropped, its connection closed. The gone one (410): only forgotten. */
const RECEIVES = 'op-receives';
const FAILS = 'op-fails';
const GONE = 'op-gone';

const API: ApiInfo = { apiId: 'operators', stage: 'test', domainName: '127.0.0.1', region: LOCAL_REGION, accountId: LOCAL_ACCOUNT };
const connection = (connectionId: string, authorizer?: Record<string, string>): ConnectionInfo => ({
  connectionId,
  connectedAt: Date.now(),
  sourceIp: '192.0.2.1',
  userAgent: 'iam-actions-live',
  ...(authorizer ? { authorizer } : {}),
});
const offering = (protocols: string) => ({ headers: { 'Sec-WebSocket-Protocol': [protocols] }, query: {} });

/** One item of each type the live stream route receives, all of charger CP-LIVE; the profile names its location. */
const ITEMS: Readonly<Record<(typeof LIVE_EVENT_ITEM_TYPES)[number], Record<string, unknown>>> = {
  Presence: { sk: 'PRESENCE', connected: true, connectionId: 'c-live', lastSeenAt: '2026-03-01T10:00:00Z' },
  Connector: { sk: 'CONNECTOR#1#1', evseId: 1, connectorId: 1, status: 'Charging' },
  MeterValue: { sk: 'METER#2026-03-01T10:01:00Z', timestamp: '2026-03-01T10:01:00Z', sampledValue: [{ value: '1' }] },
  Transaction: { sk: 'TX#T-1', transactionId: 'T-1', status: 'active' },
  Command: { sk: 'COMMAND', commandId: 'cmd-1', action: 'Reset', status: 'answered' },
  File: { sk: 'FILE', fileId: 'f-1', status: 'uploaded' },
  Charger: { sk: 'CHARGER', locationId: 'L-1', registrationStatus: 'accepted', lastBootAt: '2026-03-01T09:59:00Z' },
};
const streamRecord = (type: keyof typeof ITEMS, n: number): StreamRecord => ({
  eventID: `e-${n}`,
  eventName: 'INSERT',
  dynamodb: {
    ApproximateCreationDateTime: new Date(),
    Keys: marshall({ pk: 'CHARGER#cp-live', sk: ITEMS[type].sk }),
    NewImage: marshall({ pk: 'CHARGER#cp-live', type, chargerId: 'CP-LIVE', ...ITEMS[type] }),
    SequenceNumber: String(n),
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

beforeAll(async () => {
  proxy = await startRecordingProxy(new URL(testDynamoEndpoint()));
  cognito = await startCognitoStandIn({ port: 0 });
  operatorsApi = await connectionsEndpoint({ deletes: closed, posts: posted, postStatus: (id) => (id === GONE ? 410 : id === FAILS ? 500 : 200) });
  h = await startHarness({
    AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
    OPERATOR_TOKEN_ISSUER: cognito.issuer,
    OPERATORS_WS_MANAGEMENT_ENDPOINT: `http://127.0.0.1:${(operatorsApi.address() as AddressInfo).port}`,
  });
  // After the harness set the environment: each module reads its own at load, as on a cold start.
  const handlerOf = (module: unknown) => (module as { handler: Handler }).handler;
  const authorize = handlerOf(await import('../../../functions/ws/operators/authorize.ts'));
  const connect = handlerOf(await import('../../../functions/ws/operators/connect.ts'));
  const message = handlerOf(await import('../../../functions/ws/operators/message.ts'));
  const disconnect = handlerOf(await import('../../../functions/ws/operators/disconnect.ts'));
  const publish = handlerOf(await import('../../../functions/stream/live-events.ts'));
  const sample = handlerOf(await import('../../../functions/schedule/sample-connected-chargers.ts'));

  const { accessToken } = await signIn({ ...cognito, id: cognito.userPoolId }, 'op-iam', ['viewer']);
  const offered = `${LIVE_SUBPROTOCOL}, ${bearerSubprotocol(accessToken)}`;
  type Policy = { principalId: string; context?: Record<string, string> };
  const policy = await proxy.as('OperatorsAuthorizer', async () => {
    await authorize(authorizerEvent(API, connection('op-refused'), offering(`${LIVE_SUBPROTOCOL}, bearer.not-a-token`)), lambdaContext('OperatorsAuthorizer')).catch(() => undefined);
    return (await authorize(authorizerEvent(API, connection(RECEIVES), offering(offered)), lambdaContext('OperatorsAuthorizer'))) as Policy;
  });
  if (policy.context?.principal !== 'op-iam') throw new Error(`setup: the authorizer answered ${JSON.stringify(policy)}`);
  // API Gateway hands the authorizer's context, with its principalId, to every later event of the connection.
  const authorizer = { ...policy.context, principalId: policy.principalId };

  const ids = [RECEIVES, FAILS, GONE];
  await proxy.as('OperatorsConnect', async () => {
    for (const id of ids) await connect(connectEvent(API, connection(id, authorizer), offering(offered)), lambdaContext('OperatorsConnect'));
  });
  const send = async (connectionId: string, body: unknown) => {
    const reply = (await message(messageEvent(API, connection(connectionId, authorizer), JSON.stringify(body), false), lambdaContext('OperatorsMessage'))) as { body: string };
    return JSON.parse(reply.body) as { type: string };
  };
  const replies = await proxy.as('OperatorsMessage', async () => [
    await send(RECEIVES, { action: 'subscribe', chargers: ['CP-LIVE'] }), // one target: it and its marker, one BatchWriteItem
    await send(RECEIVES, { action: 'subscribe', chargers: ['CP-OTHER'], locations: ['L-2'] }), // several, and the marker that some location is watched
    await send(RECEIVES, { action: 'subscribe', kinds: ['boot'] }), // every charger
    await send(RECEIVES, { action: 'unsubscribe', chargers: ['CP-OTHER'], locations: ['L-2'] }),
    await send(FAILS, { action: 'subscribe', chargers: ['CP-LIVE'], kinds: ['status'] }),
    await send(GONE, { action: 'subscribe', locations: ['L-1'] }),
    await send('op-never-opened', { action: 'subscribe', chargers: ['CP-LIVE'] }), // refused: closed
    await send(RECEIVES, { action: 'publish' }), // refused unread
  ]);
  if (replies.map((r) => r.type).join() !== 'ack,ack,ack,ack,ack,ack,error,error') throw new Error(`setup: subscriptions answered ${JSON.stringify(replies)}`);

  const types = [...LIVE_EVENT_ITEM_TYPES];
  await proxy.as('PublishLiveEvents', () =>
    publish(dynamodbStreamEvent(types.map(streamRecord), `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/Csms/stream/x`), lambdaContext('PublishLiveEvents')),
  );
  const delivered = { receives: postsTo(RECEIVES), fails: postsTo(FAILS), gone: postsTo(GONE), closed };
  if (delivered.receives !== types.length || !delivered.fails || !delivered.gone || closed.join() !== FAILS) {
    throw new Error(`setup: the fan-out did ${JSON.stringify(delivered)}`);
  }
  const open = (await h.scanCsms()).filter((i) => i.type === 'OperatorConnection').map((i) => i.connectionId);
  if (open.join() !== RECEIVES) throw new Error(`setup: connections left ${JSON.stringify(open)}`);

  await proxy.as('OperatorsDisconnect', async () => {
    await disconnect(disconnectEvent(API, connection(RECEIVES, authorizer), 1000, 'bye'), lambdaContext('OperatorsDisconnect')); // holds subscriptions
    await disconnect(disconnectEvent(API, connection(FAILS, authorizer), 1006, 'dropped'), lambdaContext('OperatorsDisconnect')); // already forgotten
  });
  await proxy.as('SampleConnectedChargers', () => sample(scheduledEvent('SampleConnectedChargers', new Date()), lambdaContext('SampleConnectedChargers')));
}, 60_000);

afterAll(async () => {
  proxy?.close();
  operatorsApi?.close();
  await cognito?.stop();
  await h?.close();
});

const logicalName = (physical: string) => Object.entries(h.tables.names).find(([, name]) => name === physical)?.[0] ?? physical;
const byId = (id: string): RouteDef => {
  const route = (routes as readonly RouteDef[]).find((r) => r.id === id);
  if (!route) throw new Error(`no route ${id}`);
  return route;
};
/** The routes run here that touch DynamoDB: the operators' authorizer only verifies a token. */
const STORE_ROUTES = ['OperatorsConnect', 'OperatorsMessage', 'OperatorsDisconnect', 'PublishLiveEvents', 'SampleConnectedChargers'];

describe('DynamoDB actions of the live-event routes, as the handlers send them', () => {
  it('runs every live-event route', () => {
    expect(operatorLiveRoutes.map((r) => r.id).sort()).toEqual(['OperatorsAuthorizer', ...STORE_ROUTES.filter((id) => id !== 'SampleConnectedChargers')].sort());
  });

  it('recorded requests from every route that touches DynamoDB, and none from the authorizer', () => {
    expect(new Set(proxy.sent.map((s) => s.route))).toEqual(new Set(STORE_ROUTES));
    expect(byId('OperatorsAuthorizer').access.tables).toBeUndefined();
  });

  it.each(STORE_ROUTES)('%s sends only actions its access grants, on tables it names', (id) => {
    const used = sentActions(proxy.sent, id, logicalName);
    expect(used.filter((u) => !grantedActions(byId(id)).includes(u)), `used: ${used.join(', ')}`).toEqual([]);
  });

  it.each(STORE_ROUTES)('%s is granted no action it never sends', (id) => {
    const used = sentActions(proxy.sent, id, logicalName);
    expect(grantedActions(byId(id)).filter((g) => !used.includes(g))).toEqual([]);
  });

  it.each(STORE_ROUTES)('%s keeps each request inside the leading-key prefixes of one grant of its action', (id) => {
    const grants = byId(id).access.tables ?? {};
    const outside = proxy.sent
      .filter((s) => s.route === id)
      .filter((s) => {
        const ofAction = tableGrants(grants[logicalName(s.table) as keyof typeof grants] ?? []).filter((g) => g.actions.some((a) => a === s.action));
        return !ofAction.some((g) => !g.partitionKeyPrefixes || s.partitionKeys.every((k) => g.partitionKeyPrefixes?.some((p) => k.startsWith(p))));
      });
    expect(outside).toEqual([]);
  });

  it.each(STORE_ROUTES)('%s needs every leading-key prefix of every grant', (id) => {
    const sent = proxy.sent.filter((s) => s.route === id);
    const unneeded = Object.entries(byId(id).access.tables ?? {}).flatMap(([name, grant]) =>
      tableGrants(grant).flatMap((g) =>
        (g.partitionKeyPrefixes ?? [])
          .filter((p) => !sent.some((s) => logicalName(s.table) === name && g.actions.some((a) => a === s.action) && s.partitionKeys.some((k) => k.startsWith(p))))
          .map((p) => `${name} ${g.actions.join('/')} ${p}`),
      ),
    );
    expect(unneeded).toEqual([]);
  });
});
