/**
 * Which user pool the `user` and `client` commands reach. Locally: the running runtime's Cognito stand-in (found
 * through its runtime file, as the other commands find its DynamoDB), else a stand-in started on the data
 * directory for the command (users made before `npm start` are there when it starts). With `--aws`: the pool that
 * `--user-pool-id` or USER_POOL_ID names (the stack's output), with the default AWS credentials and region;
 * `user login` also needs the people app client (`--client-id` or USER_POOL_CLIENT_ID).
 */
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { USER_POOL_ID_VAR } from '#shared/store/user-directory.ts';
import { startCognitoStandIn } from '../local/cognito/server.ts';
import { LOCAL_AWS_ENV } from '../local/handler-env.ts';
import { DEFAULT_DATA_DIR, findRuntime, type RuntimeChoice, RuntimeLookupError } from '../local/runtime-file.ts';
import { type Options, UsageError } from './commands.ts';
import type { PoolTarget } from './users.ts';

export interface TargetInUse {
  readonly target: PoolTarget;
  /** Stops what was started for the command. */
  readonly stop?: () => Promise<void>;
}

/** The password from stdin: the whole input when piped (`--password-stdin`), else one typed line. */
const readPassword = async (): Promise<string> => {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<string>((done) => rl.question('Password: ', done));
  } finally {
    rl.close();
  }
};

/** The stand-in's own endpoint: a user's tokens without their password. */
export const tokenFrom = (endpoint: string) => async (username: string): Promise<string> => {
  const res = await fetch(`${endpoint}/_local/users/${encodeURIComponent(username)}/token`, { method: 'POST' });
  const body = (await res.json()) as { AccessToken?: string; __type?: string; message?: string };
  if (body.__type === 'UserNotFoundException') throw new UsageError(`no user ${username} (add one with: user add ${username} --role <role>)`);
  if (!res.ok || !body.AccessToken) throw new Error(`the Cognito stand-in answered ${res.status}: ${body.message ?? ''}`);
  return body.AccessToken;
};

const localTarget = (pool: { id: string; endpoint: string; peopleClientId: string }): PoolTarget => ({
  userPoolId: pool.id,
  env: { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: pool.endpoint },
  peopleClientId: pool.peopleClientId,
  tokenFor: tokenFrom(pool.endpoint),
  readPassword,
});

export const localPoolTarget = async (choice: RuntimeChoice, _o: Options): Promise<TargetInUse> => {
  const running = findRuntime(choice);
  if (running) {
    if (!running.userPool) throw new UsageError(`the runtime of process ${running.pid} has no Cognito stand-in: restart npm start`);
    console.error(`(the user pool of the runtime of process ${running.pid}, ${running.dataDir ?? 'in memory'})`);
    return { target: localTarget(running.userPool) };
  }
  if (choice.inMemory) throw new RuntimeLookupError('no `npm start -- --in-memory` is running');
  const dataDir = resolve(choice.dataDir ?? DEFAULT_DATA_DIR);
  const standIn = await startCognitoStandIn({ port: 0, dataDir });
  console.error(`(the user pool kept in ${dataDir}; no runtime is running)`);
  return {
    target: localTarget({ id: standIn.userPoolId, endpoint: standIn.endpoint, peopleClientId: standIn.peopleClientId }),
    stop: standIn.stop,
  };
};

export const awsPoolTarget = (o: Options): TargetInUse => {
  const userPoolId = (typeof o['user-pool-id'] === 'string' ? o['user-pool-id'] : undefined) ?? process.env[USER_POOL_ID_VAR];
  if (!userPoolId) throw new UsageError(`name the user pool with --user-pool-id or ${USER_POOL_ID_VAR} (the stack output UserPoolId) to use --aws`);
  const peopleClientId = process.env.USER_POOL_CLIENT_ID;
  // No endpoint override: the SDK's default chain finds credentials and region.
  const { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: _local, ...env } = process.env;
  return { target: { userPoolId, env, ...(peopleClientId ? { peopleClientId } : {}), readPassword } };
};
