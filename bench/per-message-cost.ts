/**
 * What one message of each action costs, measured, not estimated: one charger at a time talks to the local
 * runtime with nothing else running, and around every call we read DynamoDB's own consumed-capacity figures
 * (CSMS_CAPACITY_METER), the Lambda invocations and the @connections calls.
 */
import { capacitySnapshot } from '#shared/store/capacity-meter.ts';
import type { ActionCost } from './cost-model.ts';
import { OcppBenchClient, type SimCharger } from './ocpp-client.ts';
import { bootStep, freshState, sessionSteps, type Step } from './scenario.ts';

export interface Counters {
  invocations(): number;
  managementCalls(): number;
}

interface Sample {
  readUnits: number;
  writeUnits: number;
  requests: number;
  roundTrips: number;
  invocations: number;
  managementCalls: number;
  inBytes: number;
  outBytes: number;
  ms: number;
}

export interface MeasuredAction {
  calls: number;
  readUnits: number;
  writeUnits: number;
  /** DynamoDB requests per message (a batch or a transaction counts once). */
  requests: number;
  /** The most sequential DynamoDB round trips any one message of this action waited for. */
  roundTrips: number;
  lambdaInvocations: number;
  connectionsApiCalls: number;
  inBytes: number;
  outBytes: number;
  medianMs: number;
}

const snapshot = (counters: Counters) => ({ ...capacitySnapshot(), invocations: counters.invocations(), managementCalls: counters.managementCalls() });

const delta = (before: ReturnType<typeof snapshot>, after: ReturnType<typeof snapshot>, extra: Pick<Sample, 'inBytes' | 'outBytes' | 'ms'>): Sample => ({
  readUnits: after.readUnits - before.readUnits,
  writeUnits: after.writeUnits - before.writeUnits,
  requests: after.requests - before.requests,
  roundTrips: after.roundTrips - before.roundTrips,
  invocations: after.invocations - before.invocations,
  managementCalls: after.managementCalls - before.managementCalls,
  ...extra,
});

const average = (samples: Sample[]): MeasuredAction => {
  const mean = (f: (s: Sample) => number) => Math.round((samples.reduce((a, s) => a + f(s), 0) / samples.length) * 100) / 100;
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    calls: samples.length,
    readUnits: mean((s) => s.readUnits),
    writeUnits: mean((s) => s.writeUnits),
    requests: mean((s) => s.requests),
    roundTrips: Math.max(...samples.map((s) => s.roundTrips)),
    lambdaInvocations: mean((s) => s.invocations),
    connectionsApiCalls: mean((s) => s.managementCalls),
    inBytes: Math.round(mean((s) => s.inBytes)),
    outBytes: Math.round(mean((s) => s.outBytes)),
    medianMs: Math.round((ms[Math.floor(ms.length / 2)] ?? 0) * 10) / 10,
  };
};

const settle = async (counters: Counters, expectInvocations: number, from: number) => {
  for (let i = 0; i < 100 && counters.invocations() - from < expectInvocations; i++) await new Promise((r) => setTimeout(r, 20));
};

/** Per action of the charger's session script, plus `$connect` (authorizer + connect) and `$disconnect`. */
export const measurePerMessageCost = async (
  url: string,
  charger: SimCharger,
  idTag: string,
  counters: Counters,
  rounds: number,
): Promise<Record<string, MeasuredAction>> => {
  const samples = new Map<string, Sample[]>();
  const add = (action: string, s: Sample) => samples.set(action, [...(samples.get(action) ?? []), s]);

  let before = snapshot(counters);
  let t = performance.now();
  const client = await OcppBenchClient.connect(url, charger);
  add('$connect', delta(before, snapshot(counters), { inBytes: 0, outBytes: 0, ms: performance.now() - t }));

  const state = freshState(charger.id, idTag, Date.now());
  const run = async (step: Step) => {
    const b = snapshot(counters);
    const outcome = await client.call(step.action, step.payload(state));
    const problem = outcome.ok ? step.check?.(outcome.payload ?? {}, state) : outcome.problem;
    if (problem) throw new Error(`cost pass: ${charger.id} ${step.action}: ${problem}`);
    add(step.action, delta(b, snapshot(counters), outcome));
  };
  await run(bootStep(charger.protocol));
  for (let round = 0; round < rounds; round++) for (const step of sessionSteps[charger.protocol]) await run(step);

  before = snapshot(counters);
  t = performance.now();
  await client.close();
  await settle(counters, 1, before.invocations); // $disconnect runs after the socket is gone; wait until it finished
  add('$disconnect', delta(before, snapshot(counters), { inBytes: 0, outBytes: 0, ms: performance.now() - t }));
  return Object.fromEntries([...samples].map(([action, list]) => [action, average(list)]));
};

/** The measured figures in the cost model's terms. */
export const asActionCosts = (measured: Record<string, MeasuredAction>, memoryMbOf: (action: string) => number): Record<string, ActionCost> =>
  Object.fromEntries(
    Object.entries(measured).map(([action, m]) => [
      action,
      {
        readRequestUnits: m.readUnits,
        writeRequestUnits: m.writeUnits,
        lambdaInvocations: m.lambdaInvocations,
        // Uncontended local latency as the billed duration (1 ms minimum, as Lambda bills).
        lambdaMsPerInvocation: Math.max(1, m.medianMs / Math.max(1, m.lambdaInvocations)),
        memoryMb: memoryMbOf(action),
        inBytes: m.inBytes,
        outBytes: m.outBytes,
        connectionsApiCalls: m.connectionsApiCalls,
      },
    ]),
  );
