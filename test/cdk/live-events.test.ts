/**
 * The operators' live events in the synthesized stack (docs/live-events.md): the `operators` WebSocket API with its
 * routes and token authorizer, the stream route's event source filtered to the event item types, and grants that
 * let only the fan-out post, only to the operators' API, and touch only live-event items.
 */
import { describe, expect, it } from 'vitest';
import { isWsRoute, routes as routeTable, type RouteDef, type StreamRoute } from '../../functions/routes.ts';
import { operatorLiveRoutes } from '../../functions/ws/operators/routes.ts';
import { LIVE_SUBSCRIPTION_PK_PREFIX, OPERATOR_CONNECTION_PK_PREFIX } from '../../shared/store/keys.ts';
import { LIVE_EVENT_ITEM_TYPES } from '../../shared/store/live-event-images.ts';
import { actionsOf, functionIdForRoute, type Resource, type Resources, statementsOf, synthStack } from './support.ts';

const { template: t } = synthStack();
const routes: readonly RouteDef[] = routeTable;

const apiIds = () => Object.keys(t.findResources('AWS::ApiGatewayV2::Api'));
const operatorsApiId = () => {
  const id = apiIds().find((k) => k.startsWith('OperatorsGateway'));
  if (!id) throw new Error(`no operators API among ${apiIds().join(', ')}`);
  return id;
};
const chargersApiId = () => apiIds().find((k) => k.startsWith('Gateway')) as string;
const ofApi = (type: string, apiId: string) =>
  Object.values(t.findResources(type) as Resources).filter((r) => JSON.stringify(r.Properties.ApiId) === JSON.stringify({ Ref: apiId }));
const manageConnections = (routeId: string) =>
  statementsOf(t, functionIdForRoute(t, routeId)).filter((s) => actionsOf(s).includes('execute-api:ManageConnections'));

describe('the operators WebSocket API', () => {
  it('has $connect, $disconnect and $default, and only those', () => {
    const keys = ofApi('AWS::ApiGatewayV2::Route', operatorsApiId()).map((r) => r.Properties.RouteKey);
    expect(keys.sort()).toEqual(['$connect', '$default', '$disconnect']);
    expect((operatorLiveRoutes as readonly RouteDef[]).filter(isWsRoute).every((r) => r.api === 'operators')).toBe(true);
  });

  it('guards $connect with a REQUEST authorizer that needs the offered subprotocols', () => {
    const [authorizer] = ofApi('AWS::ApiGatewayV2::Authorizer', operatorsApiId());
    expect(authorizer?.Properties).toMatchObject({ AuthorizerType: 'REQUEST', IdentitySource: ['route.request.header.Sec-WebSocket-Protocol'] });
    expect(JSON.stringify(authorizer?.Properties.AuthorizerUri)).toContain(functionIdForRoute(t, 'OperatorsAuthorizer'));
    const routesByKey = Object.fromEntries(ofApi('AWS::ApiGatewayV2::Route', operatorsApiId()).map((r) => [r.Properties.RouteKey, r.Properties]));
    expect(routesByKey.$connect).toMatchObject({ AuthorizationType: 'CUSTOM' });
    expect(routesByKey.$default).toMatchObject({ RouteResponseSelectionExpression: '$default' });
  });

  it('gives the authorizer the user pool’s issuer and no grant beyond its logs', () => {
    const fn = t.findResources('AWS::Lambda::Function')[functionIdForRoute(t, 'OperatorsAuthorizer')] as Resource;
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(variables.OPERATOR_TOKEN_ISSUER)).toContain('https://cognito-idp.');
    expect(JSON.stringify(variables.OPERATOR_TOKEN_ISSUER)).toMatch(/UserPool/);
    const actions = statementsOf(t, functionIdForRoute(t, 'OperatorsAuthorizer')).flatMap(actionsOf);
    expect(actions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([]);
  });
});

describe('the live-event stream route', () => {
  it('reads the Csms stream, filtered to the item types that make events', () => {
    const fnId = functionIdForRoute(t, 'PublishLiveEvents');
    const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping') as Resources).filter((m) =>
      JSON.stringify(m.Properties.FunctionName).includes(`"${fnId}"`),
    );
    expect(mappings).toHaveLength(1);
    const pattern = JSON.parse((mappings[0]!.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]!.Pattern) as unknown;
    expect(pattern).toEqual({ dynamodb: { NewImage: { type: { S: [...LIVE_EVENT_ITEM_TYPES] } } } });
    expect(JSON.stringify(mappings[0]!.Properties.EventSourceArn)).toContain('StreamArn');
    const route = routes.find((r) => r.id === 'PublishLiveEvents') as StreamRoute;
    expect([...route.types].sort()).toEqual(['Charger', 'Command', 'Connector', 'File', 'MeterValue', 'Presence', 'Transaction']);
  });

  it('lets only the fan-out post on and close @connections of the operators API, by POST and DELETE only', () => {
    const statements = manageConnections('PublishLiveEvents');
    expect(statements).toHaveLength(1);
    const resource = JSON.stringify(statements[0]!.Resource);
    expect(resource).toContain(`"${operatorsApiId()}"`);
    expect(resource).not.toContain(`"${chargersApiId()}"`);
    // POST posts an event; DELETE closes the connection of a subscriber the fan-out drops.
    expect(resource).toContain('/dev/POST/@connections/*');
    expect(resource).toContain('/dev/DELETE/@connections/*');
    expect(resource).not.toMatch(/\/GET\//);
    for (const id of ['OperatorsAuthorizer', 'OperatorsConnect', 'OperatorsDisconnect', 'OperatorsMessage']) expect(manageConnections(id), id).toEqual([]);
    // No charger-side function may post to operators.
    for (const route of routes.filter((r) => r.access.manageConnections?.api === 'chargers')) {
      expect(JSON.stringify(manageConnections(route.id).map((s) => s.Resource)), route.id).not.toContain(`"${operatorsApiId()}"`);
    }
  });

  it('keeps the operators’ functions to live-event items, and the fan-out’s reads of chargers to their profiles and markers', () => {
    const dynamo = (routeId: string) => statementsOf(t, functionIdForRoute(t, routeId)).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    for (const id of ['OperatorsDisconnect', 'OperatorsMessage']) {
      for (const s of dynamo(id)) {
        expect(s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'], id).toEqual([`${OPERATOR_CONNECTION_PK_PREFIX}*`, `${LIVE_SUBSCRIPTION_PK_PREFIX}*`]);
      }
    }
    // $connect writes its connection item only, never a subscription.
    const connect = dynamo('OperatorsConnect');
    expect(connect.map((s) => s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'])).toEqual([[`${OPERATOR_CONNECTION_PK_PREFIX}*`]]);
    const fanOut = dynamo('PublishLiveEvents');
    // Profiles and the targets' markers, read whole batches at a time; nothing else of a charger's partition.
    const chargerReads = fanOut.filter((s) => JSON.stringify(s.Condition ?? {}).includes('CHARGER#'));
    expect(chargerReads.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:BatchGetItem']);
    expect(chargerReads.map((s) => s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'])).toEqual([['CHARGER#*', `${LIVE_SUBSCRIPTION_PK_PREFIX}*`]]);
    expect(fanOut.flatMap(actionsOf)).not.toContain('dynamodb:Scan');
  });
});
