/**
 * Per-stage settings of the CDK app, chosen with `-c stage=dev|prod`. No account ids or secrets: the stack is
 * environment-agnostic and the origin secret is generated at deploy time. What differs per deployment (the
 * charger domain, its certificate, the web ACLs, the console's origins, the Cognito domain prefix) comes from context
 * values (`stageContext`), never from this file.
 */
import { createPublicKey } from 'node:crypto';
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Retention } from '#shared/store/retention.ts';
import { DEFAULT_FILE_RETENTION_DAYS } from '#shared/store/buckets.ts';

export const stageNames = ['dev', 'prod'] as const;
export type StageName = (typeof stageNames)[number];
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** The charger endpoint's own name and its certificate. */
export interface CustomDomain {
  /** e.g. `ocpp.example.com`; point a CNAME (or Route 53 alias) at the distribution (output `DistributionDomain`). */
  readonly domainName: string;
  /** An ACM certificate for `domainName` in us-east-1 (CloudFront reads certificates only there). */
  readonly certificateArn: string;
}

/** API Gateway stage throttling of one route: a token bucket, `ratePerSecond` refill and `burst` capacity. */
export interface RouteThrottle {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface StageConfig {
  /** Also the API Gateway stage name and part of the stack name. */
  readonly stageName: StageName;
  /** Unknown chargers that connect are created `pending` instead of refused. @default false */
  readonly autoRegister: boolean;
  /** BootNotification interval; below API Gateway's 10-minute idle timeout. @default 300 */
  readonly heartbeatIntervalSeconds: number;
  /** Days the OCPP message log keeps frames (DynamoDB TTL). @default 30 */
  readonly messageLogRetentionDays: number;
  /**
   * Any other variable of the `chargers` settings group (functions/_common/env.ts), e.g. `AUTO_REGISTER_ALLOW`,
   * `CHARGER_CLOCK_AHEAD_SECONDS`, `MESSAGE_BUDGET_PER_MINUTE`; checked against its schema at synth. From
   * `-c chargerSettings='{"AUTO_REGISTER_ALLOW":"ACME-*"}'`. @default {}
   */
  readonly chargerSettings: Readonly<Record<string, string>>;
  /**
   * Days diagnostics and logs chargers uploaded stay in the files bucket (`chargers/`; firmware is kept). A deleted or
   * expired file's bytes go for good DEFAULT_NONCURRENT_VERSION_DAYS later. @default 90
   */
  readonly fileRetentionDays: number;
  /**
   * The largest body the HTTPS upload endpoint takes (`FILE_UPLOAD_MAX_BYTES`, docs/files.md): at most 4,400,000, as
   * Lambda's 6 MiB payload holds the body base64-encoded. From `-c fileUploadMaxBytes=…`. @default 4194304 (4 MiB)
   */
  readonly fileUploadMaxBytes: number;
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
  /**
   * Chargers connect to this name with this certificate; CloudFront then refuses TLS below 1.2 (`TLSv1.2_2021`).
   * Without it CloudFront's default certificate allows TLS 1.0. From `-c domainName=… -c certificateArn=…`.
   */
  readonly customDomain?: CustomDomain;
  /** Synth fails without `customDomain` (security profile 2 and 3 need TLS 1.2 or newer). */
  readonly requireCustomDomain: boolean;
  /**
   * ARN of a CLOUDFRONT-scope WAF web ACL for the charger distribution: the `EdgeWaf` stack's output
   * (lib/edge-waf-stack.ts, deployed in us-east-1) or an organisation's own. From `-c webAclArn=…`.
   */
  readonly webAclArn?: string;
  /** Synth fails without `webAclArn`. */
  readonly requireWebAcl: boolean;
  /** Upgrades per 5 minutes one IP address may send to the charger path before WAF blocks it (EdgeWaf stack). */
  readonly wafUpgradesPerIpPer5Min: number;
  /** Stage throttling of the charger API's `$connect`: what reaches the authorizer at most, fleet-wide. */
  readonly connectThrottle: RouteThrottle;
  /** Stage throttling of the operators' API's `$connect` (docs/live-events.md): what reaches its authorizer at most. */
  readonly operatorsConnectThrottle: RouteThrottle;
  /** Stage throttling of the operators' API's `$default`: the subscribe / unsubscribe messages of all clients together. */
  readonly operatorsMessageThrottle: RouteThrottle;
  /** Reserved concurrency per route id, replacing the route table's `reservedConcurrency`. @default {} */
  readonly reservedConcurrency: Readonly<Record<string, number>>;
  /** Customer-managed KMS keys (rotated yearly) for the DynamoDB tables, the CloudWatch log groups and the files bucket. */
  readonly customerManagedKeys: boolean;
  /**
   * The origin secret's version CloudFront sends (`VersionId`); setting a new one after a rotation makes the
   * deploy update the distribution's origin header (README, "Rotating the origin secret"). @default AWSCURRENT
   */
  readonly originSecretVersionId?: string;
  /**
   * Origins of the operator console allowed to call the REST API from a browser (CORS), e.g.
   * `https://console.example.com`. Empty: no CORS at all (no OPTIONS methods, no CORS headers). From
   * `-c consoleOrigins=https://a.example.com,https://b.example.com`. @default []
   */
  readonly consoleOrigins: readonly string[];
  /** ARN of a REGIONAL WAF web ACL to associate with the REST API's stage. From `-c restApiWebAclArn=…`. @default none */
  readonly restApiWebAclArn?: string;
  /**
   * Prefix of the operators' Cognito domain `https://<prefix>.auth.<region>.amazoncognito.com`, whose token endpoint
   * machine clients use; unique per region across AWS. From `-c operatorDomainPrefix=…`.
   * @default `ov2xmp-<stage>-<account id>`
   */
  readonly operatorDomainPrefix?: string;
  /** How long a person stays signed in without entering the password again (refresh token validity). @default 30 */
  readonly operatorSessionDays: number;
  /**
   * Cognito threat protection (Plus feature plan, billed per monthly active user): compromised-credential and
   * risky sign-in detection, enforced. Off: Essentials plan. @default true
   */
  readonly operatorThreatProtection: boolean;
  /** A sample machine client (client credentials, scope `csms/read`), for trying the token endpoint. `-c sampleMachineClient=true`. @default false */
  readonly sampleMachineClient: boolean;
  /**
   * An AWS Transfer Family SFTP server chargers upload diagnostics and logs to (lib/file-transfer.ts). It bills by
   * the hour while it exists, busy or idle, so dev stages go without it unless `-c sftp=true`; without it no command
   * is sent an `sftp://` location (HTTPS uploads remain). `-c sftp=true|false`. @default false (prod: true)
   */
  readonly sftp: boolean;
  /**
   * The name chargers reach the SFTP server by, e.g. `files.example.com` (a CNAME to the server's endpoint, output
   * `SftpEndpoint`); its host key is the server's. From `-c sftpHostName=…`. @default the server's own endpoint name
   */
  readonly sftpHostName?: string;
  /**
   * The public half of the CloudFront key pair that signs plain-HTTP firmware downloads, as PEM (`BEGIN PUBLIC KEY`,
   * RSA 2048 or ECDSA P-256: what CloudFront verifies signed URLs with). With it the stage gets a CloudFront
   * distribution that also serves `http://` for chargers that cannot do HTTPS (lib/firmware-http-edge.ts, output
   * `FirmwareHttpUrl`); the operator puts the private half in the `FirmwareHttpSigningKeySecret` secret. bin/app.ts
   * reads it from the file `-c firmwareHttpPublicKey=<path>` names. @default none (firmware over HTTPS only)
   */
  readonly firmwareHttpPublicKeyPem?: string;
  /** Subscribed by email to the alarm topic (lib/monitoring.ts); confirms once by mail. From `-c alarmEmail=…`. @default none */
  readonly alarmEmail?: string;
  /** Refused charger connections (all reasons) per 5 minutes above which the refusal-spike alarm fires. @default 100 */
  readonly connectRefusalAlarmPer5Min: number;
}

const defaults = {
  autoRegister: false,
  heartbeatIntervalSeconds: 300,
  messageLogRetentionDays: 30,
  fileRetentionDays: DEFAULT_FILE_RETENTION_DAYS,
  chargerSettings: {},
  fileUploadMaxBytes: 4 * 1024 * 1024,
  ocppPathPrefix: 'ocpp',
  allowPlainWs: false,
  logLevel: 'INFO',
  setApiGatewayAccountRole: true,
  requireCustomDomain: false,
  requireWebAcl: false,
  // A site's chargers may share one NAT address and reconnect together after an outage: 300 per 5 minutes
  // (1/s) lets a site of dozens back in at once while one address cannot flood the authorizer.
  wafUpgradesPerIpPer5Min: 300,
  // 20 reserved authorizer instances at ~50 ms per check serve about 400 checks/s; the stage admits 100/s
  // (bursts of 200) so a storm queues at the edge (429, chargers back off) instead of at the authorizer.
  connectThrottle: { ratePerSecond: 100, burst: 200 },
  // Sized for a few hundred console users and scripts. A client connects once per page or run, and again after a
  // drop (the 2-hour limit, or the fan-out closing a subscriber that fell behind): 300 reconnecting together are back
  // in 30 s at 10/s, well within the authorizer's reserved 10 instances; a burst of 20 lets a team open consoles at
  // once. Each connection then sends a subscribe or two (50 targets per message) and more as views change: 50/s,
  // bursts of 100, carries a reconnect wave's resubscriptions several times over while a runaway script is held back.
  operatorsConnectThrottle: { ratePerSecond: 10, burst: 20 },
  operatorsMessageThrottle: { ratePerSecond: 50, burst: 100 },
  reservedConcurrency: {},
  customerManagedKeys: false,
  consoleOrigins: [],
  operatorSessionDays: 30,
  operatorThreatProtection: true,
  sampleMachineClient: false,
  sftp: false,
  // A charger with a stale password retries every 30 s or so (10 per 5 minutes): a hundred is a fleet or a guesser.
  connectRefusalAlarmPer5Min: 100,
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
    requireCustomDomain: true,
    requireWebAcl: true,
    customerManagedKeys: true,
    sftp: true,
  },
};

