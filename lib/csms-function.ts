/** One Lambda function of the route table: bundled with esbuild (no Docker), Node 22 on arm64, Powertools-ready. */
import { VALIDATORS_EXTERNAL, validatorCopyCommands } from './ocpp-validator-files.ts';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { RouteDef } from '#functions/routes.ts';
import type { LogLevel } from './stage-config.ts';

/** Repository root: esbuild runs here so package.json `imports` (#shared/*, #functions/*) resolve. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export interface CsmsFunctionProps {
  /** The route this function serves; `entry`, memory and timeout come from it. */
  readonly route: RouteDef;
  /** Variables on top of the Powertools ones, e.g. the platform env of functions/_common/env.ts. */
  readonly environment: Readonly<Record<string, string>>;
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

const DEFAULT_MEMORY_MB = 256;
const DEFAULT_TIMEOUT_SECONDS = 10;
// esbuild's ESM output turns require() of CommonJS dependencies (e.g. ajv) into a shim that needs a real require.
const ESM_REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

export class CsmsFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: CsmsFunctionProps) {
    super(scope, id);
    const { route } = props;
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
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
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        LOG_LEVEL: props.logLevel ?? 'INFO',
        // Stack traces point into the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
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
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: validatorCopyCommands,
              },
            }
          : {}),
      },
    });
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
}
