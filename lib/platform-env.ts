/**
 * The platform environment of functions/_common/env.ts, built from stack resources. Checked against that schema at
 * synth time, so a variable added there without a value here fails `cdk synth` instead of a cold start.
 */
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as z from 'zod/mini';
import { OriginSecretEnvSchema, PlatformEnvSchema } from '#functions/_common/env.ts';
import { type TableName, tables } from '#shared/store/tables.ts';
import type { StageConfig } from './stage-config.ts';

export interface PlatformEnvInput {
  readonly tables: Readonly<Record<TableName, ITableV2>>;
  /** The @connections endpoint, `https://<api>.execute-api.<region>.<suffix>/<stage>`. */
  readonly managementEndpoint: string;
  readonly config: StageConfig;
}

export type PlatformEnvVars = Readonly<Record<keyof typeof PlatformEnvSchema.shape, string>>;

/** The variables every handler parses at cold start; throws at synth if the config violates the schema. */
export function platformEnvironment(input: PlatformEnvInput): PlatformEnvVars {
  const literal = {
    AUTO_REGISTER: String(input.config.autoRegister),
    HEARTBEAT_INTERVAL_SECONDS: String(input.config.heartbeatIntervalSeconds),
    MESSAGE_LOG_RETENTION_DAYS: String(input.config.messageLogRetentionDays),
  };
  // Token-valued variables (table names, secret, URL) only resolve at deploy time; check the literal ones now.
  z.strictObject(
    z.pick(PlatformEnvSchema, { AUTO_REGISTER: true, HEARTBEAT_INTERVAL_SECONDS: true, MESSAGE_LOG_RETENTION_DAYS: true }).shape,
  ).parse(literal);
  const env: Record<string, string> = {
    ...Object.fromEntries(tables.map((t) => [t.envVar, input.tables[t.name].tableName])),
    ...literal,
    WS_MANAGEMENT_ENDPOINT: input.managementEndpoint,
  };
  const expected = Object.keys(PlatformEnvSchema.shape);
  const missing = expected.filter((k) => !(k in env));
  const unknown = Object.keys(env).filter((k) => !expected.includes(k));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(`platformEnvironment out of sync with env.ts: missing [${missing}], unknown [${unknown}]`);
  }
  return env as PlatformEnvVars;
}

/** ORIGIN_VERIFY_SECRET, for the routes whose access asks for it (a dynamic reference, never the value). */
export const originSecretEnvironment = (originVerifySecret: string): Record<keyof typeof OriginSecretEnvSchema.shape, string> => ({
  ORIGIN_VERIFY_SECRET: originVerifySecret,
});
