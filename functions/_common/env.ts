/**
 * The environment handlers read, as schemas, parsed once per container. A function's environment holds only what
 * its route's `access` names (functions/_routes/environment.ts builds it for both hosts):
 * - each table's `envVar` (shared/store/tables.ts), each queue's URL and each bucket's name variable;
 * - `WS_MANAGEMENT_ENDPOINT` (`OPERATORS_WS_MANAGEMENT_ENDPOINT` for the operators' API) with `manageConnections`;
 * - a secret's id variable (`SECRET_ENV_VARS`) with `secrets`: the value is read from Secrets Manager (secrets.ts);
 * - a settings group's variables (`SETTINGS_SCHEMAS`) with `settings`, e.g. `settings: ['chargers']`;
 * - `USER_POOL_ID` with `userPool`; `OPERATOR_TOKEN_ISSUER` with `operatorTokens`;
 * - `FILE_UPLOAD_URL`, `FILE_SFTP_URL` and `FIRMWARE_HTTP_URL` (`FILE_ENDPOINT_VARS`) with `fileEndpoints`.
 * - for an `sftp-identity` route, its sessions' bucket and role (`SFTP_IDENTITY_VARS`).
 * zod's "mini" build: the full one would add some 440 KB to every Lambda bundle for a handful of variables.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { DEFAULT_RETENTION, type Retention } from '#shared/store/retention.ts';

// Readable messages ("Too small: expected number to be >=10") for the few that ever show at a cold start.
z.config(en());

const flag = z.pipe(
  z._default(z.enum(['true', 'false']), 'false'),
  z.transform((v) => v === 'true'),
);
const whole = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

/**
 * Settings of the charger-facing handlers, from the stage config (lib/stage-config.ts) or `npm start` options.
 * The defaults are the documented ones, so a handler test may leave them out; the hosts always set them.
 */
export const ChargerSettingsSchema = z.object({
  /**
   * Unknown chargers that connect are created `pending` instead of refused, if their id matches
   * AUTO_REGISTER_ALLOW or their password is an unused enrolment code (shared/charger/auto-registration.ts).
   */
  AUTO_REGISTER: flag,
  /** Ids that may auto-register: comma-separated patterns, `*` any run of characters, `?` one; case-insensitive. */
  AUTO_REGISTER_ALLOW: z._default(z.string(), ''),
  /** At most this many auto-registered chargers wait pending at a time; more are refused. */
  AUTO_REGISTER_MAX_PENDING: whole(1, 100_000, 100),
  /** An auto-registered charger nobody accepted or rejected is forgotten after this many hours. */
  AUTO_REGISTER_PENDING_HOURS: whole(1, 24 * 90, 72),
  /** Heartbeat interval handed out in BootNotification; below API Gateway's 10-minute idle timeout. */
  HEARTBEAT_INTERVAL_SECONDS: whole(10, 590, 300),
  /** How long the OCPP message log keeps frames (DynamoDB TTL). */
  MESSAGE_LOG_RETENTION_DAYS: whole(1, 3650, 30),
  /**
   * How far ahead of the receive time a charger's timestamp is believed (shared/ocpp/charger-time.ts); beyond it
   * the receive time is used and the charger's time kept as a fact.
   */
  CHARGER_CLOCK_AHEAD_SECONDS: whole(0, 86_400, 300),
  /** How far behind the receive time a charger's timestamp is believed: the oldest offline backlog kept at its own time. */
  CHARGER_CLOCK_BEHIND_DAYS: whole(1, 3650, 365),
  /**
   * Meter samples one message may carry (each is one stored item): more in a MeterValues is refused with
   * OccurrenceConstraintViolation; a StopTransaction or TransactionEvent keeps its newest this many.
   */
  MAX_SAMPLES_PER_MESSAGE: whole(1, 2_000, 500),
  /** Messages a charger may send per minute, sustained (shared/inbound/message-budget.ts). */
  MESSAGE_BUDGET_PER_MINUTE: whole(1, 1_000_000, 600),
  /** Messages a charger may send at once, above the sustained rate (a reconnect replays its queue). */
  MESSAGE_BUDGET_BURST: whole(1, 1_000_000, 300),
  /**
   * A transaction with no event for this many minutes is stale: it never makes a start of its token on another
   * charger ConcurrentTx, and `GET /transactions?state=stale` lists it (shared/transaction/token-use.ts).
   */
  LIVE_TRANSACTION_WINDOW_MINUTES: whole(5, 7 * 24 * 60, 240),
});

