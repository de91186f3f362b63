/**
 * Secrets locally: a Secrets Manager stand-in that speaks the service's JSON protocol (GetSecretValue with a
 * version stage or id, PutSecretValue as a rotation: AWSCURRENT moves to the new value, the old one becomes
 * AWSPREVIOUS), so the handlers read their secrets through the same SDK call as on AWS (functions/_common/secrets.ts).
 *
 * One stand-in per process, started on first use and never holding the process open: handlers are imported once
 * per process (a warm container) and keep the client, and so the endpoint, they first made. Each runtime registers
 * its values under ids of its own, so a runtime started later in the same process is never served an older one's.
 * Values are generated per process, except that a data directory keeps every secret but the origin secret across
 * restarts (a password pepper, so stored hashes still verify).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SECRET_NAMES, SECRETS, type SecretName } from '#functions/_common/env.ts';

interface Version {
  readonly id: string;
  readonly value: string;
  readonly createdAt: number;
  stages: string[];
}

export interface LocalSecretsManager {
  /** The endpoint for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly endpoint: string;
  /** Creates (or replaces, forgetting its versions) the secret `secretId` with one AWSCURRENT value. */
  define(secretId: string, value: string): void;
  /** The AWSCURRENT value, as the stand-in serves it. */
  current(secretId: string): string | undefined;
}

const alphanumeric = (length: number): string => randomBytes(length * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, length);

// Generated once per process: a runtime restarted in the same process presents the same values.
const perProcess = Object.fromEntries(SECRET_NAMES.map((name) => [name, alphanumeric(SECRETS[name].length)])) as Record<SecretName, string>;

/** Where a data directory keeps a secret (readable by its owner only). */
export const secretFile = (dataDir: string, name: SecretName): string => join(dataDir, `${name}.secret`);

const kept = (dataDir: string, name: SecretName): string => {
  const file = secretFile(dataDir, name);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${perProcess[name]}\n`, { mode: 0o600 });
    return perProcess[name];
  }
};

/**
 * Not kept in a data directory: the origin secret, and the firmware signing key, which the runtime replaces with the
 * key pair of its start (bin/local/firmware-edge.ts).
 */
const PER_START: readonly SecretName[] = ['originVerify', 'firmwareHttpSigningKey'];

/** This runtime's value of every secret. */
export const localSecrets = (dataDir: string | undefined): Record<SecretName, string> =>
  Object.fromEntries(SECRET_NAMES.map((name) => [name, dataDir && !PER_START.includes(name) ? kept(dataDir, name) : perProcess[name]])) as Record<
    SecretName,
    string
  >;

const fail = (res: ServerResponse, type: string, message: string) => {
  res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: type, message }));
};

const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
};

const startStandIn = async (): Promise<LocalSecretsManager> => {
  const store = new Map<string, Version[]>();
  const described = (secretId: string, v: Version) => ({
    ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${secretId}`,
    Name: secretId,
    VersionId: v.id,
    VersionStages: v.stages,
  });
  const operations: Record<string, (body: Record<string, unknown>, res: ServerResponse) => void> = {
    GetSecretValue(body, res) {
      const secretId = String(body.SecretId);
      const versions = store.get(secretId);
      if (!versions) return fail(res, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret.`);
      const stage = typeof body.VersionStage === 'string' ? body.VersionStage : body.VersionId === undefined ? 'AWSCURRENT' : undefined;
      const version = versions.find((v) => (stage ? v.stages.includes(stage) : v.id === body.VersionId));
      if (!version) return fail(res, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${stage ? `staging label: ${stage}` : 'VersionId'}`);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ...described(secretId, version), SecretString: version.value, CreatedDate: version.createdAt / 1000 }));
    },
    PutSecretValue(body, res) {
      const secretId = String(body.SecretId);
      const versions = store.get(secretId);
      if (!versions) return fail(res, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret.`);
      if (typeof body.SecretString !== 'string') return fail(res, 'InvalidParameterException', 'SecretString is required.');
      for (const v of versions) v.stages = v.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : v.stages.filter((s) => s !== 'AWSPREVIOUS');
      const version: Version = { id: typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : randomUUID(), value: body.SecretString, createdAt: Date.now(), stages: ['AWSCURRENT'] };
      store.set(secretId, [...versions.filter((v) => v.stages.length > 0), version]);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(described(secretId, version)));
    },
  };
  const server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = operations[target.replace(/^secretsmanager\./, '')];
    if (req.method !== 'POST' || !target.startsWith('secretsmanager.') || !operation) {
      return fail(res, 'UnknownOperationException', `The local Secrets Manager does not serve ${target || req.method}`);
    }
    readBody(req).then(
      (body) => operation(body, res),
      () => fail(res, 'SerializationException', 'The request body is not JSON.'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    define(secretId, value) {
      store.set(secretId, [{ id: randomUUID(), value, createdAt: Date.now(), stages: ['AWSCURRENT'] }]);
    },
    current: (secretId) => store.get(secretId)?.find((v) => v.stages.includes('AWSCURRENT'))?.value,
  };
};

let standIn: Promise<LocalSecretsManager> | undefined;
/** The process's Secrets Manager stand-in, started on first use. */
export const localSecretsManager = (): Promise<LocalSecretsManager> => (standIn ??= startStandIn());

let registrations = 0;
/**
 * Registers `values` with the stand-in under ids of their own and returns each secret's id (what the handlers'
 * `SECRETS[name].envVar` holds) and the endpoint.
 */
export const serveLocalSecrets = async (
  values: Readonly<Record<SecretName, string>>,
): Promise<{ endpoint: string; ids: Record<SecretName, string> }> => {
  const sm = await localSecretsManager();
  const run = ++registrations;
  const ids = Object.fromEntries(SECRET_NAMES.map((name) => [name, `o-v2x-mp/local-${run}/${name}`])) as Record<SecretName, string>;
  for (const name of SECRET_NAMES) sm.define(ids[name], values[name]);
  return { endpoint: sm.endpoint, ids };
};
