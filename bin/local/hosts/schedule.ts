/**
 * Host of `schedule` routes: in-process timers standing in for EventBridge rules. `rate(...)` fires every period
 * from the start, `cron(...)` at each matching UTC minute; the handler gets EventBridge's Scheduled Event. A failed
 * run is retried twice, after 1 and 2 minutes, as Lambda retries asynchronous invocations. `scheduleTimeScale`
 * speeds the clock up (tests); Ctrl-C waits for runs in flight.
 */
import { parseSchedule, nextCronTime } from '#functions/_routes/schedule.ts';
import { isScheduleRoute, type RouteDef, type ScheduleRoute } from '#functions/routes.ts';
import { scheduledEvent } from '../events/index.ts';
import type { LambdaFunction } from '../lambda.ts';
import { functionOf, type HostOptions, type RouteHost, sleep } from './host.ts';

const RETRY_DELAYS_MS = [60_000, 120_000];
// setTimeout's longest delay; a later cron time is waited for in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Clock {
  /** The scheduled (possibly sped-up) time now. */
  now(): number;
  /** Real milliseconds until scheduled time `at`. */
  until(at: number): number;
}

const clock = (scale: number): Clock => {
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) * scale,
    until: (at) => Math.max(0, (at - (origin + (Date.now() - origin) * scale)) / scale),
  };
};

export const prepareScheduleHost = async (routes: readonly RouteDef[], opts: HostOptions): Promise<RouteHost> => {
  const abort = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const runs = new Set<Promise<void>>();
  const time = clock(opts.scheduleTimeScale);

  const later = (ms: number, fire: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!abort.signal.aborted) fire();
    }, Math.min(ms, MAX_TIMER_MS));
    timers.add(timer);
  };

  const fire = (route: ScheduleRoute, fn: LambdaFunction, at: number) => {
    const run = (async () => {
      for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length && !abort.signal.aborted; attempt++) {
        if (attempt > 0) await sleep((RETRY_DELAYS_MS[attempt - 1] as number) / opts.scheduleTimeScale, abort.signal);
        const out = await fn.invoke(scheduledEvent(route.id, new Date(at)));
        if (out.ok) return;
        opts.logger.error(`[${route.id}] scheduled run failed (attempt ${attempt + 1})`, out.error);
      }
    })();
    runs.add(run);
    const forget = () => runs.delete(run);
    run.then(forget, (error: unknown) => {
      forget();
      opts.logger.error(`[${route.id}] scheduled run failed`, error);
    });
  };

  const arm = (route: ScheduleRoute, fn: LambdaFunction) => {
    const parsed = parseSchedule(route.schedule);
    if (parsed.kind === 'rate') {
      const tick = (at: number) => later(time.until(at), () => {
        fire(route, fn, at);
        tick(at + parsed.periodMs);
      });
      tick(time.now() + parsed.periodMs);
      return;
    }
    const next = () => {
      const at = nextCronTime(parsed.fields, time.now());
      if (at === undefined) return; // past the last year the expression names
      later(time.until(at), () => (time.now() >= at ? (fire(route, fn, at), next()) : next()));
    };
    next();
  };

  return {
    endpoints: {},
    start: async (ctx) => {
      for (const route of routes.filter(isScheduleRoute)) arm(route, functionOf(ctx, route));
    },
    stop: async () => {
      abort.abort();
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled([...runs]);
    },
  };
};
