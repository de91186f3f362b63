/**
 * Load against any OCPP-J endpoint: connect simulated chargers, boot them, then let each run its session
 * script for a fixed time, one call in flight per charger (closed loop, as real chargers behave). Every
 * reply is checked; latencies are kept per action.
 */
import { OcppBenchClient, type SimCharger } from './ocpp-client.ts';
import { bootStep, freshState, sessionSteps, type ChargerState } from './scenario.ts';

export interface Connected {
  charger: SimCharger;
  client: OcppBenchClient;
  state: ChargerState;
  step: number;
}

export interface ActionFigures {
  calls: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface LoadResult {
  chargers: number;
  durationS: number;
  calls: number;
  errors: number;
  callsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  byAction: Record<string, ActionFigures>;
  /** A few error messages, for the report. */
  errorSamples: string[];
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

const round = (n: number) => Math.round(n * 100) / 100;

const figures = (latencies: number[], errors: number): ActionFigures => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { calls: latencies.length, errors, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)) };
};

/** Opens and boots every charger, `parallel` at a time (each upgrade costs the server a password hash check). */
export const connectAll = async (
  url: (id: string) => string,
  chargers: readonly SimCharger[],
  tagOf: (charger: SimCharger) => string,
  parallel = 16,
): Promise<Connected[]> => {
  const connected: Connected[] = [];
  const queue = [...chargers];
  const worker = async () => {
    for (let charger = queue.shift(); charger; charger = queue.shift()) {
      const client = await OcppBenchClient.connect(url(charger.id), charger);
      const state = freshState(charger.id, tagOf(charger), Date.now());
      const boot = bootStep(charger.protocol);
      const outcome = await client.call(boot.action, boot.payload(state));
      const problem = outcome.ok ? boot.check?.(outcome.payload ?? {}, state) : outcome.problem;
      if (problem) throw new Error(`${charger.id} did not boot: ${problem}`);
      connected.push({ charger, client, state, step: 0 });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return connected;
};

/** Runs the session scripts of `chargers` until `durationMs` has passed. */
export const runLoad = async (chargers: readonly Connected[], durationMs: number): Promise<LoadResult> => {
  const latencies = new Map<string, number[]>();
  const errors = new Map<string, number>();
  const errorSamples: string[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  const drive = async (c: Connected) => {
    const steps = sessionSteps[c.charger.protocol];
    while (performance.now() < deadline) {
      const step = steps[c.step % steps.length];
      if (!step) return;
      c.step += 1;
      const outcome = await c.client.call(step.action, step.payload(c.state));
      const problem = outcome.ok ? step.check?.(outcome.payload ?? {}, c.state) : outcome.problem;
      if (problem) {
        errors.set(step.action, (errors.get(step.action) ?? 0) + 1);
        if (errorSamples.length < 5) errorSamples.push(`${c.charger.id} ${step.action}: ${problem}`);
      }
      const list = latencies.get(step.action) ?? [];
      list.push(outcome.ms);
      latencies.set(step.action, list);
    }
  };
  await Promise.all(chargers.map(drive));
  const elapsedS = (performance.now() - started) / 1000;
  const all = [...latencies.values()].flat();
  const totalErrors = [...errors.values()].reduce((a, b) => a + b, 0);
  const overall = figures(all, totalErrors);
  return {
    chargers: chargers.length,
    durationS: round(elapsedS),
    calls: all.length,
    errors: totalErrors,
    callsPerSecond: round(all.length / elapsedS),
    p50: overall.p50,
    p95: overall.p95,
    p99: overall.p99,
    byAction: Object.fromEntries([...latencies].map(([action, l]) => [action, figures(l, errors.get(action) ?? 0)])),
    errorSamples,
  };
};

export interface RampStep {
  activeChargers: number;
  callsPerSecond: number;
  p99: number;
  errors: number;
}

/**
 * Raises the load by doubling the number of active chargers each step, until p99 passes the threshold, an
 * error occurs, or every charger is active. Returns every step; the last one under the threshold is the ceiling.
 */
export const rampLoad = async (chargers: readonly Connected[], stepMs: number, p99ThresholdMs: number): Promise<RampStep[]> => {
  const steps: RampStep[] = [];
  for (let active = Math.min(4, chargers.length); ; active = Math.min(chargers.length, active * 2)) {
    const r = await runLoad(chargers.slice(0, active), stepMs);
    steps.push({ activeChargers: active, callsPerSecond: r.callsPerSecond, p99: r.p99, errors: r.errors });
    if (r.p99 > p99ThresholdMs || r.errors > 0 || active === chargers.length) return steps;
  }
};

export const closeAll = async (chargers: readonly Connected[]) => {
  await Promise.all(chargers.map((c) => c.client.close()));
};
