/**
 * The route table's secrets, read from Secrets Manager by the handlers themselves: the function's environment
 * holds only the secret's id (env.ts `SECRETS`), so the value is in neither the Lambda configuration nor the
 * template. Read at cold start and again after `SECRET_MAX_AGE_MS`, both the AWSCURRENT and the AWSPREVIOUS
 * version: a check accepts either, so a rotation never refuses a caller that still holds the value before it.
 * The same code runs locally against the local runtime's Secrets Manager stand-in (bin/local/secrets.ts).
 *
 * Not Powertools Parameters: its cache key ignores the version stage (AWSCURRENT and AWSPREVIOUS would share one
 * entry), a missing AWSPREVIOUS (a secret never rotated) is an uncached error, so every check would call Secrets
 * Manager again, and no release matches the logger's 2.36.0.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { PasswordKeys } from '#shared/charger/credentials.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { traced } from '#shared/store/tracing.ts';
import { SECRETS, type SecretName } from './env.ts';

export interface SecretVersions {
  readonly current: string;
  /** The value before the last rotation; absent until the secret is first rotated. */
  readonly previous?: string;
}

/** What a check accepts: the current value, and the previous one during a rotation. */
export const acceptedValues = (v: SecretVersions): readonly string[] => (v.previous === undefined ? [v.current] : [v.current, v.previous]);

/**
 * How long a container uses values before reading them again: a rotation's second step (the callers switching
 * to the new value) must wait at least this long after the first (the new value put).
 */
export const SECRET_MAX_AGE_MS = 5 * 60_000;

export interface SecretReaderOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly client?: SecretsManagerClient;
  /** @default SECRET_MAX_AGE_MS */
  readonly maxAgeMs?: number;
  /** Milliseconds, for the cache age. @default Date.now */
  readonly now?: () => number;
  /** Told when a refresh failed and the last values stay in use. */
  readonly onStale?: (name: SecretName, error: unknown) => void;
}

export type SecretReader = (name: SecretName) => Promise<SecretVersions>;

const isNotFound = (error: unknown): boolean => error instanceof Error && error.name === 'ResourceNotFoundException';

export const createSecretReader = (opts: SecretReaderOptions = {}): SecretReader => {
  const env = opts.env ?? process.env;
  const maxAgeMs = opts.maxAgeMs ?? SECRET_MAX_AGE_MS;
  const now = opts.now ?? Date.now;
  let client = opts.client;
  // By id as well as name: a local runtime started later in the same process names other ids.
  const cache = new Map<string, { versions: Promise<SecretVersions>; readAt: number }>();

  const readStage = async (secretId: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> => {
    client ??= traced(new SecretsManagerClient(awsClientConfig('secretsmanager', env)), isNotFound);
    try {
      // The stage is always named: the function's IAM grant allows exactly these two (lib/route-function.ts).
      return (await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }))).SecretString;
    } catch (error) {
      if (stage === 'AWSPREVIOUS' && isNotFound(error)) return undefined;
      throw error;
    }
  };

  const read = async (name: SecretName, secretId: string): Promise<SecretVersions> => {
    const { minLength } = SECRETS[name];
    const [current, previous] = await Promise.all([readStage(secretId, 'AWSCURRENT'), readStage(secretId, 'AWSPREVIOUS')]);
    if (current === undefined || current.length < minLength) {
      throw new Error(`Secret ${name} (${secretId}) has no string value of at least ${minLength} characters`);
    }
    return previous === undefined || previous.length < minLength ? { current } : { current, previous };
  };

  return async (name) => {
    const { envVar } = SECRETS[name];
    const secretId = env[envVar];
    if (!secretId) throw new Error(`${envVar} is not set: this function's route has no access to the ${name} secret`);
    const key = `${name}\u0000${secretId}`;
    const cached = cache.get(key);
    const at = now();
    if (cached && at - cached.readAt < maxAgeMs) return cached.versions;
    const fresh = read(name, secretId);
    // A failed first read fails the caller (a cold start that cannot read its secrets must say so) and is retried
    // on the next call; a failed refresh keeps the last values until the next refresh.
    const versions = cached
      ? fresh.catch((error: unknown) => {
          opts.onStale?.(name, error);
          return cached.versions;
        })
      : fresh;
    if (!cached) fresh.catch(() => cache.delete(key));
    cache.set(key, { versions, readAt: at });
    return versions;
  };
};

/** The container's reader. */
export const secrets: SecretReader = createSecretReader();

/**
 * The password pepper as shared/charger/credentials.ts takes it: new hashes under the current value; a hash made
 * under the previous one (each hash names its pepper) still checks during a rotation.
 */
export const passwordKeys = async (read: SecretReader = secrets): Promise<PasswordKeys> => {
  const { current, previous } = await read('passwordPepper');
  return previous === undefined ? { passwordPepper: current } : { passwordPepper: current, previousPasswordPepper: previous };
};
