/**
 * `npm run cli -- <group> <command> ...`: operator commands against the running local runtime's DynamoDB (found
 * whatever `npm start` was started with: `--data-dir <dir>` or `--in-memory` pick one when several run), or one
 * started for the command on the data directory, or against AWS with `--aws` (CSMS_TABLE and MESSAGE_LOG_TABLE
 * set, credentials from the usual AWS chain).
 */
import { parseArgs } from 'node:util';
import { makeDeps } from '#functions/_common/deps.ts';
import { commands, usage, UsageError, type Options } from './cli/commands.ts';
import { ensureLocalDynamo, RuntimeLookupError } from './local/runtime-file.ts';

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
    help: { type: 'boolean', short: 'h' },
  },
});

const [group = '', name = '', ...args] = positionals;
const command = commands[group]?.[name];
if (values.help || !command) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}

const checkAwsEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  if (!env.CSMS_TABLE || !env.MESSAGE_LOG_TABLE) throw new UsageError('set CSMS_TABLE and MESSAGE_LOG_TABLE (the stack outputs) to use --aws');
  return env;
};

const choice = { ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}), ...(values['in-memory'] ? { inMemory: true } : {}) };
const local = values.aws
  ? undefined
  : await ensureLocalDynamo(choice).catch((e: unknown) => {
      if (!(e instanceof RuntimeLookupError)) throw e;
      console.error(`error: ${e.message}`);
      process.exit(2);
    });
if (local?.runtime) console.error(`(the runtime of process ${local.runtime.pid}, ${local.runtime.dataDir ?? 'in memory'})`);
try {
  const deps = makeDeps(local ? { ...process.env, ...local.env } : checkAwsEnv(process.env));
  const out = await command(deps, args, values as Options);
  if (out.note) console.error(out.note);
  console.log(JSON.stringify(out.result, null, 2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`error: ${error.message}`);
  process.exitCode = 2;
} finally {
  await local?.stop();
}
