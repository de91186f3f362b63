/**
 * The environment the handlers run with locally: fixed local credentials, every AWS client pointed at a stand-in
 * (read by shared/store/client-config.ts), and the platform variables of functions/_common/env.ts, whose schema
 * supplies the defaults so both hosts agree on them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parsePlatformEnv } from '#functions/_common/env.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';

export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

export interface PlatformSettings {
  /** @default env AUTO_REGISTER, else env.ts's default */
  readonly autoRegister?: boolean;
  /** @default env HEARTBEAT_INTERVAL_SECONDS, else env.ts's default */
  readonly heartbeatIntervalSeconds?: number;
  /** @default env MESSAGE_LOG_RETENTION_DAYS, else env.ts's default */
  readonly messageLogRetentionDays?: number;
}

export interface Endpoints {
  readonly dynamodb: string;
  /** fauxqs serves SQS and S3 on one port. */
  readonly sqsAndS3: string;
  /** The local API Gateway, which also serves @connections. */
  readonly gateway: string;
}

const chosen = (value: boolean | number | undefined, envName: string) =>
  value === undefined ? process.env[envName] : String(value);

/** Builds and validates the handler environment; throws naming any invalid setting. */
export const handlerEnv = (
  endpoints: Endpoints,
  tableVars: Record<string, string>,
  originSecret: string,
  settings: PlatformSettings,
): Record<string, string> => {
  const env: Record<string, string | undefined> = {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqsAndS3,
    AWS_ENDPOINT_URL_S3: endpoints.sqsAndS3,
    AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: endpoints.gateway,
    ...tableVars,
    ORIGIN_VERIFY_SECRET: originSecret,
    WS_MANAGEMENT_ENDPOINT: endpoints.gateway,
    AUTO_REGISTER: chosen(settings.autoRegister, 'AUTO_REGISTER'),
    HEARTBEAT_INTERVAL_SECONDS: chosen(settings.heartbeatIntervalSeconds, 'HEARTBEAT_INTERVAL_SECONDS'),
    MESSAGE_LOG_RETENTION_DAYS: chosen(settings.messageLogRetentionDays, 'MESSAGE_LOG_RETENTION_DAYS'),
  };
  const parsed = parsePlatformEnv(env);
  return {
    ...(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>),
    AUTO_REGISTER: String(parsed.AUTO_REGISTER),
    HEARTBEAT_INTERVAL_SECONDS: String(parsed.HEARTBEAT_INTERVAL_SECONDS),
    MESSAGE_LOG_RETENTION_DAYS: String(parsed.MESSAGE_LOG_RETENTION_DAYS),
  };
};

/** Sets `env` on process.env (the handlers run in this process) and returns a function restoring the old values. */
export const applyEnv = (env: Record<string, string>): (() => void) => {
  const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return () => {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
};

/** A DynamoDB client for a local endpoint, configured as the handlers' clients are. */
export const localDynamoClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient(awsClientConfig('dynamodb', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint }));
