/**
 * The Lambda function of one route, of any kind: bundled with esbuild (no Docker), Node 22 on arm64, its own log
 * group, an environment holding exactly what the route's `access` names, and grants for exactly that access: the
 * DynamoDB actions it lists per table (with a leading-key condition where it names partition-key prefixes), the
 * @connections calls it lists as their HTTP methods, GetSecretValue on its secrets (AWSCURRENT and AWSPREVIOUS
 * only), the Cognito actions it lists on the operators' user pool, and writes to its own log group instead of the managed AWSLambdaBasicExecutionRole (`logs:*` on `*`).
 * Only X-Ray's two actions, which have no resource-level permissions, are granted on `*`.
 * How the function is invoked (WebSocket route, REST method, event source, schedule) is wired by the construct of
 * that concern; a consumed queue or stream is granted there, by its event source mapping.
 */
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { FileEndpointName, SecretName, SettingsName } from '#functions/_common/env.ts';
import { routeEnvironment } from '#functions/_routes/environment.ts';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, type Registries } from '#functions/_routes/rules.ts';
import { tableGrants, type BucketAccess, type BucketPrefixAccess, type CognitoAction, type QueueAccess, type RouteDef, type TableAccess, type WebSocketApiName } from '#functions/routes.ts';
import { nagReference } from './nag-reference.ts';
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
  /** The customer-managed key of the tables, where the stage has one. */
  readonly tableKey?: IKey;
  /** The secrets routes may read at run time; functions get their ARNs, never values. */
  readonly secrets: Partial<Record<SecretName, ISecret>>;
  /** Each settings group's variables, checked against its schema (lib/settings-env.ts). */
  readonly settings: Readonly<Record<SettingsName, Readonly<Record<string, string>>>>;
  readonly registries: Registries;
  /** The operators' user pool, for routes with `userPool` access. */
  readonly userPool?: IUserPool;
  /** The console's browser origins (CORS), told to `http` routes. */
  readonly corsOrigins: readonly string[];
  /** Where chargers reach each public file endpoint (tokens resolved late: the endpoints are wired after the functions). */
  readonly fileEndpoints: Readonly<Record<FileEndpointName, string>>;
  /** The role SFTP sessions run with, told to the `sftp-identity` route; absent on a stage without an SFTP server. */
  readonly sftpSessionRoleArn?: string;
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
  /** Replaces the route's `reservedConcurrency` (the stage config's per-route sizing). @default the route's */
  readonly reservedConcurrency?: number;
}

// esbuild's ESM output turns require() of CommonJS dependencies (e.g. ajv) into a shim that needs a real require.
const ESM_REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

/** Only these read; the rest write (what a table key must allow: decrypt only, or encrypt too). */
const DYNAMODB_READS = new Set(['GetItem', 'BatchGetItem', 'Query']);
/** Secrets Manager version stages a function may read: the value, and the one before it during a rotation. */
export const READABLE_SECRET_STAGES = ['AWSCURRENT', 'AWSPREVIOUS'] as const;
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
  // Exactly DeleteObject: grantDelete's `s3:DeleteObject*` would add deleting versions and tags.
  delete: (b, g) => g.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:DeleteObject'], resources: [b.arnForObjects('*')] })),
};

