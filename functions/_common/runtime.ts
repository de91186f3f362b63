/**
 * Per-container setup shared by the charger-facing handlers: settings (parsed once, fails the cold start
 * by name), logger, DynamoDB client and the store dependencies the domain takes.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { StoreDeps } from '#shared/deps.ts';
import type { Log } from '#shared/log/logger.ts';
import { makeDocumentClient } from '#shared/store/document-client.ts';
import { csmsTable, messageLogTable, type TableDef } from '#shared/store/tables.ts';
import { parseChargerSettings, parseManagementEndpointEnv } from './env.ts';

/**
 * The settings these handlers read. A function only gets the charger settings if its route declares
 * `settings: ['chargers']` (the schema's defaults apply otherwise), and WS_MANAGEMENT_ENDPOINT with `manageConnections`.
 */
export const env = Object.freeze({ ...parseChargerSettings(), ...parseManagementEndpointEnv() });

/** A table's physical name from its `envVar`, which only functions whose route access names the table get. */
const tableNameOf = (def: TableDef): (() => string) => {
  const name = process.env[def.envVar];
  return () => {
    if (!name) throw new Error(`${def.envVar} is not set: this route's access does not name the ${def.name} table`);
    return name;
  };
};
const tableNames = { csms: tableNameOf(csmsTable), messageLog: tableNameOf(messageLogTable) };

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'o-v2x-mp' });

/** Powertools' logger behind the domain's small Log port. */
const asLog = (l: Logger): Log => ({
  debug: (message, ...extra) => l.debug(message, ...(extra as Record<string, unknown>[])),
  info: (message, ...extra) => l.info(message, ...(extra as Record<string, unknown>[])),
  warn: (message, ...extra) => l.warn(message, ...(extra as Record<string, unknown>[])),
  error: (message, ...extra) => l.error(message, ...(extra as Record<string, unknown>[])),
});

export const store: StoreDeps = {
  db: makeDocumentClient(),
  // Read on use, so a function without a table fails naming it, not at its cold start.
  tables: {
    get csms() {
      return tableNames.csms();
    },
    get messageLog() {
      return tableNames.messageLog();
    },
  },
  now: () => new Date(),
  log: asLog(logger),
};
