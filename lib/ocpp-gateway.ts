/**
 * The API Gateway WebSocket API chargers talk OCPP-J to, built from the route table: the `ws-authorizer` route
 * guards `$connect`, each `ws` route becomes a route with its own function, and `route.access` becomes grants.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { isWsAuthorizer, isWsRoute, type RouteAccess, type RouteDef } from '#functions/routes.ts';
import type { TableName } from '#shared/store/tables.ts';
import { CsmsFunction } from './csms-function.ts';
import { originSecretEnvironment, platformEnvironment } from './platform-env.ts';
import type { StageConfig } from './stage-config.ts';

export interface OcppGatewayProps {
  readonly config: StageConfig;
  readonly tables: Readonly<Record<TableName, ITableV2>>;
  /** Dynamic reference to the secret CloudFront sends as X-Origin-Verify; handlers get it as ORIGIN_VERIFY_SECRET. */
  readonly originVerifySecret: string;
  /** Powertools service name of every function. @default 'ocpp' */
  readonly serviceName?: string;
  /** Only the `ws` and `ws-authorizer` routes are used. */
  readonly routes: readonly RouteDef[];
  /** Directory that route entries are relative to. @default <repo>/functions */
  readonly functionsDir?: string;
}

type TableAccess = NonNullable<RouteAccess['tables']>[TableName];
const TABLE_GRANTS: Record<NonNullable<TableAccess>, (t: ITableV2, g: IGrantable) => void> = {
  read: (t, g) => t.grantReadData(g),
  write: (t, g) => t.grantWriteData(g),
  readWrite: (t, g) => t.grantReadWriteData(g),
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

const logicalId = (c: Construct): string => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);

export class OcppGateway extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  /** Functions by route id. */
  readonly functions: Readonly<Record<string, IFunction>>;

  constructor(scope: Construct, id: string, props: OcppGatewayProps) {
    super(scope, id);
    const { config } = props;
    this.api = new WebSocketApi(this, 'Api', { description: `OCPP-J charger connections (${config.stageName})` });
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

    const environment = platformEnvironment({
      tables: props.tables,
      managementEndpoint: this.stage.callbackUrl,
      config,
    });
    const functions: Record<string, IFunction> = {};
    for (const route of props.routes.filter((r) => isWsRoute(r) || isWsAuthorizer(r))) {
      // Construct id = route id: renaming a route replaces its function.
      const { fn } = new CsmsFunction(this, route.id, {
        route,
        environment: route.access.originSecret
          ? { ...environment, ...originSecretEnvironment(props.originVerifySecret) }
          : environment,
        serviceName: props.serviceName ?? 'ocpp',
        logLevel: config.logLevel,
        logRetention: config.logRetention,
        removalPolicy: config.removalPolicy,
        ...(props.functionsDir ? { functionsDir: props.functionsDir } : {}),
      });
      this.grantAccess(fn, route.access, props.tables);
      functions[route.id] = fn;
    }
    this.functions = functions;
    this.addRoutes(props.routes);
  }

  private addRoutes(routes: readonly RouteDef[]): void {
    const authorizer = this.connectAuthorizer(routes);
    for (const route of routes.filter(isWsRoute)) {
      this.api.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(route.id, this.functions[route.id] as IFunction),
        ...(route.routeKey === '$connect' && authorizer ? { authorizer } : {}),
        ...(route.returnResponse ? { returnResponse: true } : {}),
      });
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'WebSocket APIs accept authorizers only on $connect; $default/$disconnect run on authorized connections.',
    });
  }

  /** The `$connect` authorizer from the single `ws-authorizer` route, if there is one. */
  private connectAuthorizer(routes: readonly RouteDef[]): WebSocketLambdaAuthorizer | undefined {
    const authorizers = routes.filter(isWsAuthorizer);
    if (authorizers.length > 1) {
      throw new Error(`OcppGateway: at most one ws-authorizer route, got ${authorizers.map((a) => a.id).join(', ')}`);
    }
    const [route] = authorizers;
    if (!route) return undefined;
    if (!routes.some((r) => isWsRoute(r) && r.routeKey === '$connect')) {
      throw new Error(`OcppGateway: ws-authorizer route ${route.id} needs a ws route with routeKey $connect`);
    }
    return new WebSocketLambdaAuthorizer(route.id, this.functions[route.id] as IFunction, {
      identitySource: [...route.identitySource],
    });
  }

  private grantAccess(fn: IFunction, access: RouteAccess, tables: Readonly<Record<TableName, ITableV2>>): void {
    for (const [name, level] of Object.entries(access.tables ?? {}) as [TableName, TableAccess][]) {
      if (!level) continue;
      TABLE_GRANTS[level](tables[name], fn);
      Validations.of(fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId(tables[name])}.Arn>/index/*]`,
        reason: `grant*Data covers the ${name} table's own GSIs (index/*); queries on designed indexes are the design.`,
      });
    }
    if (!access.manageConnections) return;
    // Scoped to this stage's @connections, tighter than api.grantManageConnections (every stage).
    this.stage.grantManagementApiAccess(fn);
    Validations.of(fn).acknowledge({
      id:
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:' +
        `<${logicalId(this.api)}>/${this.stage.stageName}/*/@connections/*]`,
      reason: 'A function posts to whichever charger connection it serves; connection ids are only known at runtime.',
    });
  }
}
