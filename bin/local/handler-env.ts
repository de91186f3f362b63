/**
 * The environment the handlers run with locally: fixed local credentials, every AWS client pointed at a stand-in
 * (read by shared/store/client-config.ts), and each route's own variables (functions/_routes/environment.ts, the
 * same rules the CDK stack uses). All handlers share this process, so they see the union of their environments;
 * that each AWS function gets only its own is proven by the CDK tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FileEndpointName, SecretName, SettingsName } from '#functions/_common/env.ts';
import { historySettings, routeEnvironment, settingsVariables } from '#functions/_routes/environment.ts';
import type { Registries } from '#functions/_routes/rules.ts';
import type { RouteDef, WebSocketApiName } from '#functions/routes.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { LOCAL_SFTP_SESSION_ROLE_ARN } from './events/transfer.ts';
import type { LocalQueue } from './queues.ts';

export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

export interface PlatformSettings {
  /** @default env AUTO_REGISTER, else env.ts's default */
  readonly autoRegister?: boolean;
  /** @default env AUTO_REGISTER_ALLOW, else none */
  readonly autoRegisterAllow?: string;
  /** @default env HEARTBEAT_INTERVAL_SECONDS, else env.ts's default */
  readonly heartbeatIntervalSeconds?: number;
  /** @default env MESSAGE_LOG_RETENTION_DAYS, else env.ts's default */
  readonly messageLogRetentionDays?: number;
  /** @default env MAX_SAMPLES_PER_MESSAGE, else env.ts's default */
  readonly maxSamplesPerMessage?: number;
  /** @default env MESSAGE_BUDGET_PER_MINUTE, else env.ts's default */
  readonly messageBudgetPerMinute?: number;
  /** @default env MESSAGE_BUDGET_BURST, else env.ts's default */
  readonly messageBudgetBurst?: number;
  /** The largest upload the HTTPS upload endpoint takes. @default env FILE_UPLOAD_MAX_BYTES, else env.ts's default (4 MiB) */
  readonly fileUploadMaxBytes?: number;
}

export interface Endpoints {
  readonly dynamodb: string;
  /** fauxqs serves SQS and S3 on one port. */
  readonly sqsAndS3: string;
  /** The local Secrets Manager (bin/local/secrets.ts). */
  readonly secretsManager: string;
  /** The local API Gateway of each WebSocket API, which also serves its @connections. */
  readonly webSocketApis: Partial<Record<WebSocketApiName, string>>;
  /** The Cognito stand-in and its pool. */
  readonly userPool?: { readonly id: string; readonly endpoint: string; readonly issuer: string };
  /** Where chargers reach the file endpoints the hosts serve, e.g. `uploads: 'http://127.0.0.1:8084'`. */
  readonly fileEndpoints?: Partial<Record<FileEndpointName, string>>;
}

/** The local value of everything a route's access may name. */
export interface LocalResources {
  /** Physical table names by logical name. */
  readonly tables: Readonly<Record<string, string>>;
  readonly queues: Readonly<Record<string, LocalQueue>>;
  /** Local bucket names by logical name. */
  readonly buckets: Readonly<Record<string, string>>;
  /** Values: what the local edge (CloudFront's stand-in) sends; handlers read them from the stand-in, by id. */
  readonly secrets: Readonly<Record<SecretName, string>>;
  /** The id of each secret in the local Secrets Manager. */
  readonly secretIds: Readonly<Record<SecretName, string>>;
  readonly settings: Readonly<Record<SettingsName, Readonly<Record<string, string>>>>;
}

const chosen = (value: boolean | number | string | undefined, envName: string) =>
  value === undefined ? process.env[envName] : String(value);