const isStageName = (s: unknown): s is StageName => stageNames.some((n) => n === s);

/** The per-deployment values `cdk -c name=value` may give (bin/app.ts reads them). */
export interface StageContext {
  readonly domainName?: string;
  readonly certificateArn?: string;
  readonly webAclArn?: string;
  readonly originSecretVersionId?: string;
  readonly chargerSettings?: Readonly<Record<string, string>>;
  /** Comma-separated origins. */
  readonly consoleOrigins?: string;
  readonly restApiWebAclArn?: string;
  readonly operatorDomainPrefix?: string;
  /** `true` or `false`. */
  readonly sampleMachineClient?: string;
  /** Bytes, a whole number. */
  readonly fileUploadMaxBytes?: string;
  /** `true` or `false`. */
  readonly sftp?: string;
  readonly sftpHostName?: string;
  /** The PEM text, which bin/app.ts reads from the file `-c firmwareHttpPublicKey=<path>` names. */
  readonly firmwareHttpPublicKeyPem?: string;
  readonly alarmEmail?: string;
}
/** Context values passed through as they are; `chargerSettings` and `firmwareHttpPublicKey` are read by bin/app.ts. */
export const STAGE_CONTEXT_KEYS = [
  'domainName',
  'certificateArn',
  'webAclArn',
  'originSecretVersionId',
  'consoleOrigins',
  'restApiWebAclArn',
  'operatorDomainPrefix',
  'sampleMachineClient',
  'fileUploadMaxBytes',
  'sftp',
  'sftpHostName',
  'alarmEmail',
] as const;