/** The variable of each retention: the `history` settings group below, and the message log's charger setting. */
export const RETENTION_ENV = {
  statusHistoryDays: 'STATUS_HISTORY_RETENTION_DAYS',
  meterValuesDays: 'METER_VALUES_RETENTION_DAYS',
  timelineDays: 'TIMELINE_RETENTION_DAYS',
  deviceReportDays: 'DEVICE_REPORT_RETENTION_DAYS',
  transactionEventDays: 'TRANSACTION_EVENT_RETENTION_DAYS',
  messageLogDays: 'MESSAGE_LOG_RETENTION_DAYS',
} as const satisfies Readonly<Record<keyof Retention, string>>;

/** The retentions of the `history` group (the message log's is a charger setting). */
export const HISTORY_RETENTIONS = ['statusHistoryDays', 'meterValuesDays', 'timelineDays', 'deviceReportDays', 'transactionEventDays'] as const;

/**
 * How long each kind of history is kept (DynamoDB TTL), for routes that write history. The message log's
 * retention is a charger setting above; the defaults are shared/store/retention.ts's.
 */
export const HistorySettingsSchema = z.object({
  [RETENTION_ENV.statusHistoryDays]: whole(1, 3650, DEFAULT_RETENTION.statusHistoryDays),
  [RETENTION_ENV.meterValuesDays]: whole(1, 3650, DEFAULT_RETENTION.meterValuesDays),
  [RETENTION_ENV.timelineDays]: whole(1, 3650, DEFAULT_RETENTION.timelineDays),
  [RETENTION_ENV.deviceReportDays]: whole(1, 3650, DEFAULT_RETENTION.deviceReportDays),
  [RETENTION_ENV.transactionEventDays]: whole(1, 3650, DEFAULT_RETENTION.transactionEventDays),
});

/** Lambda's synchronous invocation payload limit (request and response): 6 MiB. */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/**
 * The largest upload the HTTPS endpoint may be set to accept. A function URL hands the body to Lambda base64-encoded
 * (4 bytes for every 3) inside the event, and the whole event must fit in Lambda's 6 MiB payload: 4,718,592 bytes of
 * body at most, less the event's headers and fields. 4,400,000 leaves some 400 KB for them; beyond it the gateway,
 * not our handler, would refuse the upload.
 */
export const MAX_FILE_UPLOAD_BYTES = 4_400_000;

/** Settings of the file endpoints (docs/files.md). */
export const FilesSettingsSchema = z.object({
  /** The largest request body the HTTPS upload endpoint takes (a multipart envelope counts); larger gets 413. 4 MiB. */
  FILE_UPLOAD_MAX_BYTES: whole(1, MAX_FILE_UPLOAD_BYTES, 4 * 1024 * 1024),
});

/** Settings groups a route may declare in `access.settings`; each host sets every variable of a declared group. */
export const SETTINGS_SCHEMAS = { chargers: ChargerSettingsSchema, history: HistorySettingsSchema, files: FilesSettingsSchema } as const;
export type SettingsName = keyof typeof SETTINGS_SCHEMAS;

/** The variable `manageConnections` adds: the @connections endpoint of the named WebSocket API's stage. */
export const MANAGEMENT_ENDPOINT_VAR = 'WS_MANAGEMENT_ENDPOINT';
/**
 * Each WebSocket API's variable: the local runtime runs every handler in one process with the union of their
 * environments, so the two APIs' endpoints cannot share a name.
 */
export const MANAGEMENT_ENDPOINT_VARS = { chargers: MANAGEMENT_ENDPOINT_VAR, operators: 'OPERATORS_WS_MANAGEMENT_ENDPOINT' } as const;

/** On AWS it is derived from the event's domain and stage when unset (functions/_common/connections.ts). */
export const ManagementEndpointEnvSchema = z.object({ [MANAGEMENT_ENDPOINT_VAR]: z.optional(z.url()) });

/**
 * Secrets a route may name in `access.secrets`. The function's environment holds the secret's id (an ARN on AWS,
 * a name locally) in `envVar`, never the value: functions/_common/secrets.ts reads the value from Secrets Manager.
 * Each host creates one secret per entry (lib/csms-stack.ts, bin/local/secrets.ts), generated with `length`
 * alphanumerics; a value shorter than `minLength` fails the cold start.
 */
