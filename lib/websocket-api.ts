/**
 * One API Gateway WebSocket API of the route table (`chargers`, `operators`): the API, its stage with access logs and
 * route throttling, a route per `ws` route of that API, and the `ws-authorizer` route as the `$connect` REQUEST authorizer.
 * The functions are built by RouteFunction; this construct only routes to them.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ConnectionsCall, WebSocketApiName, WsAuthorizerRoute, WsRoute } from '#functions/routes.ts';
import { nagReference } from './nag-reference.ts';
import type { RouteThrottle, StageConfig } from './stage-config.ts';

export interface WebSocketGatewayProps {
  readonly api: WebSocketApiName;
  readonly config: StageConfig;
  /** @default `<api> WebSocket API (<stage>)` */
  readonly description?: string;
  /** Stage throttling per route key: `$connect` (the authorizer's route), `$default` (clients' messages). @default the account's limits only */
  readonly throttles?: RouteThrottles;
}

/** Stage throttling of a WebSocket API's routes, by route key. */
export type RouteThrottles = Readonly<Partial<Record<WsRoute['routeKey'], RouteThrottle>>>;

/** The HTTP method of each @connections call: IAM names it in the execute-api resource. */
export const CONNECTIONS_METHOD: Readonly<Record<ConnectionsCall, string>> = {
  PostToConnection: 'POST',
  DeleteConnection: 'DELETE',
  GetConnection: 'GET',
};

// One JSON line per connect/message/disconnect; frames themselves are logged by the handlers (1 KB truncation here).
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    requestTimeEpoch: '$context.requestTimeEpoch',
    eventType: AccessLogField.contextEventType(),
    routeKey: AccessLogField.contextRouteKey(),
    connectionId: AccessLogField.contextConnectionId(),
    status: AccessLogField.contextStatus(),
    sourceIp: AccessLogField.contextIdentitySourceIp(),
    authorizeError: '$context.authorize.error',
    authorizerError: '$context.authorizer.error',
    integrationError: '$context.integration.error',
    integrationStatus: '$context.integration.status',
    error: '$context.error.message',
  }),
);

export class WebSocketGateway extends Construct {
  readonly apiName: WebSocketApiName;
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  private readonly throttles: RouteThrottles;

  constructor(scope: Construct, id: string, props: WebSocketGatewayProps) {
    super(scope, id);
    const { config } = props;
    this.apiName = props.api;
    this.throttles = props.throttles ?? {};
    this.api = new WebSocketApi(this, 'Api', { description: props.description ?? `${props.api} WebSocket API (${config.stageName})` });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: config.stageName,
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', { retention: config.logRetention, removalPolicy: config.removalPolicy }),
        ),
        format: ACCESS_LOG_FORMAT,
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'WebSocket APIs accept authorizers only on $connect; $default/$disconnect run on authorized connections.',
    });
  }

  /** Routes each `ws` route of this API to its function; the `ws-authorizer` route, if any, guards `$connect`. */
  addRoutes(
    routes: readonly WsRoute[],
    authorizerRoute: WsAuthorizerRoute | undefined,
    functionOf: (routeId: string) => IFunction,
  ): void {
    const authorizer =
      authorizerRoute &&
      new WebSocketLambdaAuthorizer(authorizerRoute.id, functionOf(authorizerRoute.id), {
        identitySource: [...authorizerRoute.identitySource],
      });
    for (const route of routes) {
      const added = this.api.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(route.id, functionOf(route.id)),
        ...(route.routeKey === '$connect' && authorizer ? { authorizer } : {}),
        ...(route.returnResponse ? { returnResponse: true } : {}),
      });
      const limits = this.throttles[route.routeKey];
      if (limits) this.throttle(route.routeKey, limits, added);
    }
  }

  /**
   * Stage throttling of one route. Beyond it API Gateway answers 429 before invoking anything: a flood of
   * upgrades costs neither authorizer nor `$connect` invocations, a flood of messages no `$default` invocation.
   */
  private throttle(routeKey: string, limits: RouteThrottle, route: Construct): void {
    const cfn = this.stage.node.defaultChild as CfnStage;
    cfn.routeSettings = {
      ...(cfn.routeSettings as Record<string, unknown> | undefined),
      [routeKey]: { ThrottlingRateLimit: limits.ratePerSecond, ThrottlingBurstLimit: limits.burst },
    };
    // CloudFormation refuses settings for a route the API does not have yet.
    this.stage.node.addDependency(route);
  }

  /** The @connections calls named, each on its own HTTP method, on this stage only (tighter than grantManageConnections). */
  grantConnections(grantee: IGrantable & Construct, calls: readonly ConnectionsCall[]): void {
    // Acknowledged on the grantee (a role): its policy is where the finding is.
    const methods = [...new Set(calls.map((c) => CONNECTIONS_METHOD[c]))];
    const stack = Stack.of(this);
    const resourceName = (method: string) => `${this.stage.stageName}/${method}/@connections/*`;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        resources: methods.map((m) =>
          stack.formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: resourceName(m), arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
        ),
      }),
    );
    Validations.of(grantee).acknowledge(
      ...methods.map((m) => ({
        id:
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:' +
          `${nagReference(grantee, this.api, 'Ref')}/${resourceName(m)}]`,
        reason: `${m} on @connections of this stage only; the connection id is the one being served, known at run time.`,
      })),
    );
  }
}
