/**
 * Local values of the secrets routes may name. On AWS Secrets Manager generates them at deploy time; here they are
 * generated per process, except the operator token key, kept in the data directory so tokens outlive a restart.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretName } from '#functions/_common/env.ts';

// One per process: the handlers read secrets once at import (as at a Lambda cold start), so a runtime restarted
// in the same process must present the same values.
const perProcess: Record<SecretName, string> = {
  originVerify: randomBytes(24).toString('base64url'),
  operatorTokenKey: randomBytes(32).toString('base64url'),
};

/** Where a data directory keeps the operator token key (readable by its owner only). */
export const operatorTokenKeyFile = (dataDir: string): string => join(dataDir, 'operator-token.key');

const keptKey = (dataDir: string): string => {
  const file = operatorTokenKeyFile(dataDir);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${perProcess.operatorTokenKey}\n`, { mode: 0o600 });
    return perProcess.operatorTokenKey;
  }
};

export const localSecrets = (dataDir: string | undefined): Record<SecretName, string> => ({
  originVerify: perProcess.originVerify,
  operatorTokenKey: dataDir ? keptKey(dataDir) : perProcess.operatorTokenKey,
});
