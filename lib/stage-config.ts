/**
 * Per-stage settings of the CDK app, chosen with `-c stage=dev|prod`. No account ids or secrets: the stack is
 * environment-agnostic and the origin secret is generated at deploy time.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Retention } from '#shared/store/retention.ts';

export const stageNames = ['dev', 'prod'] as const;
export type StageName = (typeof stageNames)[number];
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface StageConfig {
  /** Also the API Gateway stage name and part of the stack name. */
  readonly stageName: StageName;
  /** Unknown chargers that connect are created `pending` instead of refused. @default false */
  readonly autoRegister: boolean;
  /** BootNotification interval; below API Gateway's 10-minute idle timeout. @default 300 */
  readonly heartbeatIntervalSeconds: number;
  /** Days the OCPP message log keeps frames (DynamoDB TTL). @default 30 */
  readonly messageLogRetentionDays: number;
  /** Days other history is kept (status, meter values, timeline, reports, raw events). @default DEFAULT_RETENTION */
  readonly historyRetention?: Partial<Omit<Retention, 'messageLogDays'>>;
  /** Chargers connect to `/<ocppPathPrefix>/<chargeBoxId>`. @default 'ocpp' */
  readonly ocppPathPrefix: string;
  /** Accept plain `ws://` (security profile 1) at CloudFront as well as `wss://`. @default false */
  readonly allowPlainWs: boolean;
  /** Retention of Lambda, API Gateway and CloudFront logs. */
  readonly logRetention: RetentionDays;
  /** Powertools log level of every function. @default 'INFO' */
  readonly logLevel: LogLevel;
  /** Applied to tables and log groups; `RETAIN` also turns on table deletion protection. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Set the account-wide API Gateway CloudWatch Logs role, which WebSocket access logging requires. Turn off
   * where the account (and region) already has one, e.g. managed by the organisation. @default true
   */
  readonly setApiGatewayAccountRole: boolean;
}

const defaults = {
  autoRegister: false,
  heartbeatIntervalSeconds: 300,
  messageLogRetentionDays: 30,
  ocppPathPrefix: 'ocpp',
  allowPlainWs: false,
  logLevel: 'INFO',
  setApiGatewayAccountRole: true,
} as const satisfies Partial<StageConfig>;

export const stageConfigs: Readonly<Record<StageName, StageConfig>> = {
  dev: {
    ...defaults,
    stageName: 'dev',
    // Test chargers and simulators show up unannounced; let them in as `pending`.
    autoRegister: true,
    // Bench chargers are often security profile 1 (Basic auth over ws://).
    allowPlainWs: true,
    logLevel: 'DEBUG',
    logRetention: RetentionDays.TWO_WEEKS,
    removalPolicy: RemovalPolicy.DESTROY,
  },
  prod: {
    ...defaults,
    stageName: 'prod',
    messageLogRetentionDays: 90,
    logRetention: RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.RETAIN,
  },
};

const isStageName = (s: unknown): s is StageName => stageNames.some((n) => n === s);

/** The config for `-c stage=<name>`; throws naming the allowed stages for anything else. */
export function stageConfig(name: unknown): StageConfig {
  if (!isStageName(name)) {
    throw new Error(`Unknown stage ${JSON.stringify(name)}: pass -c stage=${stageNames.join('|')}`);
  }
  return stageConfigs[name];
}
