/**
 * The one place that builds the domain's dependencies from an environment: Lambda handlers (once per
 * container), the CLI, the tests and the benchmark all call `makeDeps`. Table names come from the variables
 * `shared/store/tables.ts` names; history retention from the *_RETENTION_DAYS variables (env.ts), else the
 * documented defaults.
 */
import type { Deps } from '#shared/deps.ts';
import type { Log } from '#shared/log/logger.ts';
import { makeDocumentClient } from '#shared/store/dynamo.ts';
import { makeDomainDeps } from '#shared/store/make-deps.ts';
import type { Retention } from '#shared/store/retention.ts';
import type { FileAccess } from '#shared/file/objects.ts';
import { FILE_ENDPOINT_VARS, HISTORY_RETENTIONS, HistorySettingsSchema, parseChargerSettings, parseEnv, RETENTION_ENV } from './env.ts';

export { FILE_ENDPOINT_VARS, RETENTION_ENV };
import { tables, type TableName } from '#shared/store/tables.ts';

/** Retention from the `history` settings group and the message log's charger setting, each defaulted by its schema. */
const retentionFrom = (env: NodeJS.ProcessEnv): Retention => {
  const history: Readonly<Record<string, number>> = parseEnv(HistorySettingsSchema)(env);
  const days = Object.fromEntries(HISTORY_RETENTIONS.map((k) => [k, history[RETENTION_ENV[k]]]));
  return { ...days, messageLogDays: parseChargerSettings(env).MESSAGE_LOG_RETENTION_DAYS } as Retention;
};

/**
 * Physical table names from the environment. A function's environment names only the tables its route may
 * touch; a store of another table fails on use, naming the variable, rather than at start.
 */
const tableNamesFrom = (env: NodeJS.ProcessEnv): Record<TableName, string> =>
  Object.defineProperties(
    {},
    Object.fromEntries(
      tables.map((t) => [
        t.name,
        {
          enumerable: true,
          get: () => {
            const name = env[t.envVar];
            if (!name) throw new Error(`${t.envVar} is not set: this function's route has no access to the ${t.name} table`);
            return name;
          },
        },
      ]),
    ),
  ) as Record<TableName, string>;

const quiet = (): void => undefined;
export const consoleLog: Log = { debug: quiet, info: quiet, warn: console.warn, error: console.error };

/**
 * The file endpoints the environment names (route access `fileEndpoints`). The files bucket is not here: the S3 client
 * would weigh on every bundle (the charger message path's most), so the few handlers that touch the bucket add it
 * with functions/_common/files.ts.
 */
export const fileAccessFrom = (env: NodeJS.ProcessEnv): FileAccess => {
  const uploads = env[FILE_ENDPOINT_VARS.uploads];
  const sftp = env[FILE_ENDPOINT_VARS.sftp];
  const firmwareHttp = env[FILE_ENDPOINT_VARS.firmwareHttp];
  return { endpoints: { ...(uploads ? { uploads } : {}), ...(sftp ? { sftp } : {}), ...(firmwareHttp ? { firmwareHttp } : {}) } };
};

export const makeDeps = (env: NodeJS.ProcessEnv = process.env, log: Log = consoleLog): Deps => ({
  ...makeDomainDeps({
    db: makeDocumentClient(env),
    tables: tableNamesFrom(env),
    retention: retentionFrom(env),
    now: () => new Date(),
    log,
  }),
  files: fileAccessFrom(env),
});
