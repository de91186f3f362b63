/**
 * One API Gateway WebSocket API of the route table (`chargers`, later `operators`): the API, its stage with access
 * logs, a route per `ws` route of that API, and the `ws-authorizer` route as the `$connect` REQUEST authorizer.
 * The functions are built by RouteFunction; this construct only routes to them.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { WebSocketApiName, WsAuthorizerRoute, WsRoute } from '#functions/routes.ts';
import type { StageConfig } from './stage-config.ts';

export interface WebSocketGatewayProps {
  readonly api: WebSocketApiName;
  readonly config: StageConfig;
  /** @default `<api> WebSocket API (<stage>)` */
  readonly description?: string;
}

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

const logicalId = (c: Construct): string => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);

export class WebSocketGateway extends Construct {
  readonly apiName: WebSocketApiName;
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;

  constructor(scope: Construct, id: string, props: WebSocketGatewayProps) {
    super(scope, id);
    const { config } = props;
    this.apiName = props.api;
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
      this.api.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(route.id, functionOf(route.id)),
        ...(route.routeKey === '$connect' && authorizer ? { authorizer } : {}),
        ...(route.returnResponse ? { returnResponse: true } : {}),
      });
    }
  }

  /** PostToConnection / DeleteConnection on this stage's @connections only (tighter than api.grantManageConnections). */
  grantManageConnections(grantee: IGrantable & Construct): void {
    this.stage.grantManagementApiAccess(grantee);
    Validations.of(grantee).acknowledge({
      id:
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:' +
        `<${logicalId(this.api)}>/${this.stage.stageName}/*/@connections/*]`,
      reason: 'A function posts to whichever connection it serves; connection ids are only known at runtime.',
    });
  }
}
