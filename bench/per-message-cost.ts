/**
 * What one message of each action costs, measured, not estimated: one charger at a time talks to the local
 * runtime with nothing else running, and around every call we read DynamoDB's own consumed-capacity figures
 * (CSMS_CAPACITY_METER) by handler, the Lambda invocations and the @connections calls.
 *
 * A message's own figures are those of the handlers that answer it (the charger API's authorizer and `$connect`
 * handler, `$default`, `$disconnect`). What its writes cause afterwards (stream and queue consumers) is measured
 * apart, as "after the answer": after each message the pass waits until the stream pollers have delivered its
 * records and no handler runs, so that work lands under the message that caused it, not the next one.
 */
import { isScheduleRoute, isWsAuthorizer, isWsRoute, type RouteDef } from '#functions/routes.ts';
import { capacityByScope, type CapacityTotals, type OperationTotals } from '#shared/store/capacity-meter.ts';
import { isSqsOperation, operationsDelta } from './command-cost.ts';
import type { ActionCost } from './cost-model.ts';
import type { HandlerUsage } from './handler-meter.ts';
import { OcppBenchClient, type SimCharger } from './ocpp-client.ts';
import { bootStep, freshState, sessionSteps, type Step } from './scenario.ts';

export interface Counters {
  /** What each handler did so far, by its entry under functions/ (HandlerMeter.snapshotAll). */
  handlers(): Record<string, HandlerUsage>;
  managementCalls(): number;
  /** Whether everything written before `since` (performance.now()) has reached its asynchronous handlers and none runs. */
  caughtUp(since: number): boolean;
}

/** Which handlers answer a charger's messages, by entry; which run on a clock (no message causes them); their memory. */
export interface MessageHandlers {
  $connect: readonly string[];
  call: readonly string[];
  $disconnect: readonly string[];
  clock: readonly string[];
  memoryMbOf(entry: string): number;
}

/** From the route table: the charger API's authorizer and `ws` routes answer, `schedule` routes run on a clock. */
export const messageHandlersOf = (routes: readonly RouteDef[], defaultMemoryMb: number): MessageHandlers => {
  const chargerApi = routes.filter((r) => (isWsRoute(r) || isWsAuthorizer(r)) && r.api === 'chargers');
  const entriesOf = (pick: (r: RouteDef) => boolean) => {
    const entries = chargerApi.filter(pick).map((r) => r.entry);
    if (entries.length === 0) throw new Error('the route table has no charger API route for one of $connect, $default, $disconnect');
    return entries;
  };
  const routeKey = (key: string) => (r: RouteDef) => isWsRoute(r) && r.routeKey === key;
  return {
    // The authorizer runs first, then the `$connect` handler: both before the upgrade is answered.
    $connect: [...entriesOf(isWsAuthorizer), ...entriesOf(routeKey('$connect'))],
    call: entriesOf(routeKey('$default')),
    $disconnect: entriesOf(routeKey('$disconnect')),
    clock: routes.filter(isScheduleRoute).map((r) => r.entry),
    memoryMbOf: (entry) => routes.find((r) => r.entry === entry)?.memoryMb ?? defaultMemoryMb,
  };
};

/** What a message's later work used, per message. */
export interface AfterAnswer {
  /** DynamoDB requests. */
  requests: number;
  readUnits: number;
  writeUnits: number;
  lambdaInvocations: number;
  /** Billed duration at each handler's memory. */
  lambdaGbSeconds: number;
}

export interface MeasuredAction {
  calls: number;
  /** Of the answering handlers, per message: */
  readUnits: number;
  writeUnits: number;
  /** DynamoDB requests per message (a batch or a transaction counts once). */
  requests: number;
  /** The most sequential DynamoDB round trips the answering handlers of any one message waited for. */
  roundTrips: number;
  lambdaInvocations: number;
  /** Every @connections call in the window, the later work's included. */
  connectionsApiCalls: number;
  inBytes: number;
  outBytes: number;
  medianMs: number;
  /** What the message caused after its answer (stream and queue consumers), per message. */
  afterAnswer: AfterAnswer;
  /** Messages whose later work had not finished within the wait: it may then show under the next message. */
  unsettled: number;
}

/** What the pass reads before and after a message. */
export interface UsageSnapshot {
  capacity: Record<string, CapacityTotals>;
  handlers: Record<string, HandlerUsage>;
  managementCalls: number;
}

interface Sample {
  answer: { requests: number; readUnits: number; writeUnits: number; roundTrips: number; invocations: number };
  after: AfterAnswer;
  managementCalls: number;
  inBytes: number;
  outBytes: number;
  ms: number;
  settled: boolean;
}

const sumOver = (entries: readonly string[], f: (entry: string) => number) => entries.reduce((sum, e) => sum + f(e), 0);