/** The config for `-c stage=<name>` with the deployment's context values; throws naming the allowed stages for anything else. */
export function stageConfig(name: unknown, context: StageContext = {}): StageConfig {
  if (!isStageName(name)) {
    throw new Error(`Unknown stage ${JSON.stringify(name)}: pass -c stage=${stageNames.join('|')}`);
  }
  const { domainName, certificateArn, webAclArn, originSecretVersionId, chargerSettings } = context;
  const { consoleOrigins, restApiWebAclArn, operatorDomainPrefix, sampleMachineClient, fileUploadMaxBytes, sftp, sftpHostName } = context;
  const { firmwareHttpPublicKeyPem, alarmEmail } = context;
  const origins = consoleOrigins?.split(',').map((o) => o.trim()).filter((o) => o !== '');
  return {
    ...stageConfigs[name],
    ...(domainName || certificateArn ? { customDomain: { domainName: domainName ?? '', certificateArn: certificateArn ?? '' } } : {}),
    ...(webAclArn ? { webAclArn } : {}),
    ...(originSecretVersionId ? { originSecretVersionId } : {}),
    ...(chargerSettings ? { chargerSettings: { ...stageConfigs[name].chargerSettings, ...chargerSettings } } : {}),
    ...(origins ? { consoleOrigins: origins } : {}),
    ...(restApiWebAclArn ? { restApiWebAclArn } : {}),
    ...(operatorDomainPrefix ? { operatorDomainPrefix } : {}),
    ...(sampleMachineClient ? { sampleMachineClient: sampleMachineClient === 'true' } : {}),
    // Checked against the settings schema at synth (lib/settings-env.ts), naming the variable.
    ...(fileUploadMaxBytes ? { fileUploadMaxBytes: Number(fileUploadMaxBytes) } : {}),
    ...(sftp ? { sftp: sftp === 'true' } : {}),
    ...(sftpHostName ? { sftpHostName } : {}),
    ...(firmwareHttpPublicKeyPem ? { firmwareHttpPublicKeyPem } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
  };
}

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const US_EAST_1_CERTIFICATE = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;
const CLOUDFRONT_WEB_ACL = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[0-9a-f-]{36}$/;
const REGIONAL_WEB_ACL = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]+\/[0-9a-f-]{36}$/;
// A browser origin: https, or http on the loopback for a console under development. No path, no trailing slash.
const ORIGIN = /^(https:\/\/([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/;
// Cognito's rule for domain prefixes; these three words are reserved.
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_IN_PREFIX = /aws|amazon|cognito/;
// One address, local@domain with a dot in the domain: SNS takes anything and the subscription then never confirms.
const EMAIL = /^[^\s@,;]+@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * What a stage requires and the context values must satisfy; checked when the stack is built, so `cdk synth`
 * fails with every problem and what to pass, before anything reaches CloudFormation.
 */
export const stageConfigProblems = (config: StageConfig): string[] => {
  const { customDomain: domain, webAclArn } = config;
  const pass = `pass -c domainName=ocpp.example.com -c certificateArn=arn:aws:acm:us-east-1:<account>:certificate/<id>`;
  return [
    ...(config.requireCustomDomain && !domain
      ? [`stage ${config.stageName} requires a custom domain and an ACM certificate for the charger endpoint (TLS 1.2+): ${pass}`]
      : []),
    ...(domain && !DOMAIN_NAME.test(domain.domainName)
      ? [`domainName ${JSON.stringify(domain.domainName)} is not a lower-case DNS name (e.g. ocpp.example.com)`]
      : []),
    ...(domain && !US_EAST_1_CERTIFICATE.test(domain.certificateArn)
      ? [`certificateArn ${JSON.stringify(domain.certificateArn)} is not an ACM certificate ARN in us-east-1 (CloudFront reads certificates only there)`]
      : []),
    ...(config.requireWebAcl && !webAclArn
      ? [`stage ${config.stageName} requires a CLOUDFRONT-scope WAF web ACL: deploy the EdgeWaf stack (us-east-1) and pass -c webAclArn=<its WebAclArn output>`]
      : []),
    ...(webAclArn && !CLOUDFRONT_WEB_ACL.test(webAclArn)
      ? [`webAclArn ${JSON.stringify(webAclArn)} is not a CLOUDFRONT-scope web ACL ARN (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)`]
      : []),
    ...restApiProblems(config),
    ...(Number.isInteger(config.fileRetentionDays) && config.fileRetentionDays >= 1 && config.fileRetentionDays <= MAX_FILE_RETENTION_DAYS
      ? []
      : [`fileRetentionDays must be a whole number of days in 1–${MAX_FILE_RETENTION_DAYS}, got ${config.fileRetentionDays}`]),
    ...(config.sftpHostName !== undefined && !DOMAIN_NAME.test(config.sftpHostName)
      ? [`sftpHostName ${JSON.stringify(config.sftpHostName)} is not a lower-case DNS name (e.g. files.example.com)`]
      : []),
    ...(config.sftpHostName !== undefined && !config.sftp ? ['sftpHostName names the SFTP server, but the stage has none: pass -c sftp=true too'] : []),
    ...(config.firmwareHttpPublicKeyPem === undefined ? [] : firmwareHttpKeyProblems(config.firmwareHttpPublicKeyPem)),
    ...monitoringProblems(config),
  ];
};

/** The alarm topic's subscriber and thresholds. */
const monitoringProblems = (config: StageConfig): string[] => [
  ...(config.alarmEmail !== undefined && !EMAIL.test(config.alarmEmail)
    ? [`alarmEmail ${JSON.stringify(config.alarmEmail)} is not one email address (e.g. -c alarmEmail=ops@example.com)`]
    : []),
  ...(Number.isInteger(config.connectRefusalAlarmPer5Min) && config.connectRefusalAlarmPer5Min >= 1
    ? []
    : [`connectRefusalAlarmPer5Min must be a whole number of refusals, at least 1, got ${config.connectRefusalAlarmPer5Min}`]),
];

const PUBLIC_KEY_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----\s*$/;

/** The kinds of key CloudFront verifies signed URLs with, and what `node:crypto` calls them. */
const SIGNED_URL_KEYS: readonly { readonly type: string; readonly matches: (d: { modulusLength?: number; namedCurve?: string }) => boolean }[] = [
  { type: 'rsa', matches: (d) => d.modulusLength === 2048 },
  { type: 'ec', matches: (d) => d.namedCurve === 'prime256v1' },
];

/** Whether the public key PEM is one CloudFront takes for signed URLs; a private key is refused before it lands in a template. */
const firmwareHttpKeyProblems = (pem: string): string[] => {
  const what = 'firmwareHttpPublicKey must name a file holding a CloudFront signing public key';
  if (/PRIVATE KEY/.test(pem)) return [`${what}, but it holds a private key: pass the public half (openssl pkey -pubout), keep the private one for the secret`];
  if (!PUBLIC_KEY_PEM.test(pem.trim())) return [`${what} as PEM ("-----BEGIN PUBLIC KEY-----", SPKI), e.g. from openssl pkey -pubout`];
  try {
    const key = createPublicKey(pem);
    const kind = SIGNED_URL_KEYS.find((k) => k.type === key.asymmetricKeyType);
    if (kind?.matches(key.asymmetricKeyDetails ?? {})) return [];
    const details = JSON.stringify({ type: key.asymmetricKeyType, ...key.asymmetricKeyDetails }, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    return [`${what}; CloudFront signs URLs with RSA 2048 or ECDSA P-256 keys only, this one is ${details}`];
  } catch (error) {
    return [`${what}; the PEM does not parse as one: ${(error as Error).message}`];
  }
};

/** Ten years: beyond that a file is an archive, which wants a bucket (and storage class) of its own. */
export const MAX_FILE_RETENTION_DAYS = 3650;

/** The REST API's and the operators' pool settings. */
const restApiProblems = (config: StageConfig): string[] => {
  const { restApiWebAclArn: acl, operatorDomainPrefix: prefix } = config;
  return [
    ...config.consoleOrigins
      .filter((o) => !ORIGIN.test(o))
      .map((o) => `consoleOrigins: ${JSON.stringify(o)} is not a browser origin (https://console.example.com, no path; http only for localhost)`),
    ...(acl && !REGIONAL_WEB_ACL.test(acl)
      ? [`restApiWebAclArn ${JSON.stringify(acl)} is not a REGIONAL web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>)`]
      : []),
    ...(prefix !== undefined && (!DOMAIN_PREFIX.test(prefix) || RESERVED_IN_PREFIX.test(prefix))
      ? [`operatorDomainPrefix ${JSON.stringify(prefix)} must be 1–63 lower-case letters, digits and inner hyphens, without aws, amazon or cognito`]
      : []),
    ...(Number.isInteger(config.operatorSessionDays) && config.operatorSessionDays >= 1 && config.operatorSessionDays <= 3650
      ? []
      : [`operatorSessionDays must be a whole number of days in 1–3650 (Cognito's refresh token limit), got ${config.operatorSessionDays}`]),
  ];
};
