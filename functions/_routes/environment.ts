/**
 * A route's environment, from its `access`: the variable names are decided here, once, and each host supplies the
 * values (CDK tokens in lib/route-function.ts, local endpoints in bin/local/handler-env.ts). A function gets
 * exactly what its access names (and an `http` route the console's CORS origins, when the stage has any).
 */
import type { Retention } from '#shared/store/retention.ts';
import type { BucketDef } from '#shared/store/buckets.ts';
import type { QueueDef } from '#shared/store/queues.ts';
import type { TableDef, TableName } from '#shared/store/tables.ts';
import {
  FILE_ENDPOINT_NAMES,
  FILE_ENDPOINT_VARS,
  type FileEndpointName,
  HISTORY_RETENTIONS,
  MANAGEMENT_ENDPOINT_VARS,
  OPERATOR_TOKEN_ISSUER_VAR,
  RETENTION_ENV,
  SECRET_ENV_VARS,
  type SecretName,
  SETTINGS_SCHEMAS,
  type SettingsName,
  SFTP_IDENTITY_VARS,
  USER_POOL_ID_VAR,
  parseEnv,
} from '../_common/env.ts';
import type { RouteDef, WebSocketApiName } from '../routes.ts';
import { CORS_ORIGINS_VAR } from './cors.ts';
import type { Registries } from './rules.ts';

/** Where each host's values come from. */
export interface EnvSources {
  tableName(def: TableDef): string;
  queueUrl(def: QueueDef): string;
  bucketName(def: BucketDef): string;
  managementEndpoint(api: WebSocketApiName): string;
  secret(name: SecretName): string;
  /** A settings group's variables, already checked with `settingsVariables`. */
  settings(name: SettingsName): Readonly<Record<string, string>>;
  /** The operators' Cognito user pool id, for routes with `userPool` access; a host without one cannot run them. */
  userPoolId?(): string;
  /** The `iss` of operators' access tokens, for routes with `operatorTokens`; a host without a user pool cannot run them. */
  operatorTokenIssuer?(): string;
  /** Browser origins of the operator console (CORS); none: no CORS. */
  corsOrigins?(): readonly string[];
  /**
   * Where chargers reach a public file endpoint (`uploads`: the HTTPS upload endpoint's base URL; `sftp`: the SFTP
   * server's `sftp://host[:port]`), for routes with `fileEndpoints`; an empty string where the host has none.
   */
  fileEndpoint?(name: FileEndpointName): string;
  /**
   * The role SFTP sessions run with (Transfer Family assumes it), for the `sftp-identity` route; empty on a stage
   * without an SFTP server. A host without one cannot run that route.
   */
  transferSessionRoleArn?(): string;
}

const byName = <T extends { readonly name: string }>(defs: readonly T[], name: string, what: string): T => {
  const def = defs.find((d) => d.name === name);
  if (!def) throw new Error(`unknown ${what} ${name}`); // checkRoutes reports it first, naming the route
  return def;
};

const fileEndpointsFor = (route: RouteDef, sources: EnvSources): [string, string][] => {
  const { fileEndpoint } = sources;
  if (!fileEndpoint) throw new Error(`${route.id} names fileEndpoints access, but this host cannot tell its file endpoints`);
  return FILE_ENDPOINT_NAMES.map((name) => [FILE_ENDPOINT_VARS[name], fileEndpoint(name)]);
};

/** An `sftp-identity` route's bucket (by name: it gets no access to it) and its sessions' role. */
const sftpIdentityEnv = (route: RouteDef, registries: Registries, sources: EnvSources): [string, string][] => {
  if (route.kind !== 'sftp-identity') return [];
  if (!sources.transferSessionRoleArn) throw new Error(`${route.id} is an SFTP identity provider, but this host has no SFTP session role`);
  return [
    [SFTP_IDENTITY_VARS.bucket, sources.bucketName(byName(registries.buckets, route.bucket, 'bucket'))],
    [SFTP_IDENTITY_VARS.sessionRole, sources.transferSessionRoleArn()],
  ];
};

