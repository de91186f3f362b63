/**
 * `npm run cli -- <group> <command> ...`: operator commands against the running local runtime's DynamoDB (found
 * whatever `npm start` was started with: `--data-dir <dir>` or `--in-memory` pick one when several run), or one
 * started for the command on the data directory, or against AWS with `--aws` (CSMS_TABLE and MESSAGE_LOG_TABLE
 * set, credentials from the usual AWS chain).
 */
import { parseArgs } from 'node:util';
import type { StoreDeps } from '#shared/deps.ts';
import { makeDocumentClient } from '#shared/store/document-client.ts';
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

const storeFrom = (env: NodeJS.ProcessEnv): StoreDeps => {
  const csms = env.CSMS_TABLE;
  const messageLog = env.MESSAGE_LOG_TABLE;
  if (!csms || !messageLog) throw new UsageError('set CSMS_TABLE and MESSAGE_LOG_TABLE (the stack outputs) to use --aws');
  const quiet = () => undefined;
  return {
    db: makeDocumentClient(env),
    tables: { csms, messageLog },
    now: () => new Date(),
    log: { debug: quiet, info: quiet, warn: console.warn, error: console.error },
  };
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
  const store = storeFrom(local ? { ...process.env, ...local.env } : process.env);
  const out = await command(store, args, values as Options);
  if (out.note) console.error(out.note);
  console.log(JSON.stringify(out.result, null, 2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`error: ${error.message}`);
  process.exitCode = 2;
} finally {
  await local?.stop();
}
