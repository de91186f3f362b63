/**
 * A charger's answer to a CALL of ours (CALLRESULT, CALLERROR, 2.1 CALLRESULTERROR). Correlating it with the
 * command that sent the CALL is the job of a ReplyPort; until CSMS-initiated commands exist, the port in use
 * knows no CALLs and every reply is unsolicited.
 */
import type { Fault } from '../ocpp/faults.ts';
import type { Frame } from '../ocpp/frames.ts';

export type ChargerReply = Extract<Frame, { type: 'CALLRESULT' | 'CALLERROR' | 'CALLRESULTERROR' }>;

export interface ReplyInput {
  chargerId: string;
  connectionId: string;
  receivedAt: Date;
  reply: ChargerReply;
}

export interface ReplyOutcome {
  /** The action of the CALL this reply answers, when it answers one we know. */
  answers?: string;
  /** Why a CALLRESULT to that CALL breaks the action's schema: a 2.1 charger is told with a CALLRESULTERROR. */
  invalid?: Fault;
}

export interface ReplyPort {
  accept(input: ReplyInput): Promise<ReplyOutcome>;
}

/** No CALL of ours is awaiting anything: the reply is only logged. */
export const unsolicitedReplies: ReplyPort = {
  async accept() {
    return {};
  },
};
