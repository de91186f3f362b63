/**
 * The Lambda function of one route, of any kind: bundled with esbuild (no Docker), Node 22 on arm64, its own log
 * group, an environment holding exactly what the route's `access` names, and grants for exactly that access.
 * How the function is invoked (WebSocket route, REST method, event source, schedule) is wired by the construct of
 * that concern; a consumed queue or stream is granted there, by its event source mapping.
 */
import { type CfnElement, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { SecretName, SettingsName } from '#functions/_common/env.ts';
import { routeEnvironment } from '#functions/_routes/environment.ts';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, type Registries } from '#functions/_routes/rules.ts';
import type { BucketAccess, QueueAccess, RouteDef, TableAccess, WebSocketApiName } from '#functions/routes.ts';
import { VALIDATORS_EXTERNAL, validatorCopyCommands } from './ocpp-validator-files.ts';
import type { LogLevel } from './stage-config.ts';
import type { WebSocketGateway } from './websocket-api.ts';

/** Repository root: esbuild runs here so package.json `imports` (#shared/*, #functions/*) resolve. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Everything a route's access may name, by logical name. */
export interface RouteResources {
  readonly tables: Readonly<Record<string, ITableV2>>;
  readonly queues: Readonly<Record<string, IQueue>>;
  readonly buckets: Readonly<Record<string, IBucket>>;
  readonly webSocketApis: Partial<Record<WebSocketApiName, WebSocketGateway>>;
  /** Dynamic references (`{{resolve:secretsmanager:...}}`), never values. */
  readonly secrets: Partial<Record<SecretName, string>>;
  /** Each settings group's variables, checked against its schema (lib/settings-env.ts). */
  readonly settings: Readonly<Record<SettingsName, Readonly<Record<string, string>>>>;
  /** The whole table, for what a kind derives from other routes (the `http-authorizer`'s roles). */
  readonly routes: readonly RouteDef[];
  readonly registries: Registries;
}

export interface RouteFunctionProps {
  /** The route this function serves; entry, memory, timeout and access come from it. */
  readonly route: RouteDef;
  readonly resources: RouteResources;
  /** `POWERTOOLS_SERVICE_NAME`. */
  readonly serviceName: string;
  /** Powertools `LOG_LEVEL`. @default 'INFO' */
  readonly logLevel?: LogLevel;
  readonly logRetention: RetentionDays;
  /** Of the log group. */
  readonly removalPolicy: RemovalPolicy;
  /** Directory that route entries are relative to. @default <repo>/functions */
  readonly functionsDir?: string;
}

// esbuild's ESM output turns require() of CommonJS dependencies (e.g. ajv) into a shim that needs a real require.
const ESM_REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

const logicalId = (c: Construct): string => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);

const TABLE_GRANTS: Record<TableAccess, (t: ITableV2, g: IGrantable) => void> = {
  read: (t, g) => t.grantReadData(g),
  write: (t, g) => t.grantWriteData(g),
  readWrite: (t, g) => t.grantReadWriteData(g),
};
const QUEUE_GRANTS: Record<QueueAccess, (q: IQueue, g: IGrantable) => void> = {
  send: (q, g) => q.grantSendMessages(g),
  consume: (q, g) => q.grantConsumeMessages(g),
};
const BUCKET_GRANTS: Record<BucketAccess, (b: IBucket, g: IGrantable) => void> = {
  read: (b, g) => b.grantRead(g),
  write: (b, g) => b.grantPut(g),
  readWrite: (b, g) => {
    b.grantRead(g);
    b.grantPut(g);
  },
};

// The wildcard actions the bucket grants include (cdk-nag names them one by one).
const READ_WILDCARDS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
const BUCKET_WILDCARD_ACTIONS: Record<BucketAccess, readonly string[]> = {
  read: READ_WILDCARDS,
  write: ['s3:Abort*'],
  readWrite: [...READ_WILDCARDS, 's3:Abort*'],
};

const bundling = (route: RouteDef) => ({
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // Bundle the SDK too: the version is the lockfile's, not whatever the runtime ships, and it is tree-shaken.
  bundleAwsSDK: true,
  forceDockerBundling: false,
  ...(route.ocppValidators
    ? {
        esbuildArgs: { [`--external:${VALIDATORS_EXTERNAL}`]: true },
        commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: validatorCopyCommands },
      }
    : {}),
});

export class RouteFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: RouteFunctionProps) {
    super(scope, id);
    const { route, resources } = props;
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(props.functionsDir ?? path.join(projectRoot, 'functions'), route.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: route.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: Duration.seconds(route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      tracing: Tracing.ACTIVE,
      logGroup,
      description: `${route.id} (${route.entry})`,
      environment: {
        ...routeEnvironment(route, { routes: resources.routes, registries: resources.registries, sources: this.sources(resources) }),
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        LOG_LEVEL: props.logLevel ?? 'INFO',
        // Stack traces point into the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: bundling(route),
    });
    this.grantAccess(route, resources);
    Validations.of(this.fn).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The AWS-managed basic execution role only lets the function write its own CloudWatch logs.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'nodejs22.x on purpose (BRIEF §4): it matches the Node 22 toolchain the code is built and tested on.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions (tracing: ACTIVE).',
      },
    );
  }

  private sources(r: RouteResources) {
    const need = <T>(value: T | undefined, what: string): T => {
      if (value === undefined) throw new Error(`RouteFunction ${this.node.id}: no ${what} in this stack`);
      return value;
    };
    return {
      tableName: (d: { name: string }) => need(r.tables[d.name], `table ${d.name}`).tableName,
      queueUrl: (d: { name: string }) => need(r.queues[d.name], `queue ${d.name}`).queueUrl,
      bucketName: (d: { name: string }) => need(r.buckets[d.name], `bucket ${d.name}`).bucketName,
      managementEndpoint: (api: WebSocketApiName) => need(r.webSocketApis[api], `WebSocket API ${api}`).stage.callbackUrl,
      secret: (name: SecretName) => need(r.secrets[name], `secret ${name}`),
      settings: (name: SettingsName) => r.settings[name],
    };
  }

  private grantAccess(route: RouteDef, r: RouteResources): void {
    const { access } = route;
    for (const [name, level] of Object.entries(access.tables ?? {}) as [string, TableAccess][]) {
      const table = r.tables[name] as ITableV2;
      TABLE_GRANTS[level](table, this.fn);
      Validations.of(this.fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId(table as unknown as Construct)}.Arn>/index/*]`,
        reason: `grant*Data covers the ${name} table's own GSIs (index/*); queries on designed indexes are the design.`,
      });
    }
    for (const [name, level] of Object.entries(access.queues ?? {})) QUEUE_GRANTS[level](r.queues[name] as IQueue, this.fn);
    for (const [name, level] of Object.entries(access.buckets ?? {})) {
      const bucket = r.buckets[name] as IBucket;
      BUCKET_GRANTS[level](bucket, this.fn);
      Validations.of(this.fn).acknowledge(
        {
          id: `AwsSolutions-IAM5[Resource::<${logicalId(bucket as unknown as Construct)}.Arn>/*]`,
          reason: `Object keys in the ${name} bucket are per charger or per file and only known at run time.`,
        },
        ...BUCKET_WILDCARD_ACTIONS[level].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `${action} is part of the grant${level === 'write' ? 'Put' : 'Read/grantPut'} action set on the ${name} bucket only.`,
        })),
      );
    }
    if (access.manageConnections) r.webSocketApis[access.manageConnections]?.grantManageConnections(this.fn);
    // Secrets arrive as CloudFormation dynamic references, resolved at deploy time: nothing to grant at run time.
  }
}
