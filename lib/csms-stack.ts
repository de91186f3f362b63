/**
 * Composes the CSMS from the route table and the registries: tables, queues, buckets, secrets, the operators'
 * Cognito user pool, one function per route (RouteFunction), and per kind what invokes it (WebSocket API, REST API
 * behind the pool's authorizer, event source, schedule), plus the CloudFront edge of the charger API and, where the stage
 * has a signing key, the plain-HTTP firmware distribution. The route rules run first, exactly as in the local runtime.
 */
import { Annotations, CfnOutput, Duration, Fn, Lazy, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type FunctionUrl, FunctionUrlAuthType, type IFunction, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FILE_ENDPOINT_NAMES, type FileEndpointName, SECRET_NAMES, SECRETS, type SecretName } from '#functions/_common/env.ts';
import { checkRoutes, platformRegistries, type Registries } from '#functions/_routes/rules.ts';
import {
  type FunctionUrlName,
  type FunctionUrlRoute,
  type RouteDef,
  type RouteKind,
  routes as routeTable,
  type WebSocketApiName,
  isHttpRoute,
  isSftpIdentityRoute,
  isStreamRoute,
  isWsAuthorizer,
  isWsRoute,
} from '#functions/routes.ts';
import { ApiGatewayAccountLogging } from './api-gateway-account.ts';
import { Buckets } from './buckets.ts';
import { DataTables } from './data-tables.ts';
import { EncryptionKeys } from './encryption-keys.ts';
import { addBucketSource, addQueueSource, addStreamSource } from './event-sources.ts';
import { FileTransfer } from './file-transfer.ts';
import { FirmwareHttpEdge } from './firmware-http-edge.ts';
import { type MonitoredResources, Monitoring } from './monitoring.ts';
import { OcppEdge } from './ocpp-edge.ts';
import { OperatorIdentity } from './operator-identity.ts';
import { OriginVerifySecret } from './origin-verify-secret.ts';
import { Queues } from './queues.ts';
import { RestApiGateway } from './rest-api.ts';
import { RouteFunction, type RouteResources } from './route-function.ts';
import { RouteSecret } from './route-secret.ts';
import { Schedules } from './schedules.ts';
import { settingsEnvironment } from './settings-env.ts';
import { type StageConfig, stageConfigProblems } from './stage-config.ts';
import { type RouteThrottles, WebSocketGateway } from './websocket-api.ts';
import { METRICS_SERVICE } from '#shared/metrics/catalog.ts';
import { filesBucket } from '#shared/store/buckets.ts';
import { tables } from '#shared/store/tables.ts';

export interface CsmsStackProps extends StackProps {
  readonly config: StageConfig;
  /** @default the route table of functions/routes.ts */
  readonly routes?: readonly RouteDef[];
  /** Tables, queues and buckets routes may name. @default the registries of shared/store/ */
  readonly registries?: Registries;
  /** Directory route entries are relative to. @default <repo>/functions */
  readonly functionsDir?: string;
}

/**
 * Construct ids of the WebSocket APIs. `Gateway` is the charger API's id from before there were several: its
 * functions live under it, so their logical ids (and the deployed functions, roles and log groups) stay the same.
 */
const WEBSOCKET_API_IDS: Record<WebSocketApiName, string> = { chargers: 'Gateway', operators: 'OperatorsGateway' };

/**
 * Stage throttling per API and route key. The charger API's `$connect` is what outsiders can call unauthenticated (a
 * charger's messages are budgeted per charger instead); the operators' API on its `$connect` and on its clients'
 * messages, sized for a few hundred consoles and scripts.
 */
const webSocketThrottles = (config: StageConfig): Record<WebSocketApiName, RouteThrottles> => ({
  chargers: { $connect: config.connectThrottle },
  operators: { $connect: config.operatorsConnectThrottle, $default: config.operatorsMessageThrottle },
});

type Wiring = { readonly [K in RouteKind]: (route: Extract<RouteDef, { kind: K }>, fn: IFunction) => void };