const userPoolIdFor = (route: RouteDef, sources: EnvSources): string => {
  if (!sources.userPoolId) throw new Error(`${route.id} names userPool access, but this host has no Cognito user pool`);
  return sources.userPoolId();
};

const operatorTokenIssuerFor = (route: RouteDef, sources: EnvSources): string => {
  if (!sources.operatorTokenIssuer) throw new Error(`${route.id} names operatorTokens access, but this host has no Cognito user pool`);
  return sources.operatorTokenIssuer();
};

/** The environment of one route's function: exactly what its access names. */
export const routeEnvironment = (
  route: RouteDef,
  ctx: { readonly registries: Registries; readonly sources: EnvSources },
): Record<string, string> => {
  const { access } = route;
  const { registries, sources } = ctx;
  const origins = sources.corsOrigins?.() ?? [];
  const entries = <T extends { readonly name: string; readonly envVar: string }>(
    defs: readonly T[],
    names: readonly string[],
    what: string,
    valueOf: (def: T) => string,
  ) => names.map((n) => byName(defs, n, what)).map((def) => [def.envVar, valueOf(def)] as const);
  return Object.fromEntries([
    ...entries(registries.tables, Object.keys(access.tables ?? {}) as TableName[], 'table', (d) => sources.tableName(d)),
    ...entries(registries.queues, Object.keys(access.queues ?? {}), 'queue', (d) => sources.queueUrl(d)),
    ...entries(registries.buckets, Object.keys(access.buckets ?? {}), 'bucket', (d) => sources.bucketName(d)),
    ...(access.manageConnections ? [[MANAGEMENT_ENDPOINT_VARS[access.manageConnections.api], sources.managementEndpoint(access.manageConnections.api)]] : []),
    ...(access.secrets ?? []).map((s) => [SECRET_ENV_VARS[s], sources.secret(s)]),
    ...(access.settings ?? []).flatMap((s) => Object.entries(sources.settings(s))),
    ...(access.userPool ? [[USER_POOL_ID_VAR, userPoolIdFor(route, sources)]] : []),
    ...(access.operatorTokens ? [[OPERATOR_TOKEN_ISSUER_VAR, operatorTokenIssuerFor(route, sources)]] : []),
    ...(access.fileEndpoints ? fileEndpointsFor(route, sources) : []),
    ...sftpIdentityEnv(route, registries, sources),
    // Not access but the stage's: the handler adapter echoes an allowed Origin (functions/_routes/cors.ts).
    ...(route.kind === 'http' && origins.length > 0 ? [[CORS_ORIGINS_VAR, origins.join(',')]] : []),
  ]);
};

/**
 * Checks a settings group's values against its schema (at synth, and at `npm start`) and returns every variable
 * of the group as a string, defaults filled in. Throws naming a bad or unknown variable.
 */
export const settingsVariables = (name: SettingsName, raw: Readonly<Record<string, string | undefined>>): Record<string, string> => {
  const schema = SETTINGS_SCHEMAS[name];
  const keys = Object.keys(schema.shape);
  const unknown = Object.keys(raw).filter((k) => !keys.includes(k));
  if (unknown.length > 0) throw new Error(`Settings ${name} have no variable ${unknown.join(', ')}`);
  const present = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const parsed: Readonly<Record<string, unknown>> = parseEnv(schema)(present);
  return Object.fromEntries(keys.map((k) => [k, String(parsed[k])]));
};

/** The `history` settings group from retention days (a missing one from `fallback`, else its default). */
export const historySettings = (days: Partial<Retention>, fallback: Readonly<Record<string, string | undefined>> = {}): Record<string, string> =>
  settingsVariables(
    'history',
    Object.fromEntries(HISTORY_RETENTIONS.map((k) => [RETENTION_ENV[k], days[k]?.toString() ?? fallback[RETENTION_ENV[k]]])),
  );
