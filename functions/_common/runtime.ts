/**
 * Per-container setup shared by the charger-facing handlers: settings (parsed once, fails the cold start by
 * name), logger, and the domain's dependencies.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '#shared/log/logger.ts';
import { parseChargerSettings, parseManagementEndpointEnv } from './env.ts';
import { makeDeps } from './deps.ts';
import { metrics, metricsPort } from './metrics.ts';

/**
 * The settings these handlers read. A function only gets the charger settings if its route declares
 * `settings: ['chargers']` (the schema's defaults apply otherwise), and WS_MANAGEMENT_ENDPOINT with `manageConnections`.
 */
export const env = Object.freeze({ ...parseChargerSettings(), ...parseManagementEndpointEnv() });

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'o-v2x-mp' });

/** Powertools' logger behind the domain's small Log port. */
const asLog = (l: Logger): Log => ({
  debug: (message, ...extra) => l.debug(message, ...(extra as Record<string, unknown>[])),
  info: (message, ...extra) => l.info(message, ...(extra as Record<string, unknown>[])),
  warn: (message, ...extra) => l.warn(message, ...(extra as Record<string, unknown>[])),
  error: (message, ...extra) => l.error(message, ...(extra as Record<string, unknown>[])),
});

/** Table names are read on use: a store of a table the route's access does not name fails naming it. */
export const deps = { ...makeDeps(process.env, asLog(logger)), metrics: metricsPort(metrics) };