/**
 * A message's usage between two snapshots: the `answering` handlers' as its own, every other handler's (and requests
 * made outside any handler) as after the answer, except the `clock` ones (a schedule firing meanwhile is no message's).
 */
export const messageUsage = (
  before: UsageSnapshot,
  after: UsageSnapshot,
  answering: readonly string[],
  handlers: Pick<MessageHandlers, 'clock' | 'memoryMbOf'>,
): Pick<Sample, 'answer' | 'after' | 'managementCalls'> => {
  const capacity = (scope: string, field: keyof CapacityTotals) => (after.capacity[scope]?.[field] ?? 0) - (before.capacity[scope]?.[field] ?? 0);
  const handler = (entry: string, field: 'invocations' | 'billedMs') => (after.handlers[entry]?.[field] ?? 0) - (before.handlers[entry]?.[field] ?? 0);
  const later = (keys: string[]) => keys.filter((k) => !answering.includes(k) && !handlers.clock.includes(k));
  const laterEntries = later(Object.keys(after.handlers));
  const dynamoOf = (scopes: readonly string[]) => ({
    requests: sumOver(scopes, (s) => capacity(s, 'requests')),
    readUnits: sumOver(scopes, (s) => capacity(s, 'readUnits')),
    writeUnits: sumOver(scopes, (s) => capacity(s, 'writeUnits')),
  });
  return {
    answer: {
      ...dynamoOf(answering),
      // The answering handlers run one after the other ($connect: the authorizer, then the handler).
      roundTrips: sumOver(answering, (s) => capacity(s, 'roundTrips')),
      invocations: sumOver(answering, (e) => handler(e, 'invocations')),
    },
    after: {
      ...dynamoOf(later(Object.keys(after.capacity))),
      lambdaInvocations: sumOver(laterEntries, (e) => handler(e, 'invocations')),
      lambdaGbSeconds: sumOver(laterEntries, (e) => (handler(e, 'billedMs') / 1000) * (handlers.memoryMbOf(e) / 1024)),
    },
    managementCalls: after.managementCalls - before.managementCalls,
  };
};

const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

const average = (samples: Sample[]): MeasuredAction => {
  const mean = (f: (s: Sample) => number, places = 2) => round(samples.reduce((a, s) => a + f(s), 0) / samples.length, places);
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    calls: samples.length,
    readUnits: mean((s) => s.answer.readUnits),
    writeUnits: mean((s) => s.answer.writeUnits),
    requests: mean((s) => s.answer.requests),
    roundTrips: Math.max(...samples.map((s) => s.answer.roundTrips)),
    lambdaInvocations: mean((s) => s.answer.invocations),
    connectionsApiCalls: mean((s) => s.managementCalls),
    inBytes: Math.round(mean((s) => s.inBytes)),
    outBytes: Math.round(mean((s) => s.outBytes)),
    medianMs: round(ms[Math.floor(ms.length / 2)] ?? 0, 1),
    afterAnswer: {
      requests: mean((s) => s.after.requests),
      readUnits: mean((s) => s.after.readUnits),
      writeUnits: mean((s) => s.after.writeUnits),
      lambdaInvocations: mean((s) => s.after.lambdaInvocations),
      lambdaGbSeconds: mean((s) => s.after.lambdaGbSeconds, 6),
    },
    unsettled: samples.filter((s) => !s.settled).length,
  };
};

const SETTLE_POLL_MS = 20;
/** A stream poller idles 250 ms between empty polls: a few of those, and the later work of any message here. */
const SETTLE_LIMIT_MS = 5_000;
/** Before the pass: the stream records of registering the bench's fleet (hundreds of chargers and tags). */
const DRAIN_LIMIT_MS = 60_000;

/** Polls `done` until it holds or `limitMs` passed; whether it held. */
const settle = async (done: () => boolean, limitMs = SETTLE_LIMIT_MS): Promise<boolean> => {
  const deadline = performance.now() + limitMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
  }
  return true;
};