/** The settings groups from `npm start` options (or the shell's variables), checked against their schemas. */
export const localSettings = (settings: PlatformSettings): Record<SettingsName, Record<string, string>> => ({
  chargers: settingsVariables('chargers', {
    AUTO_REGISTER: chosen(settings.autoRegister, 'AUTO_REGISTER'),
    AUTO_REGISTER_ALLOW: chosen(settings.autoRegisterAllow, 'AUTO_REGISTER_ALLOW'),
    AUTO_REGISTER_MAX_PENDING: process.env.AUTO_REGISTER_MAX_PENDING,
    AUTO_REGISTER_PENDING_HOURS: process.env.AUTO_REGISTER_PENDING_HOURS,
    HEARTBEAT_INTERVAL_SECONDS: chosen(settings.heartbeatIntervalSeconds, 'HEARTBEAT_INTERVAL_SECONDS'),
    MESSAGE_LOG_RETENTION_DAYS: chosen(settings.messageLogRetentionDays, 'MESSAGE_LOG_RETENTION_DAYS'),
    // The shell's, else the defaults (shared/ocpp/charger-time.ts).
    CHARGER_CLOCK_AHEAD_SECONDS: process.env.CHARGER_CLOCK_AHEAD_SECONDS,
    CHARGER_CLOCK_BEHIND_DAYS: process.env.CHARGER_CLOCK_BEHIND_DAYS,
    MAX_SAMPLES_PER_MESSAGE: chosen(settings.maxSamplesPerMessage, 'MAX_SAMPLES_PER_MESSAGE'),
    MESSAGE_BUDGET_PER_MINUTE: chosen(settings.messageBudgetPerMinute, 'MESSAGE_BUDGET_PER_MINUTE'),
    MESSAGE_BUDGET_BURST: chosen(settings.messageBudgetBurst, 'MESSAGE_BUDGET_BURST'),
    LIVE_TRANSACTION_WINDOW_MINUTES: process.env.LIVE_TRANSACTION_WINDOW_MINUTES,
  }),
  // The shell's *_RETENTION_DAYS variables, else the defaults.
  history: historySettings({}, process.env),
  files: settingsVariables('files', { FILE_UPLOAD_MAX_BYTES: chosen(settings.fileUploadMaxBytes, 'FILE_UPLOAD_MAX_BYTES') }),
});

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`The local runtime has no ${what}.`);
  return value;
};

/** What the local runtime tells handlers (Powertools) about concurrent invocations in one process. */
export const LOCAL_MAX_CONCURRENCY = 1_000;

/** A route that calls the user pool (its USER_POOL_ID comes from routeEnvironment) reaches the stand-in. */
const userPoolEndpoint = (route: RouteDef, endpoints: Endpoints): Record<string, string> =>
  route.access.userPool?.length ? { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: need(endpoints.userPool, 'Cognito stand-in').endpoint } : {};

/** Builds the handler environment: the union of every route's, plus where the stand-ins are. */
export const handlerEnv = (
  endpoints: Endpoints,
  table: { readonly routes: readonly RouteDef[]; readonly registries: Registries },
  local: LocalResources,
): Record<string, string> => {
  const sources = {
    tableName: (d: { name: string }) => need(local.tables[d.name], `table ${d.name}`),
    queueUrl: (d: { name: string }) => need(local.queues[d.name], `queue ${d.name}`).url,
    bucketName: (d: { name: string }) => need(local.buckets[d.name], `bucket ${d.name}`),
    managementEndpoint: (api: WebSocketApiName) => need(endpoints.webSocketApis[api], `${api} WebSocket API`),
    secret: (name: SecretName) => local.secretIds[name],
    settings: (name: SettingsName) => local.settings[name],
    ...(endpoints.userPool ? { userPoolId: () => need(endpoints.userPool, 'Cognito stand-in').id } : {}),
    ...(endpoints.userPool ? { operatorTokenIssuer: () => need(endpoints.userPool, 'Cognito stand-in').issuer } : {}),
    transferSessionRoleArn: () => LOCAL_SFTP_SESSION_ROLE_ARN,
    fileEndpoint: (name: FileEndpointName) => endpoints.fileEndpoints?.[name] ?? '',
  };
  const management = endpoints.webSocketApis.chargers;
  return Object.assign(
    {
      ...LOCAL_AWS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqsAndS3,
      AWS_ENDPOINT_URL_S3: endpoints.sqsAndS3,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
      ...(management ? { AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: management } : {}),
      // Invocations share this process, as on Lambda Managed Instances: Powertools keeps each one's context apart.
      AWS_LAMBDA_MAX_CONCURRENCY: String(LOCAL_MAX_CONCURRENCY),
    },
    ...table.routes.map((route) => routeEnvironment(route, { ...table, sources })),
    ...table.routes.map((route) => userPoolEndpoint(route, endpoints)),
  ) as Record<string, string>;
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
