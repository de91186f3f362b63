/**
 * Keeps `npm start`'s DynamoDB Local running, or says plainly that it cannot. When Java dies (OOM killer,
 * `kill -9`, a crash), a persistent store is restarted on the same port and data directory, so handlers'
 * clients reconnect without noticing more than failed requests meanwhile. An in-memory store is not: its
 * data went with the process, and carrying on with empty tables under connected chargers would mislead; nor
 * is one that keeps dying. Then the runtime is told to stop.
 */
import type { DynamoLocal } from './dynamo-local.ts';
import type { Logger } from './gateway/upgrade.ts';

export interface DynamoSupervisorOptions {
  /** Starts DynamoDB Local again, on the same port and data. */
  readonly restart: () => Promise<DynamoLocal>;
  /** Runs after each restart (tables exist again, for a store that lost them). */
  readonly afterRestart: () => Promise<void>;
  /** Whether the data survives a restart (a data directory); in memory, a death is fatal. */
  readonly persistent: boolean;
  readonly logger: Logger;
  /** Told once when the store is down for good: the runtime should stop. */
  readonly onFatal: (error: Error) => void;
  /** Restarts allowed within `windowMs` before giving up. @default 3 in 10 minutes */
  readonly maxRestarts?: number;
  readonly windowMs?: number;
}

export interface DynamoSupervisor {
  /** Stops DynamoDB Local (waiting for a restart in progress); no restart happens after this. */
  stop(): Promise<void>;
}

export const superviseDynamo = (first: DynamoLocal, o: DynamoSupervisorOptions): DynamoSupervisor => {
  let current: DynamoLocal | undefined = first;
  let restarting: Promise<void> | undefined;
  let stopped = false;
  const restarts: number[] = [];
  const maxRestarts = o.maxRestarts ?? 3;
  const windowMs = o.windowMs ?? 10 * 60_000;

  const giveUp = (message: string) => {
    o.logger.error(`[local] ${message}`);
    o.onFatal(new Error(message));
  };

  const restart = async () => {
    const began = Date.now();
    try {
      const next = await o.restart();
      if (stopped) return void (await next.stop());
      current = next;
      watch(next);
      await o.afterRestart();
      o.logger.warn(
        `[local] DynamoDB Local is back on ${next.endpoint} after ${((Date.now() - began) / 1000).toFixed(1)} s. ` +
          'Requests made while it was down failed; chargers got CALLERRORs or lost their connection events.',
      );
    } catch (e) {
      giveUp(`DynamoDB Local could not be restarted (${e instanceof Error ? e.message : String(e)}): stopping.`);
    }
  };

  const onExit = (why: string) => {
    current = undefined;
    if (stopped) return;
    o.logger.error(`[local] DynamoDB Local exited unexpectedly (${why}).`);
    if (!o.persistent) {
      return giveUp('DynamoDB Local held this runtime\'s data in memory, which is gone: stopping. Start again (without --in-memory to keep data across a crash).');
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0]! < now - windowMs) restarts.shift();
    if (restarts.length > maxRestarts) {
      return giveUp(`DynamoDB Local died ${restarts.length} times in ${windowMs / 60_000} minutes: stopping. Check memory and disk, then start again.`);
    }
    o.logger.warn('[local] Restarting DynamoDB Local on the same port and data...');
    restarting = restart().finally(() => (restarting = undefined));
  };

  const watch = (ddb: DynamoLocal) => ddb.onUnexpectedExit(onExit);
  watch(first);

  return {
    stop: async () => {
      stopped = true;
      await restarting;
      await current?.stop();
      current = undefined;
    },
  };
};
