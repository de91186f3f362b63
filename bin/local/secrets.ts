/**
 * Local values of the secrets routes may name. On AWS Secrets Manager generates them at deploy time; here they are
 * generated per process, except those kept in the data directory: the operator token key, so tokens outlive a
 * restart, and the password pepper, without which no stored generated password would verify after a restart.
 * The CLI reads the pepper of the runtime it talks to (`passwordPepperFile` in the runtime file).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SecretName } from '#functions/_common/env.ts';

// One per process: the handlers read secrets once at import (as at a Lambda cold start), so a runtime restarted
// in the same process must present the same values.
const perProcess: Record<SecretName, string> = {
  originVerify: randomBytes(24).toString('base64url'),
  operatorTokenKey: randomBytes(32).toString('base64url'),
  passwordPepper: randomBytes(32).toString('base64url'),
};

/** Where a data directory keeps the operator token key (readable by its owner only). */
export const operatorTokenKeyFile = (dataDir: string): string => join(dataDir, 'operator-token.key');

/** Where a data directory keeps the password pepper (readable by its owner only). */
export const passwordPepperFile = (dataDir: string): string => join(dataDir, 'password-pepper.key');

/** The value kept in `file`; `initial` is written there first when it has none. */
export const keptSecret = (file: string, initial: string): string => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${initial}\n`, { mode: 0o600 });
    return initial;
  }
};

/** Writes this process's pepper where the CLI can read it (an in-memory runtime); returns the file. */
export const writePerProcessPepper = (file: string): string => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${perProcess.passwordPepper}\n`, { mode: 0o600 });
  return file;
};

export const localSecrets = (dataDir: string | undefined): Record<SecretName, string> => ({
  originVerify: perProcess.originVerify,
  operatorTokenKey: dataDir ? keptSecret(operatorTokenKeyFile(dataDir), perProcess.operatorTokenKey) : perProcess.operatorTokenKey,
  passwordPepper: dataDir ? keptSecret(passwordPepperFile(dataDir), perProcess.passwordPepper) : perProcess.passwordPepper,
});
