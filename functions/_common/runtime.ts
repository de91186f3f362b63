/**
 * Per-container setup shared by the charger-facing handlers: environment (parsed once, fails the cold start
 * by name), logger, and the domain's dependencies.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '#shared/log/logger.ts';
import { parsePlatformEnv } from './env.ts';
import { makeDeps } from './deps.ts';

export const env = parsePlatformEnv();

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'o-v2x-mp' });

/** Powertools' logger behind the domain's small Log port. */
const asLog = (l: Logger): Log => ({
  debug: (message, ...extra) => l.debug(message, ...(extra as Record<string, unknown>[])),
  info: (message, ...extra) => l.info(message, ...(extra as Record<string, unknown>[])),
  warn: (message, ...extra) => l.warn(message, ...(extra as Record<string, unknown>[])),
  error: (message, ...extra) => l.error(message, ...(extra as Record<string, unknown>[])),
});

export const deps = makeDeps(process.env, asLog(logger));