/** Each function URL's stack output and the file endpoint it is, if any. */
const FUNCTION_URLS: Readonly<Record<FunctionUrlName, { readonly output: string; readonly description: string; readonly fileEndpoint?: FileEndpointName }>> = {
  uploads: { output: 'UploadsUrl', description: 'HTTPS endpoint chargers upload diagnostics and logs to (<url>/<chargeBoxId>/<token>)', fileEndpoint: 'uploads' },
};

export class CsmsStack extends Stack {
  readonly tables: DataTables;
  readonly queues: Queues;
  readonly buckets: Buckets;
  readonly webSocketApis: Partial<Record<WebSocketApiName, WebSocketGateway>>;
  /** Functions by route id. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** When the table has `http` routes. */
  readonly restApi?: RestApiGateway;
  /** The functions of the `http` routes (with their roles, policies and log groups), when the table has any. */
  operatorApiFunctions?: NestedStack;
  /** The charger API's CloudFront edge, when the table has charger routes. */
  readonly edge?: OcppEdge;
  /** Plain-HTTP firmware downloads, when the stage has `firmwareHttpPublicKeyPem` and the table the uploads endpoint. */
  readonly firmwareHttp?: FirmwareHttpEdge;
  /** The operators' user pool, its clients and token endpoint. */
  readonly identity: OperatorIdentity;
  /** The function URLs of the `function-url` routes, by name. */
  readonly functionUrls: Partial<Record<FunctionUrlName, FunctionUrl>> = {};
  /**
   * Where chargers reach the public file endpoints, set as each is wired and read late (a Lazy) by the functions of
   * routes with `fileEndpoints`, which are built before them: `uploads` is the uploads function URL; `sftp` stays
   * empty until the stack has an SFTP server, whose wiring sets it (`sftp://<host>`); `firmwareHttp` likewise until
   * the plain-HTTP firmware distribution exists (`http://<domain>`).
   */
  private readonly fileEndpointUrls: Partial<Record<FileEndpointName, string>> = {};
  /** The SFTP server chargers upload to, when the stage has one (`sftp`) and the table an `sftp-identity` route. */
  readonly fileTransfer?: FileTransfer;
  /** The dashboard, the alarms and their topic. */
  readonly monitoring: Monitoring;
  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: CsmsStackProps) {
    super(scope, id, props);
    // Errors on this stack rather than a throw: the EdgeWaf stack, whose output is the web ACL this stage needs,
    // must synthesize and deploy on its own first (`cdk deploy OV2xMp-prod-EdgeWaf`). Synthesizing or deploying
    // this stack still fails, listing every problem; the values that failed are left out so the rest still builds.
    const problems = stageConfigProblems(props.config);
    for (const problem of problems) Annotations.of(this).addError(problem);
    const { customDomain: _domain, webAclArn: _webAcl, restApiWebAclArn: _restAcl, operatorDomainPrefix: _prefix, firmwareHttpPublicKeyPem: _pem, ...withoutSettings } =
      props.config;
    const config: StageConfig = problems.length > 0 ? { ...withoutSettings, consoleOrigins: [] } : props.config;
    this.config = config;
    const routes = props.routes ?? routeTable;
    const registries = props.registries ?? platformRegistries;
    checkRoutes(routes, registries);

    const keys = config.customerManagedKeys ? new EncryptionKeys(this, 'Keys', { removalPolicy: config.removalPolicy }) : undefined;
    keys?.encryptLogGroups(this);
    this.tables = new DataTables(this, 'Tables', { removalPolicy: config.removalPolicy, ...(keys ? { encryptionKey: keys.tables } : {}) });
    this.queues = new Queues(this, 'Queues', { queues: registries.queues, removalPolicy: config.removalPolicy });
    this.buckets = new Buckets(this, 'Buckets', {
      buckets: registries.buckets,
      removalPolicy: config.removalPolicy,
      accessLogRetentionDays: config.logRetention,
      retentionDays: { fileRetentionDays: config.fileRetentionDays },
      ...(keys ? { encryptionKey: keys.files } : {}),
    });
    const originVerify = new OriginVerifySecret(this, 'OriginVerify', {
      removalPolicy: config.removalPolicy,
      ...(config.originSecretVersionId ? { versionId: config.originSecretVersionId } : {}),
    });
    this.webSocketApis = this.webSocketGateways(routes);
    this.identity = new OperatorIdentity(this, 'Operators', {
      stageName: config.stageName,
      removalPolicy: config.removalPolicy,
      refreshTokenValidity: Duration.days(config.operatorSessionDays),
      threatProtection: config.operatorThreatProtection,
      sampleMachineClient: config.sampleMachineClient,
      ...(config.operatorDomainPrefix ? { domainPrefix: config.operatorDomainPrefix } : {}),
    });
    const secrets = this.secrets(routes, originVerify.secret);
    const sftpRoute = routes.find(isSftpIdentityRoute);
    if (config.sftp && sftpRoute) {
      this.fileTransfer = new FileTransfer(this, 'FileTransfer', {
        bucket: this.buckets.byName[sftpRoute.bucket] as IBucket,
        logRetention: config.logRetention,
        removalPolicy: config.removalPolicy,
        ...(config.sftpHostName ? { hostName: config.sftpHostName } : {}),
      });
      this.fileEndpointUrls.sftp = this.fileTransfer.url;
    }
    this.functions = this.buildFunctions(routes, props.functionsDir, {
      tables: this.tables.byName,
      ...(keys ? { tableKey: keys.tables } : {}),
      queues: this.queues.byName,
      buckets: this.buckets.byName,
      webSocketApis: this.webSocketApis,
      secrets,
      settings: settingsEnvironment(config),
      registries,
      userPool: this.identity.userPool,
      corsOrigins: config.consoleOrigins,
      fileEndpoints: Object.fromEntries(
        FILE_ENDPOINT_NAMES.map((name) => [name, Lazy.string({ produce: () => this.fileEndpointUrls[name] ?? '' })]),
      ) as Record<FileEndpointName, string>,
      ...(this.fileTransfer ? { sftpSessionRoleArn: this.fileTransfer.sessionRole.roleArn } : {}),
    });
    this.restApi = this.wire(routes);
    this.firmwareHttp = this.firmwareHttpEdge();

    if (config.setApiGatewayAccountRole) {
      const logging = new ApiGatewayAccountLogging(this, 'ApiGatewayAccountLogging');
      for (const ws of Object.values(this.webSocketApis)) ws.stage.node.addDependency(logging);
      this.restApi?.api.deploymentStage.node.addDependency(logging);
    }
    const chargers = this.webSocketApis.chargers;
    if (chargers) {
      this.edge = new OcppEdge(this, 'Edge', {
        api: chargers.api,
        stageName: config.stageName,
        pathPrefix: config.ocppPathPrefix,
        allowPlainWs: config.allowPlainWs,
        originVerifySecret: originVerify.headerReference,
        logRetentionDays: config.logRetention,
        ...(config.customDomain ? { customDomain: config.customDomain } : {}),
        ...(config.webAclArn ? { webAclArn: config.webAclArn } : {}),
      });
    }
    this.monitoring = new Monitoring(this, 'Monitoring', {
      resources: this.monitoredResources(routes),
      removalPolicy: config.removalPolicy,
      connectRefusalsPer5Min: config.connectRefusalAlarmPer5Min,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });
    this.outputs(secrets);
  }

  /** Everything built above, by the names operators know it by. */
  private monitoredResources(routes: readonly RouteDef[]): MonitoredResources {
    const failureDestinations = [...new Set(routes.filter(isStreamRoute).map((r) => r.onFailure))];
    return {
      functions: this.functions,
      operatorApiRouteIds: routes.filter(isHttpRoute).map((r) => r.id),
      tables: this.tables.byName,
      queues: this.queues.byName,
      deadLetterQueues: {
        ...Object.fromEntries(Object.entries(this.queues.deadLetters).map(([name, q]) => [`${name}DeadLetters`, q])),
        // A stream consumer's failed batches are described here; nothing consumes it, so anything in it waits for a person.
        ...Object.fromEntries(failureDestinations.map((name) => [name, this.queues.byName[name] as IQueue])),
      },
      webSocketStages: Object.fromEntries(Object.entries(this.webSocketApis).map(([api, gateway]) => [api, gateway.stage])),
      ...(this.restApi ? { restApiStage: this.restApi.api.deploymentStage } : {}),
    };
  }

  /** After `wire`: the distribution's origin is the uploads function URL. */
  private firmwareHttpEdge(): FirmwareHttpEdge | undefined {
    const { firmwareHttpPublicKeyPem: publicKeyPem } = this.config;
    const fileEndpoint = this.functionUrls.uploads;
    const files = this.buckets.byName[filesBucket.name];
    if (!publicKeyPem || !fileEndpoint || !files) return undefined;
    const edge = new FirmwareHttpEdge(this, 'FirmwareHttp', {
      fileEndpoint,
      filesBucket: files,
      publicKeyPem,
      stageName: this.config.stageName,
      logRetentionDays: this.config.logRetention,
      ...(this.config.webAclArn ? { webAclArn: this.config.webAclArn } : {}),
    });
    this.fileEndpointUrls.firmwareHttp = edge.url;
    return edge;
  }

  private webSocketGateways(routes: readonly RouteDef[]): Partial<Record<WebSocketApiName, WebSocketGateway>> {
    const names = [...new Set(routes.flatMap((r) => (isWsRoute(r) || isWsAuthorizer(r) ? [r.api] : [])))];
    return Object.fromEntries(
      names.map((api) => {
        const description = api === 'chargers' ? `OCPP-J charger connections (${this.config.stageName})` : undefined;
        return [
          api,
          new WebSocketGateway(this, WEBSOCKET_API_IDS[api], {
            api,
            config: this.config,
            ...(description ? { description } : {}),
            throttles: webSocketThrottles(this.config)[api],
          }),
        ];
      }),
    );
  }

  /** Secrets are created only when a route names them; the origin secret always (CloudFront sends it). */
  private secrets(routes: readonly RouteDef[], originVerify: ISecret): Partial<Record<SecretName, ISecret>> {
    const named = SECRET_NAMES.filter((s) => s !== 'originVerify' && routes.some((r) => r.access.secrets?.includes(s)));
    // Construct id: the name, capitalized (`OperatorTokenKey`): renaming a secret replaces it.
    const idOf = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    return {
      originVerify,
      ...Object.fromEntries(
        named.map((name) => [name, new RouteSecret(this, idOf(name), { def: SECRETS[name], removalPolicy: this.config.removalPolicy }).secret]),
      ),
    };
  }

  /**
   * One function per route; a WebSocket API's functions live under that API's construct (stable logical ids).
   *
   * The `http` routes' functions live in a nested stack, OperatorApiFunctions: a CloudFormation stack holds at most
   * 500 resources, and each REST route brings five there (function, role, policy, log group, invoke permission). The
   * REST API with its methods and resources stays in this stack: the whole API in the nested stack would put about
   * seven resources per route into one stack again. The stage's deployment waits for every method and a method names
   * its function, so an invoke permission names the stage by name, not the Stage resource (lib/rest-api.ts): else the
   * nested stack would wait for the stage and the stage for the nested stack (a cycle). This way references run one
   * way each: function ARNs up as nested-stack outputs; tables, queues, secrets, the user pool, the keys and the API's
   * id down as parameters (the table key through identity policies only: no key policy names a nested role).
   * `test/cdk/resource-limits.test.ts` fails when either stack comes within 50 of the limit.
   */
  private buildFunctions(routes: readonly RouteDef[], functionsDir: string | undefined, resources: RouteResources) {
    let others: Construct | undefined;
    const scopeOf = (route: RouteDef): Construct => {
      if (isWsRoute(route) || isWsAuthorizer(route)) return this.webSocketApis[route.api] as WebSocketGateway;
      if (isHttpRoute(route)) {
        // Construct id and logical ids inside stay put as routes are added: a route's resources are `<route id>…`.
        return (this.operatorApiFunctions ??= new NestedStack(this, 'OperatorApiFunctions', {
          description: `O-V2X-MP operator REST API functions (${this.config.stageName})`,
        }));
      }
      return (others ??= new Construct(this, 'Functions'));
    };
    return Object.fromEntries(
      routes.map((route) => [
        route.id,
        // Construct id = route id: renaming a route replaces its function.
        new RouteFunction(scopeOf(route), route.id, {
          route,
          resources,
          // Powertools puts it on every metric as `service`, the dimension the dashboard and alarms name.
          serviceName: METRICS_SERVICE,
          logLevel: this.config.logLevel,
          logRetention: this.config.logRetention,
          removalPolicy: this.config.removalPolicy,
          ...(functionsDir ? { functionsDir } : {}),
          ...(this.config.reservedConcurrency[route.id] !== undefined ? { reservedConcurrency: this.config.reservedConcurrency[route.id] } : {}),
        }).fn,
      ]),
    );
  }

  /** What invokes each function: APIs for their routes, then the per-route event sources and schedules. */
  private wire(routes: readonly RouteDef[]): RestApiGateway | undefined {
    const fn = (routeId: string) => this.functions[routeId] as IFunction;
    for (const gateway of Object.values(this.webSocketApis)) {
      const mine = routes.filter((r) => (isWsRoute(r) || isWsAuthorizer(r)) && r.api === gateway.apiName);
      gateway.addRoutes(mine.filter(isWsRoute), mine.find(isWsAuthorizer), fn);
    }
    const httpRoutes = routes.filter(isHttpRoute);
    const restApi =
      httpRoutes.length > 0
        ? new RestApiGateway(this, 'RestApi', { config: this.config, routes: httpRoutes, userPool: this.identity.userPool, functionOf: fn })
        : undefined;
    let schedules: Schedules | undefined;
    const byApi = () => undefined; // wired above, with the other routes of their API
    const wiring: Wiring = {
      'ws-authorizer': byApi,
      ws: byApi,
      http: byApi,
      queue: (r, f) => addQueueSource(f, r, this.queues.byName[r.queue] as IQueue),
      stream: (r, f) => addStreamSource(f, r, this.tables.byName[r.table] as unknown as ITable, this.queues.byName[r.onFailure] as IQueue),
      schedule: (r, f) => (schedules ??= new Schedules(this, 'Schedules')).add(r, f),
      'function-url': (r, f) => this.addFunctionUrl(r, f),
      // Without a server (the stage's `sftp` off) the function stays, unreachable, and refuses every login.
      'sftp-identity': (_r, f) => this.fileTransfer?.useIdentityProvider(f),
      bucket: (r, f) => addBucketSource(f, r, this.buckets.byName[r.bucket] as IBucket),
    };
    for (const route of routes) (wiring[route.kind] as (r: RouteDef, f: IFunction) => void)(route, fn(route.id));
    return restApi;
  }

  /**
   * The route's function URL: auth NONE (the route's `reason` says who checks the caller instead), buffered (the
   * handler answers once). CDK grants lambda:InvokeFunctionUrl and lambda:InvokeFunction (only via the URL) to anyone.
   */
  private addFunctionUrl(route: FunctionUrlRoute, fn: IFunction): void {
    const url = fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.BUFFERED });
    this.functionUrls[route.name] = url;
    // `https://<id>.lambda-url.<region>.on.aws/` without its trailing slash: callers append `/<chargeBoxId>/…`.
    const base = Fn.join('', ['https://', Fn.select(2, Fn.split('/', url.url))]);
    const { output, description, fileEndpoint } = FUNCTION_URLS[route.name];
    if (fileEndpoint) this.fileEndpointUrls[fileEndpoint] = base;
    new CfnOutput(this, output, { description, value: base });
  }

  private outputs(secrets: Partial<Record<SecretName, ISecret>>): void {
    if (this.edge) {
      new CfnOutput(this, 'ChargerUrl', {
        description: 'OCPP-J endpoint for chargers (ws:// too where the stage allows plain WebSocket)',
        value: `wss://${this.edge.domainName}/${this.edge.pathPrefix}/{chargeBoxId}`,
      });
      new CfnOutput(this, 'DistributionDomain', {
        description: 'Point the custom domain (CNAME or alias) here',
        value: this.edge.distribution.distributionDomainName,
      });
    }
    const chargers = this.webSocketApis.chargers;
    if (chargers) {
      new CfnOutput(this, 'ManagementEndpoint', { description: 'API Gateway @connections endpoint (PostToConnection)', value: chargers.stage.callbackUrl });
    }
    const operators = this.webSocketApis.operators;
    if (operators) new CfnOutput(this, 'OperatorsWebSocketUrl', { description: 'Live events for operators (npm run cli -- --aws watch --url)', value: operators.stage.url });
    if (this.firmwareHttp) this.firmwareHttpOutputs(this.firmwareHttp, secrets.firmwareHttpSigningKey);
    if (this.restApi) new CfnOutput(this, 'RestApiUrl', { description: 'Operator REST API', value: this.restApi.api.url });
    if (this.fileTransfer) {
      new CfnOutput(this, 'SftpEndpoint', {
        description: 'SFTP server chargers upload to (point sftpHostName here with a CNAME)',
        value: `${this.fileTransfer.server.attrServerId}.server.transfer.${this.region}.${this.urlSuffix}`,
      });
    }
    const { identity } = this;
    new CfnOutput(this, 'UserPoolId', { description: 'Operators’ Cognito user pool (aws cognito-idp admin-create-user --user-pool-id)', value: identity.userPool.userPoolId });
    new CfnOutput(this, 'PeopleClientId', { description: 'App client people sign in with (InitiateAuth USER_PASSWORD_AUTH)', value: identity.peopleClient.userPoolClientId });
    new CfnOutput(this, 'TokenEndpoint', { description: 'OAuth 2.0 token endpoint of machine clients (client_credentials)', value: identity.tokenEndpoint });
    if (identity.sampleMachineClient) {
      new CfnOutput(this, 'SampleMachineClientId', { description: 'Sample machine client (csms/read); its secret: aws cognito-idp describe-user-pool-client', value: identity.sampleMachineClient.userPoolClientId });
    }
    // The operator CLI (`npm run cli -- --aws ...`) reads the tables through these names.
    for (const def of tables) {
      new CfnOutput(this, `${def.name}TableName`, { description: `${def.envVar} for the operator CLI`, value: this.tables.byName[def.name].tableName });
    }
    // Commands that make charger passwords or enrolment codes read the pepper themselves (the ARN is no secret).
    if (secrets.passwordPepper) {
      new CfnOutput(this, 'PasswordPepperSecretId', {
        description: `${SECRETS.passwordPepper.envVar} for the operator CLI`,
        value: secrets.passwordPepper.secretArn,
      });
    }
  }

  private firmwareHttpOutputs(edge: FirmwareHttpEdge, signingKey: ISecret | undefined): void {
    new CfnOutput(this, 'FirmwareHttpUrl', { description: 'Plain-HTTP firmware downloads (FIRMWARE_HTTP_URL), for chargers that cannot do HTTPS', value: edge.url });
    new CfnOutput(this, 'FirmwareHttpKeyPairId', { description: 'CloudFront public key id: keyPairId in FirmwareHttpSigningKeySecret', value: edge.publicKey.publicKeyId });
    if (signingKey) {
      new CfnOutput(this, 'FirmwareHttpSigningKeySecret', {
        description: 'Put {"keyPairId":"<FirmwareHttpKeyPairId>","privateKey":"<PEM>"} here (aws secretsmanager put-secret-value)',
        value: signingKey.secretArn,
      });
    }
  }
}
