/**
 * Per-container setup shared by the charger-facing handlers: environment (parsed once, fails the cold start
 * by name), logger, DynamoDB client and the store dependencies the domain takes.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { StoreDeps } from '#shared/deps.ts';
import type { Log } from '#shared/log/logger.ts';
import { makeDocumentClient } from '#shared/store/document-client.ts';
import { parsePlatformEnv } from './env.ts';

export const env = parsePlatformEnv();

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
  tables: { csms: env.CSMS_TABLE, messageLog: env.MESSAGE_LOG_TABLE },
  now: () => new Date(),
  log: asLog(logger),
};
