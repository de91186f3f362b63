/**
 * `npm run cli -- <group> <command> ...`. `user` and `client` commands go to the user pool (bin/cli/users.ts: the
 * running runtime's Cognito stand-in, or with `--aws` the pool USER_POOL_ID / --user-pool-id names). The others:
 * operator commands against the running local runtime's DynamoDB (found
 * whatever `npm start` was started with: `--data-dir <dir>` or `--in-memory` pick one when several run), or one
 * started for the command on the data directory, or against AWS with `--aws` (CSMS_TABLE and MESSAGE_LOG_TABLE
 * set, credentials from the usual AWS chain; PASSWORD_PEPPER_SECRET_ID for commands that make passwords or
 * enrolment codes, WS_MANAGEMENT_ENDPOINT to close live connections).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { makeDeps } from '#functions/_common/deps.ts';
import { connectionCloser } from '#functions/_common/connections.ts';
import { SECRETS } from '#functions/_common/env.ts';
import { createSecretReader, passwordKeys } from '#functions/_common/secrets.ts';
import type { PasswordKeys } from '#shared/charger/credentials.ts';
import { commands, usage, UsageError, type CommandContext, type CommandOutput, type Options } from './cli/commands.ts';
import { poolCommands, poolUsage } from './cli/users.ts';
import { reservationCommands, reservationUsage } from './cli/reservations.ts';
import { localPoolTarget, awsPoolTarget } from './cli/pool-target.ts';
import { metricsCommand, metricsUsage } from './cli/metrics.ts';
import { LOCAL_AWS_ENV } from './local/handler-env.ts';
import { DEFAULT_DATA_DIR, ensureLocalDynamo, RuntimeLookupError, type LocalDynamo } from './local/runtime-file.ts';
import { localSecrets, serveLocalSecrets } from './local/secrets.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { commandsQueue } from '#shared/store/queues.ts';
import { watch, watchRequest, watchUsage } from './cli/watch.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    aws: { type: 'boolean' },
    'data-dir': { type: 'string' },
    'in-memory': { type: 'boolean' },
    status: { type: 'string' },
    location: { type: 'string' },
    'default-protocol': { type: 'string' },
    'security-profile': { type: 'string' },
    type: { type: 'string' },
    expires: { type: 'string' },
    group: { type: 'string' },
    label: { type: 'string' },
    blocked: { type: 'boolean' },
    limit: { type: 'string' },
    hours: { type: 'string' },
    role: { type: 'string' },
    email: { type: 'string' },
    scope: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    connector: { type: 'string' },
    evse: { type: 'string' },
    'connector-type': { type: 'string' },
    minutes: { type: 'string' },
    charger: { type: 'string' },
    token: { type: 'string' },
    'client-id': { type: 'string' },
    'user-pool-id': { type: 'string' },
    wait: { type: 'boolean' },
    full: { type: 'boolean' },
    check: { type: 'boolean' },
    timeout: { type: 'string' },
    reason: { type: 'string' },
    // charger password --revoke; charger report --kind.
    revoke: { type: 'boolean' },
    kind: { type: 'string' },
    'max-concurrent': { type: 'string' },
    // token add: groups, master pass, restrictions, 2.x answers (issue 11).
    owner: { type: 'string' },
    'master-pass': { type: 'boolean' },
    chargers: { type: 'string' },
    locations: { type: 'string' },
    'cache-lifetime': { type: 'string' },
    message: { type: 'string' },
    'message-format': { type: 'string' },
    'message-language': { type: 'string' },
    json: { type: 'boolean' },
    // watch (live events, bin/cli/watch.ts).
    kinds: { type: 'string' },
    as: { type: 'string' },
    url: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const [group = '', name = '', ...args] = positionals;
const command = { ...commands, reservation: reservationCommands }[group]?.[name];
const poolCommand = poolCommands[group]?.[name];
const metricsAsked = group === 'metrics';
const watching = group === 'watch';
if (values.help || (!command && !poolCommand && !metricsAsked && !watching)) {
  console.log(`${usage}\n${reservationUsage}\n${poolUsage}\n${metricsUsage}\n${watchUsage}`);
  process.exit(values.help ? 0 : 2);
}

const print = (out: CommandOutput) => {
  if (out.note) console.error(out.note);
  console.log(out.text ?? JSON.stringify(out.result, null, 2));
};

const choice = { ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}), ...(values['in-memory'] ? { inMemory: true } : {}) };

if (metricsAsked) {
  try {
    console.log(await metricsCommand(choice, values.json === true));
  } catch (error) {
    if (!(error instanceof RuntimeLookupError)) throw error;
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  }
}

if (poolCommand) {
  let stop: (() => Promise<void>) | undefined;
  try {
    const where = values.aws ? awsPoolTarget(values as Options) : await localPoolTarget(choice, values as Options);
    stop = where.stop;
    print(await poolCommand(where.target, args, values as Options));
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof RuntimeLookupError || (error instanceof Error && error.name === 'SignInRefusedError'))) throw error;
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  } finally {
    await stop?.();
  }
}

if (watching) {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  try {
    await watch(await watchRequest([name, ...args].filter((c) => c !== ''), values as Options, choice), (line) => console.log(line), stop.signal);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof RuntimeLookupError)) throw error;
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  }
}

const checkAwsEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  if (!env.CSMS_TABLE || !env.MESSAGE_LOG_TABLE) throw new UsageError('set CSMS_TABLE and MESSAGE_LOG_TABLE (the stack outputs) to use --aws');
  return env;
};

const local = values.aws || !command
  ? undefined
  : await ensureLocalDynamo(choice).catch((e: unknown) => {
      if (!(e instanceof RuntimeLookupError)) throw e;
      console.error(`error: ${e.message}`);
      process.exit(2);
    });
if (local?.runtime) console.error(`(the runtime of process ${local.runtime.pid}, ${local.runtime.dataDir ?? 'in memory'})`);
const PEPPER_ID_VAR = SECRETS.passwordPepper.envVar;

/**
 * Where the password pepper is read: from Secrets Manager, through the same reader the $connect functions use
 * (functions/_common/secrets.ts), so the CLI hashes with exactly what they check with, rotations included. That is
 * the running runtime's Secrets Manager stand-in (its runtime file names the endpoint and the secret's id), else a
 * stand-in serving the data directory's kept values (what `npm start` on it serves), else, with --aws, the secret
 * PASSWORD_PEPPER_SECRET_ID names (unset: commands that hash a generated password refuse, naming it).
 */
