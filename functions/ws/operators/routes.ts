/**
 * Live events for operators (docs/live-events.md): the `operators` WebSocket API, on which operators subscribe and
 * receive, and the stream route that turns the Csms table's changes into events and posts them there.
 */
import { CHARGER_PK_PREFIX, LIVE_SUBSCRIPTION_PK_PREFIX, OPERATOR_CONNECTION_PK_PREFIX } from '#shared/store/keys.ts';
import { LIVE_EVENT_ITEM_TYPES } from '#shared/store/live-event-images.ts';
import type { RouteDef } from '../../routes.ts';

// Connection items and subscriptions only: nothing else of the table is theirs to touch.
const LIVE_PARTITIONS = [OPERATOR_CONNECTION_PK_PREFIX, LIVE_SUBSCRIPTION_PK_PREFIX];

export const operatorLiveRoutes = [
  {
    kind: 'ws-authorizer',
    api: 'operators',
    id: 'OperatorsAuthorizer',
    entry: 'ws/operators/authorize.ts',
    // The access token rides in the offered subprotocols (`bearer.<token>`): without the header API Gateway answers
    // 401 itself and the authorizer never runs.
    identitySource: ['route.request.header.Sec-WebSocket-Protocol'],
    // Outsiders can call it: the cap keeps a flood of upgrades from taking the account's concurrency.
    reservedConcurrency: 10,
    access: { operatorTokens: true },
  },
  // Records the connection: one PutItem of its connection item (it writes no subscription).
  {
    kind: 'ws',
    api: 'operators',
    id: 'OperatorsConnect',
    routeKey: '$connect',
    entry: 'ws/operators/connect.ts',
    access: { tables: { Csms: { actions: ['PutItem'], partitionKeyPrefixes: [OPERATOR_CONNECTION_PK_PREFIX] } } },
  },
  // Deletes the connection item (its old image lists the subscriptions) and its subscriptions (BatchWriteItem).
  {
    kind: 'ws',
    api: 'operators',
    id: 'OperatorsDisconnect',
    routeKey: '$disconnect',
    entry: 'ws/operators/disconnect.ts',
    access: { tables: { Csms: { actions: ['DeleteItem', 'BatchWriteItem'], partitionKeyPrefixes: LIVE_PARTITIONS } } },
  },
  // subscribe / unsubscribe: an UpdateItem of the connection item (a BatchGetItem of it when that refuses), the
  // subscriptions' and their targets' markers' puts (BatchWriteItem) or the subscriptions' deletes (BatchWriteItem).
  // Answers as the route response: no @connections access.
  {
    kind: 'ws',
    api: 'operators',
    id: 'OperatorsMessage',
    routeKey: '$default',
    entry: 'ws/operators/message.ts',
    returnResponse: true,
    access: { tables: { Csms: { actions: ['UpdateItem', 'BatchGetItem', 'BatchWriteItem'], partitionKeyPrefixes: LIVE_PARTITIONS } } },
  },
  {
    // Changes that are live events, by item type (shared/store/live-event-images.ts). Reads the batch's targets'
    // markers (one BatchGetItem), and only when one is watched the chargers' locations (BatchGetItem of profiles) and
    // the watched targets' subscribers (a Query each), posts to the operators' API, closes
    // the connection of a subscriber whose post failed (DeleteConnection) and forgets a gone or dropped connection
    // (DeleteItem, BatchWriteItem).
    kind: 'stream',
    id: 'PublishLiveEvents',
    table: 'Csms',
    types: LIVE_EVENT_ITEM_TYPES,
    batchSize: 100,
    timeoutSeconds: 30,
    onFailure: 'ChangeFeedFailures',
    entry: 'stream/live-events.ts',
    access: {
      tables: {
        Csms: [
          { actions: ['Query', 'DeleteItem', 'BatchWriteItem'], partitionKeyPrefixes: LIVE_PARTITIONS },
          { actions: ['BatchGetItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, LIVE_SUBSCRIPTION_PK_PREFIX] },
        ],
      },
      manageConnections: { api: 'operators', calls: ['PostToConnection', 'DeleteConnection'] },
    },
  },
] as const satisfies readonly RouteDef[];
