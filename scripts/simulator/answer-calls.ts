/**
 * Makes an ocpp-rpc client answer every CALL the CSMS sends it from the reply table (replies.ts), printing each
 * exchange. Used by `npm run simulate`; a test's client can use it too.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import ocppRpc, { createRPCError } from 'ocpp-rpc';
import type { IHandlersOption, RPCClient } from 'ocpp-rpc';
import { DEFAULT_STATION, simulatedAnswer } from './replies.ts';
import type { AnswerMode, SimulatedAnswer, SimulatorProtocol, StationFacts } from './replies.ts';

// ocpp-rpc's typings declare NOREPLY as an object; at runtime it is the symbol a handler returns to send nothing.
const NO_REPLY = (ocppRpc as unknown as { NOREPLY: symbol }).NOREPLY;

export interface AnswerOptions {
  mode: AnswerMode;
  /** Wait this long before answering, in milliseconds. @default 0 */
  delayMs?: number;
  /** Read at each CALL, so replies report what the charger knows then (the boot interval arrives after connecting). */
  station?: () => StationFacts;
  /** Receives one line per CALL and per answer: `⇐ Reset {"type":"Soft"}`, `⇒ {"status":"Accepted"}`. */
  print?: (line: string) => void;
  /** Told after a CALL was answered with a result (e.g. to start the upload an accepted GetLog asks for). */
  onAnswered?: (action: string, request: unknown, result: object) => void;
}

const isSimulatorProtocol = (protocol: string | undefined): protocol is SimulatorProtocol => protocol === 'ocpp1.6' || protocol === 'ocpp2.0.1';

const describeAnswer = (answer: SimulatedAnswer): string => {
  switch (answer.kind) {
    case 'result': return JSON.stringify(answer.payload);
    case 'error': return `CALLERROR ${answer.code} "${answer.description}"`;
    case 'silent': return '(no answer)';
  }
};

export function answerCsmsCalls(client: RPCClient, { mode, delayMs = 0, station = () => DEFAULT_STATION, print = () => {}, onAnswered }: AnswerOptions): void {
  // ocpp-rpc's typings want a payload back; NO_REPLY (a symbol) is how a handler says "send nothing".
  client.handle(async ({ method = '', params, signal }: IHandlersOption): Promise<Record<string, unknown>> => {
    print(`⇐ ${method} ${JSON.stringify(params)}`);
    const protocol = client.protocol;
    const answer: SimulatedAnswer = isSimulatorProtocol(protocol)
      ? simulatedAnswer(protocol, method, params, mode, station())
      : { kind: 'error', code: 'NotImplemented', description: `the simulator does not speak ${protocol}` };
    if (delayMs > 0 && answer.kind !== 'silent') await sleep(delayMs, undefined, { signal });
    print(`⇒ ${describeAnswer(answer)}`);
    switch (answer.kind) {
      case 'result':
        // After this reply is on its way: a charger reports on a transfer only once it said it will do it.
        if (onAnswered) setTimeout(() => onAnswered(method, params, answer.payload), 50);
        return answer.payload as Record<string, unknown>;
      case 'error': throw createRPCError(answer.code, answer.description) as Error;
      case 'silent': return NO_REPLY as never;
    }
  });
  // Strict mode refuses a CALL that breaks its schema (ocpp-rpc answers the CALLERROR) and a reply of ours that does
  // (it sends InternalError instead): say so, or the printed exchange would mislead.
  client.on('strictValidationFailure', ({ method, outbound, isCall, error }: { method: string; outbound: boolean; isCall: boolean; error: Error }) => {
    if (isCall && !outbound) print(`⇐ ${method} breaks its schema (${error.message}): ocpp-rpc answered a CALLERROR`);
    if (!isCall && outbound) print(`⇒ our ${method} reply breaks its schema (${error.message}): ocpp-rpc sent CALLERROR InternalError instead`);
  });
}