const pepperSource = async (l: LocalDynamo | undefined): Promise<NodeJS.ProcessEnv | undefined> => {
  if (!l) return process.env[PEPPER_ID_VAR] ? process.env : undefined;
  const running = l.runtime;
  if (running) {
    const endpoint = running.endpoints.secretsManager;
    const id = running.secretIds?.passwordPepper;
    if (!endpoint || !id) throw new UsageError(`the runtime of process ${running.pid} does not name its Secrets Manager: restart npm start`);
    return { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint, [PEPPER_ID_VAR]: id };
  }
  const served = await serveLocalSecrets(localSecrets(resolve(values['data-dir'] ?? DEFAULT_DATA_DIR)));
  return { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_SECRETS_MANAGER: served.endpoint, [PEPPER_ID_VAR]: served.ids.passwordPepper };
};

const pepperOf = async (l: LocalDynamo | undefined): Promise<Partial<PasswordKeys>> => {
  const env = await pepperSource(l);
  return env ? passwordKeys(createSecretReader({ env })) : {};
};

/** Where a changed registration or password closes the charger's live connection: the running charger API. */
const closerOf = (l: LocalDynamo | undefined): CommandContext['closer'] => {
  if (!l) return process.env.WS_MANAGEMENT_ENDPOINT ? connectionCloser(process.env.WS_MANAGEMENT_ENDPOINT) : undefined;
  const connections = l.runtime?.endpoints.chargerConnections?.replace('/@connections/{connectionId}', '');
  if (!connections) return undefined; // nothing runs, so nothing is connected
  Object.assign(process.env, l.env, { AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: connections });
  return connectionCloser(connections);
};

/** Where `command send` queues: the running runtime's command queue on its fauxqs, or with --aws COMMANDS_QUEUE_URL. */
const commandQueueOf = (l: LocalDynamo | undefined): CommandContext['commandQueue'] => {
  if (!l) return process.env[commandsQueue.envVar] ? sqsCommandQueue(process.env) : undefined;
  const url = l.runtime?.queues?.[commandsQueue.name];
  const sqs = l.runtime?.endpoints.sqs;
  return url && sqs ? sqsCommandQueue({ ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_SQS: sqs, [commandsQueue.envVar]: url }) : undefined;
};

if (command) {
  try {
    const deps = { ...makeDeps(local ? { ...process.env, ...local.env } : checkAwsEnv(process.env)), ...(await pepperOf(local)) };
    const closer = closerOf(local);
    const commandQueue = commandQueueOf(local);
    print(await command(deps, args, values as Options, { ...(closer ? { closer } : {}), ...(commandQueue ? { commandQueue } : {}) }));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  } finally {
    await local?.stop();
  }
}