// The wildcard actions the bucket grants include (cdk-nag names them one by one).
const READ_WILDCARDS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
const BUCKET_WILDCARD_ACTIONS: Record<BucketAccess, readonly string[]> = {
  read: READ_WILDCARDS,
  write: ['s3:Abort*'],
  readWrite: [...READ_WILDCARDS, 's3:Abort*'],
  delete: [],
};
// What a bucket grant adds on the bucket's customer-managed key when it writes (CDK's grantPut key actions).
const KEY_WILDCARDS_OF_WRITES = ['kms:ReEncrypt*', 'kms:GenerateDataKey*'];

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
    // Its own role: CDK would otherwise attach the managed AWSLambdaBasicExecutionRole (logs:* on every log group).
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${route.id}: exactly the route table's access`,
    });
    logGroup.grantWrite(role);
    const reservedConcurrency = props.reservedConcurrency ?? route.reservedConcurrency;
    this.fn = new NodejsFunction(this, 'Function', {
      role,
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
      ...(reservedConcurrency !== undefined ? { reservedConcurrentExecutions: reservedConcurrency } : {}),
      description: `${route.id} (${route.entry})`,
      environment: {
        ...routeEnvironment(route, { registries: resources.registries, sources: this.sources(resources) }),
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        LOG_LEVEL: props.logLevel ?? 'INFO',
        // Stack traces point into the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: bundling(route),
    });
    this.grantAccess(route, resources);
    Validations.of(this).acknowledge(
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
      secret: (name: SecretName) => need(r.secrets[name], `secret ${name}`).secretArn,
      settings: (name: SettingsName) => r.settings[name],
      userPoolId: () => need(r.userPool, 'Cognito user pool').userPoolId,
      // The pool's issuer, as Cognito writes it in `iss` (IUserPool does not expose UserPool's providerUrl).
      operatorTokenIssuer: () => {
        const pool = need(r.userPool, 'Cognito user pool');
        const stack = Stack.of(pool);
        return `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${pool.userPoolId}`;
      },
      corsOrigins: () => r.corsOrigins,
      fileEndpoint: (name: FileEndpointName) => r.fileEndpoints[name],
      // Empty without an SFTP server: the identity provider then refuses every login.
      transferSessionRoleArn: () => r.sftpSessionRoleArn ?? '',
    };
  }

  private grantAccess(route: RouteDef, r: RouteResources): void {
    const { access } = route;
    for (const [name, grant] of Object.entries(access.tables ?? {}) as [string, TableAccess | readonly TableAccess[]][]) {
      this.grantTable(name, r.tables[name] as ITableV2, tableGrants(grant), r.tableKey);
    }
    for (const [name, level] of Object.entries(access.queues ?? {})) QUEUE_GRANTS[level](r.queues[name] as IQueue, this.fn);
    for (const [name, grant] of Object.entries(access.buckets ?? {})) {
      const bucket = r.buckets[name] as IBucket;
      if (typeof grant !== 'string') {
        this.grantBucketPrefixes(name, bucket, Array.isArray(grant) ? (grant as readonly BucketPrefixAccess[]) : [grant as BucketPrefixAccess]);
        continue;
      }
      const level = grant;
      BUCKET_GRANTS[level](bucket, this.fn);
      Validations.of(this).acknowledge(
        {
          id: `AwsSolutions-IAM5[Resource::${nagReference(this, bucket, 'Arn')}/*]`,
          reason: `Object keys in the ${name} bucket are per charger or per file and only known at run time.`,
        },
        ...BUCKET_WILDCARD_ACTIONS[level].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `${action} is part of the grant${level === 'write' ? 'Put' : 'Read/grantPut'} action set on the ${name} bucket only.`,
        })),
        ...(bucket.encryptionKey && (level === 'write' || level === 'readWrite') ? KEY_WILDCARDS_OF_WRITES : []).map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `${action} is what writing to the ${name} bucket needs of its key (S3 encrypts each object under a data key), on that key only.`,
        })),
      );
    }
    if (access.manageConnections) {
      const { api, calls } = access.manageConnections;
      r.webSocketApis[api]?.grantConnections(this.fn.role as Role, calls);
    }
    if (access.userPool) this.grantUserPool(access.userPool, r.userPool);
    for (const name of access.secrets ?? []) {
      const secret = r.secrets[name] as ISecret;
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [secret.secretArn],
          // functions/_common/secrets.ts always names the stage it reads.
          conditions: { StringEquals: { 'secretsmanager:VersionStage': [...READABLE_SECRET_STAGES] } },
        }),
      );
    }
  }

  /**
   * Exactly GetObject / PutObject on the objects under each grant's prefixes: what presigning their GETs / PUTs needs;
   * and the bucket's key, if it has one, once for all the grants: Decrypt to read, GenerateDataKey too to write.
   */
  private grantBucketPrefixes(name: string, bucket: IBucket, grants: readonly BucketPrefixAccess[]): void {
    for (const grant of grants) {
      const actions = [...(grant.access === 'write' ? [] : ['s3:GetObject']), ...(grant.access === 'read' ? [] : ['s3:PutObject'])];
      const prefixes: readonly string[] = typeof grant.prefix === 'string' ? [grant.prefix] : grant.prefix;
      this.fn.addToRolePolicy(new PolicyStatement({ actions, resources: prefixes.map((p) => bucket.arnForObjects(`${p}*`)) }));
      Validations.of(this).acknowledge(
        ...prefixes.map((p) => ({
          id: `AwsSolutions-IAM5[Resource::${nagReference(this, bucket, 'Arn')}/${p}*]`,
          reason: `Objects under ${p} in the ${name} bucket are named by file ids only known at run time.`,
        })),
      );
    }
    // Exact key actions rather than grantEncryptDecrypt's wildcards: S3 asks the key for a data key to store an
    // object (GenerateDataKey) and to decrypt one to read it or to finish a multipart upload (Decrypt).
    if (bucket.encryptionKey) {
      const writes = grants.some((g) => g.access !== 'read');
      bucket.encryptionKey.grant(this.fn, ...(writes ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt']));
    }
  }

  /** Exactly the listed user administration calls, on the operators' pool only. */
  private grantUserPool(actions: readonly CognitoAction[], pool: IUserPool | undefined): void {
    if (!pool) throw new Error(`RouteFunction ${this.node.id}: no Cognito user pool in this stack`);
    this.fn.addToRolePolicy(new PolicyStatement({ actions: actions.map((a) => `cognito-idp:${a}`), resources: [pool.userPoolArn] }));
  }

  /** Exactly the listed actions on the table (its indexes too for Query), one statement per grant, and its key's use if it has one. */
  private grantTable(name: string, table: ITableV2, grants: readonly TableAccess[], key: IKey | undefined): void {
    for (const grant of grants) {
      const prefixes = grant.partitionKeyPrefixes;
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: grant.actions.map((a) => `dynamodb:${a}`),
          resources: [table.tableArn, ...(grant.actions.includes('Query') ? [`${table.tableArn}/index/*`] : [])],
          ...(prefixes ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((p) => `${p}*`) } } } : {}),
        }),
      );
    }
    const queries = grants.some((g) => g.actions.includes('Query'));
    if (queries) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagReference(this, table, 'Arn')}/index/*]`,
        reason: `Query on the ${name} table's own GSIs (index/*); queries on designed indexes are the design.`,
      });
    }
    if (key) {
      const writes = grants.some((g) => g.actions.some((a) => !DYNAMODB_READS.has(a)));
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt', 'kms:DescribeKey', ...(writes ? ['kms:Encrypt', 'kms:GenerateDataKey'] : [])],
          resources: [key.keyArn],
          // Only as DynamoDB uses it on the caller's behalf.
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
  }
}