export const SECRETS = {
  /** The value CloudFront sends as X-Origin-Verify; the charger `$connect` authorizer compares it. */
  originVerify: { envVar: 'ORIGIN_VERIFY_SECRET_ID', minLength: 16, length: 48, description: 'X-Origin-Verify value CloudFront sends to the OCPP WebSocket API' },
  /**
   * The pepper generated charger passwords and enrolment codes are MACed with (shared/charger/credentials.ts). Each
   * hash names the pepper it was made with, so checks accept hashes made under the current or the previous value.
   */
  passwordPepper: {
    envVar: 'PASSWORD_PEPPER_SECRET_ID',
    minLength: 32,
    length: 64,
    description: 'HMAC-SHA256 pepper of CSMS-generated charger passwords and enrolment codes',
  },
  /**
   * The CloudFront key pair the file endpoint signs plain-HTTP firmware downloads with (shared/file/firmware-http.ts):
   * JSON `{"keyPairId":"K…","privateKey":"-----BEGIN PRIVATE KEY-----…"}`, put by the operator (docs/files.md). The
   * stack creates it with a short placeholder that no check accepts, so HTTP downloads answer 503 until it is put.
   */
  firmwareHttpSigningKey: {
    envVar: 'FIRMWARE_HTTP_SIGNING_KEY_SECRET_ID',
    minLength: 200,
    length: 32,
    description: 'CloudFront key pair id and private key (JSON) signing plain-HTTP firmware download URLs; put by the operator',
  },
} as const satisfies Readonly<Record<string, SecretDef>>;

export interface SecretDef {
  readonly envVar: string;
  readonly minLength: number;
  readonly length: number;
  readonly description: string;
}
export type SecretName = keyof typeof SECRETS;

/** The id variable of each secret. */
export const SECRET_ENV_VARS = Object.fromEntries(Object.entries(SECRETS).map(([name, def]) => [name, def.envVar])) as {
  readonly [K in SecretName]: (typeof SECRETS)[K]['envVar'];
};
export const SECRET_NAMES = Object.keys(SECRETS) as SecretName[];

/** The variable `userPool` access adds: the id of the operators' Cognito user pool (`users` routes). */
export const USER_POOL_ID_VAR = 'USER_POOL_ID';

export const UserPoolEnvSchema = z.object({ [USER_POOL_ID_VAR]: z.string().check(z.minLength(1)) });

/**
 * Variables of the public file endpoints (route access `fileEndpoints`); empty when the stage has none. The upload
 * endpoint's base URL (no trailing slash), the SFTP server's `sftp://host[:port]`, and the plain-HTTP firmware
 * distribution's `http://host` (CloudFront in front of the upload endpoint, for chargers that cannot do HTTPS).
 */
export const FILE_ENDPOINT_VARS = { uploads: 'FILE_UPLOAD_URL', sftp: 'FILE_SFTP_URL', firmwareHttp: 'FIRMWARE_HTTP_URL' } as const;
export type FileEndpointName = keyof typeof FILE_ENDPOINT_VARS;
export const FILE_ENDPOINT_NAMES = Object.keys(FILE_ENDPOINT_VARS) as FileEndpointName[];

/**
 * What an `sftp-identity` route's function gets beside its access: the name of the bucket its sessions write to (it
 * may not touch the bucket itself) and the ARN of the role Transfer Family assumes for them, empty on a stage without
 * an SFTP server (every login is then refused).
 */
export const SFTP_IDENTITY_VARS = { bucket: 'TRANSFER_HOME_BUCKET', sessionRole: 'TRANSFER_SESSION_ROLE_ARN' } as const;

export const SftpIdentityEnvSchema = z.object({
  [SFTP_IDENTITY_VARS.bucket]: z.string().check(z.minLength(1)),
  [SFTP_IDENTITY_VARS.sessionRole]: z._default(z.string(), ''),
});

/**
 * The variable `operatorTokens` access adds: the `iss` of operators' access tokens (the user pool's provider URL on
 * AWS, the Cognito stand-in's locally); its JWKS is `<issuer>/.well-known/jwks.json`.
 */
export const OPERATOR_TOKEN_ISSUER_VAR = 'OPERATOR_TOKEN_ISSUER';

export const OperatorTokenEnvSchema = z.object({ [OPERATOR_TOKEN_ISSUER_VAR]: z.url() });

/** The operators' API's @connections endpoint (set with `manageConnections` on the `operators` API). */
export const OperatorsManagementEnvSchema = z.object({ [MANAGEMENT_ENDPOINT_VARS.operators]: z.optional(z.url()) });

/** Parses the environment, naming every missing or malformed variable so a cold start fails loudly. */
export const parseEnv =
  <S extends z.ZodMiniType>(schema: S) =>
  (source: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> => {
    const parsed = schema.safeParse(source);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`Invalid environment: ${problems}`);
    }
    return Object.freeze(parsed.data);
  };

export const parseChargerSettings = parseEnv(ChargerSettingsSchema);
export const parseManagementEndpointEnv = parseEnv(ManagementEndpointEnvSchema);
export const parseUserPoolEnv = parseEnv(UserPoolEnvSchema);
export const parseFilesSettings = parseEnv(FilesSettingsSchema);
export const parseSftpIdentityEnv = parseEnv(SftpIdentityEnvSchema);
export const parseOperatorTokenEnv = parseEnv(OperatorTokenEnvSchema);
export const parseOperatorsManagementEnv = parseEnv(OperatorsManagementEnvSchema);