/** Per action of the charger's session script, plus `$connect` (authorizer + connect) and `$disconnect`. */
export const measurePerMessageCost = async (
  url: string,
  charger: SimCharger,
  idTag: string,
  counters: Counters,
  handlers: MessageHandlers,
  rounds: number,
): Promise<Record<string, MeasuredAction>> => {
  const samples = new Map<string, Sample[]>();
  const snapshot = (): UsageSnapshot => ({ capacity: capacityByScope(), handlers: counters.handlers(), managementCalls: counters.managementCalls() });
  /** Waits for the message's later work, then files the message under `action`. */
  const add = async (action: string, before: UsageSnapshot, answering: readonly string[], extra: Pick<Sample, 'inBytes' | 'outBytes' | 'ms'>) => {
    const answered = performance.now();
    // Caught up with the message's writes, then once more with what that later work wrote in turn (a consumer's own
    // writes stream too). SQS messages not yet received are not seen: no queue consumer runs in this pass.
    const caughtUpWith = (moment: number) => settle(() => counters.caughtUp(moment));
    const settled = (await caughtUpWith(answered)) && (await caughtUpWith(performance.now()));
    const sample = { ...messageUsage(before, snapshot(), answering, handlers), ...extra, settled };
    samples.set(action, [...(samples.get(action) ?? []), sample]);
  };

  // What ran before the pass (registrations) must not land under its first message.
  const start = performance.now();
  if (!(await settle(() => counters.caughtUp(start), DRAIN_LIMIT_MS))) throw new Error('cost pass: the stream consumers did not catch up with the writes before it');
  let before = snapshot();
  let t = performance.now();
  const client = await OcppBenchClient.connect(url, charger);
  await add('$connect', before, handlers.$connect, { inBytes: 0, outBytes: 0, ms: performance.now() - t });

  const state = freshState(charger.id, idTag, Date.now());
  const run = async (step: Step) => {
    const b = snapshot();
    const outcome = await client.call(step.action, step.payload(state));
    const problem = outcome.ok ? step.check?.(outcome.payload ?? {}, state) : outcome.problem;
    if (problem) throw new Error(`cost pass: ${charger.id} ${step.action}: ${problem}`);
    await add(step.action, b, handlers.call, outcome);
  };
  await run(bootStep(charger.protocol));
  for (let round = 0; round < rounds; round++) for (const step of sessionSteps[charger.protocol]) await run(step);

  before = snapshot();
  t = performance.now();
  await client.close();
  // $disconnect runs after the socket is gone: its time ends when the handler finished.
  const invoked = (entries: readonly string[]) => sumOver(entries, (e) => counters.handlers()[e]?.invocations ?? 0);
  const from = invoked(handlers.$disconnect);
  await settle(() => invoked(handlers.$disconnect) > from);
  await add('$disconnect', before, handlers.$disconnect, { inBytes: 0, outBytes: 0, ms: performance.now() - t });
  return Object.fromEntries([...samples].map(([action, list]) => [action, average(list)]));
};

/** One function's DynamoDB requests per message under load, and whether it answers the charger. */
export interface FunctionRequests {
  entry: string;
  role: 'answers' | 'after the answer' | 'schedule';
  perMessage: number;
}

/**
 * DynamoDB requests per message between two `operationsSnapshot()`s, by the function that made them (its scope),
 * answering handlers first; SQS requests are left out.
 */
export const requestsByFunction = (
  before: Readonly<Record<string, Readonly<Record<string, OperationTotals>>>>,
  after: Readonly<Record<string, Readonly<Record<string, OperationTotals>>>>,
  messages: number,
  handlers: MessageHandlers,
): FunctionRequests[] => {
  const answering = new Set([...handlers.$connect, ...handlers.call, ...handlers.$disconnect]);
  const roleOf = (entry: string): FunctionRequests['role'] =>
    answering.has(entry) ? 'answers' : handlers.clock.includes(entry) ? 'schedule' : 'after the answer';
  const rows = Object.keys(after).map((entry) => {
    const ops = Object.entries(operationsDelta(before[entry], after[entry])).filter(([op]) => !isSqsOperation(op));
    const requests = ops.reduce((sum, [, t]) => sum + t.requests, 0);
    return { entry: entry || '(outside any handler)', role: roleOf(entry), perMessage: round(requests / Math.max(1, messages)) };
  });
  const order: FunctionRequests['role'][] = ['answers', 'after the answer', 'schedule'];
  return rows.filter((r) => r.perMessage > 0).sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role) || b.perMessage - a.perMessage);
};

/** The measured figures in the cost model's terms: everything a message causes, its answer and its later work. */
export const asActionCosts = (measured: Record<string, MeasuredAction>, memoryMbOf: (action: string) => number): Record<string, ActionCost> =>
  Object.fromEntries(
    Object.entries(measured).map(([action, m]) => [
      action,
      {
        readRequestUnits: m.readUnits + m.afterAnswer.readUnits,
        writeRequestUnits: m.writeUnits + m.afterAnswer.writeUnits,
        lambdaInvocations: m.lambdaInvocations,
        // Uncontended local latency as the billed duration (1 ms minimum, as Lambda bills).
        lambdaMsPerInvocation: Math.max(1, m.medianMs / Math.max(1, m.lambdaInvocations)),
        memoryMb: memoryMbOf(action),
        inBytes: m.inBytes,
        outBytes: m.outBytes,
        connectionsApiCalls: m.connectionsApiCalls,
        afterAnswer: { lambdaInvocations: m.afterAnswer.lambdaInvocations, lambdaGbSeconds: m.afterAnswer.lambdaGbSeconds },
      },
    ]),
  );
