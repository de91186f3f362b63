/**
 * The command round trip, measured end to end on the local runtime: booted chargers (the bench's own client) answer
 * every CALL from the simulator's reply table; an operator sends commands through the REST API and follows each
 * with `GET ?wait=`. Latency is taken here, by the client; the cost of each step comes from the handler meter and
 * the capacity meter (requests filed under the handler that made them), one action at a time.
 */
import { effectOf } from '#shared/command/effects.ts';
import { isFinal, type CommandStatus } from '#shared/command/command.ts';
import { operationsSnapshot } from '#shared/store/capacity-meter.ts';
import type { LocalRuntime } from '../bin/local/runtime.ts';
import { simulatedAnswer } from '../scripts/simulator/replies.ts';
import {
  COMMAND_STEPS,
  commandDollarsPerMillion,
  perCommand,
  spreadOf,
  STEP_ENTRIES,
  stepUsageBetween,
  type ActionRoundTrip,
  type CommandRoundTrip,
  type CommandStep,
  type StepSnapshot,
} from './command-cost.ts';
import type { HandlerMeter } from './handler-meter.ts';
import { OcppBenchClient, type BenchProtocol, type SimCharger } from './ocpp-client.ts';
import { bootStep, freshState } from './scenario.ts';

/** The commands each version's chargers get, one action after the other: one without an answer effect, one with. */
export const BENCH_COMMANDS: readonly { protocol: BenchProtocol; action: string; payload: object }[] = [
  { protocol: 'ocpp1.6', action: 'Reset', payload: { type: 'Soft' } },
  { protocol: 'ocpp1.6', action: 'ChangeConfiguration', payload: { key: 'HeartbeatInterval', value: '300' } },
  { protocol: 'ocpp2.0.1', action: 'Reset', payload: { type: 'Immediate' } },
  {
    protocol: 'ocpp2.0.1',
    action: 'GetVariables',
    payload: { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] },
  },
];

export interface CommandStageOptions {
  runtime: LocalRuntime;
  meter: HandlerMeter;
  /** Registered with their passwords; half of them should speak each version. */
  chargers: readonly SimCharger[];
  /** An operator's access token (role operator or admin). */
  operatorToken: string;
  commandsPerCharger: number;
  timeoutSeconds: number;
  /** The memory of the function with this entry, MB. */
  memoryOf(entry: string): number;
}

interface CommandView {
  commandId?: string;
  status?: CommandStatus;
  failure?: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `done()` or `ms` have passed; says whether it was done. */
const waitFor = async (done: () => boolean, ms: number): Promise<boolean> => {
  const until = performance.now() + ms;
  while (!done()) {
    if (performance.now() > until) return false;
    await sleep(20);
  }
  return true;
};

/** Opens and boots a charger that answers every CALL; `replySent` gets each CALLRESULT's message id and send time. */
const bootAnswering = async (runtime: LocalRuntime, charger: SimCharger, replySent: Map<string, number>): Promise<OcppBenchClient> => {
  const client = await OcppBenchClient.connect(runtime.chargerUrl(charger.id), charger);
  const boot = bootStep(charger.protocol);
  const state = freshState(charger.id, '', Date.now());
  const booted = await client.call(boot.action, boot.payload(state));
  const problem = booted.ok ? boot.check?.(booted.payload ?? {}, state) : booted.problem;
  if (problem) throw new Error(`command stage: ${charger.id} did not boot: ${problem}`);
  client.answerCalls({
    answer: (action, payload) => {
      const answer = simulatedAnswer(charger.protocol, action, payload, 'accept');
      // An action the simulator cannot answer gets an empty result: the command fails as InvalidResponse, and says so.
      return answer.kind === 'result' ? answer.payload : {};
    },
    sent: (messageId, _action, at) => replySent.set(messageId, at),
  });
  return client;
};

export const measureCommandRoundTrip = async (o: CommandStageOptions): Promise<CommandRoundTrip> => {
  const restUrl = o.runtime.restUrl;
  if (!restUrl) throw new Error('command stage: the runtime serves no REST API');
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: CommandView }> => {
    const res = await fetch(`${restUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${o.operatorToken}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as CommandView) : {} };
  };

  // The CALL's message id is the command id.
  const replySent = new Map<string, number>();
  const clients = await Promise.all(o.chargers.map(async (charger) => ({ charger, client: await bootAnswering(o.runtime, charger, replySent) })));
  const snapshot = (): StepSnapshot => ({
    operations: operationsSnapshot(),
    handlers: Object.fromEntries(COMMAND_STEPS.map((s) => [s, o.meter.snapshot(STEP_ENTRIES[s])])) as StepSnapshot['handlers'],
    connectionsApiCalls: o.runtime.managementCalls(),
  });
  const usage = (step: CommandStep, before: StepSnapshot, after: StepSnapshot, commands: number) =>
    perCommand(stepUsageBetween(step, before, after, o.memoryOf(STEP_ENTRIES[step])), commands);
  const busyEntries = COMMAND_STEPS.filter((s) => s !== 'timeout').map((s) => STEP_ENTRIES[s]);

  const problems: string[] = [];
  const measured: Omit<ActionRoundTrip, 'dollarsPerMillion'>[] = [];
  const start = snapshot();
  let sent = 0;
  try {
    for (const { protocol, action, payload } of BENCH_COMMANDS) {
      const senders = clients.filter((c) => c.charger.protocol === protocol);
      if (senders.length === 0 || o.commandsPerCharger <= 0) continue;
      const toReply: number[] = [];
      const toAnswered: number[] = [];
      const before = snapshot();
      const roundTrip = async (chargerId: string) => {
        const posted = performance.now();
        const accepted = await api('POST', `/chargers/${encodeURIComponent(chargerId)}/commands`, { action, payload, timeoutSeconds: o.timeoutSeconds });
        const commandId = accepted.body.commandId;
        if (accepted.status !== 202 || commandId === undefined) {
          problems.push(`${chargerId} ${action}: POST answered ${accepted.status}`);
          return;
        }
        sent += 1;
        let command = accepted.body;
        // Three long polls at most: a command still open after a minute is a problem in itself.
        for (let i = 0; i < 3 && !isFinal(command.status ?? 'queued'); i++) command = (await api('GET', `/commands/${commandId}?wait=20`)).body;
        const ended = performance.now();
        const replied = replySent.get(commandId);
        if (replied !== undefined) toReply.push(replied - posted);
        if (command.status === 'answered') toAnswered.push(ended - posted);
        else problems.push(`${chargerId} ${action}: ${command.status ?? 'no status'} ${JSON.stringify(command.failure ?? '')}`);
      };
      await Promise.all(senders.map(async ({ charger }) => {
        for (let i = 0; i < o.commandsPerCharger; i++) await roundTrip(charger.id);
      }));
      // Answered is recorded before the reply's log write and the dispatch's timer: wait until those handlers are done.
      if (!(await waitFor(() => o.meter.idle(busyEntries), 10_000))) problems.push(`${action}: handlers still running after 10 s`);
      const after = snapshot();
      const commands = senders.length * o.commandsPerCharger;
      measured.push({
        protocol,
        action,
        hasEffect: effectOf(action)?.answered !== undefined,
        commands,
        answered: toAnswered.length,
        toReply: spreadOf(toReply),
        toAnswered: spreadOf(toAnswered),
        steps: {
          submit: usage('submit', before, after, commands),
          dispatch: usage('dispatch', before, after, commands),
          reply: usage('reply', before, after, commands),
          follow: usage('follow', before, after, commands),
        },
      });
    }
    // Every sent command's timeout arrives a second past its deadline; it finds the command answered.
    const timeouts = () => o.meter.snapshot(STEP_ENTRIES.timeout).records - start.handlers.timeout.records;
    if (!(await waitFor(() => timeouts() >= sent && o.meter.idle([STEP_ENTRIES.timeout]), (o.timeoutSeconds + 30) * 1000))) {
      problems.push(`${timeouts()} of ${sent} command timeouts arrived`);
    }
  } finally {
    await Promise.all(clients.map((c) => c.client.close()));
  }
  const timeout = usage('timeout', start, snapshot(), sent);
  return {
    chargers: o.chargers.length,
    commandsPerCharger: o.commandsPerCharger,
    timeoutSeconds: o.timeoutSeconds,
    actions: measured.map((a) => ({ ...a, dollarsPerMillion: commandDollarsPerMillion({ ...a.steps, timeout }) })),
    timeout,
    problems,
  };
};
