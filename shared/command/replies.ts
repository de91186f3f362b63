/**
 * The reply port of the command path: a charger's CALLRESULT or CALLERROR whose message id is the CALL in its
 * in-flight slot ends that command and frees the slot in one transaction. A valid CALLRESULT makes it `answered`
 * (with an outcome derived per action), an invalid one `failed: InvalidResponse` (the raw payload kept, and the
 * schema fault returned: handle-frame tells a 2.1 charger with a CALLRESULTERROR), a CALLERROR `failed: CallError`.
 * A reply nobody waits for (late, or to another CALL) is only logged; a 2.1 CALLRESULTERROR is about a CALL of the
 * charger's, never one of ours, so it ends no command.
 *
 * Requests: one consistent GetItem of the slot, then one TransactWriteItems when it matches; an action with an
 * `answered` effect (effects.ts) reads the command and writes what the effect keeps.
 */
import type { ChargerReply, ReplyInput, ReplyOutcome, ReplyPort } from '../inbound/accept-reply.ts';
import type { Ports } from '../deps.ts';
import { loadValidators, validateResponse } from '../ocpp/validate.ts';
import { unstorableValue } from '../ocpp/bounds.ts';
import { headOf, MAX_LOGGED_FRAME_BYTES } from '../log/message-log.ts';
import { outcomeOf } from './catalog.ts';
import type { CommandCompletion, CommandSlot } from './command.ts';
import type { Fault } from '../ocpp/faults.ts';
import { countCommandOutcome } from './dispatch.ts';
import { effectOf } from './effects.ts';

/**
 * What a charger sent, as it can be stored: itself, or its JSON text (cut as a message-log frame is) when it holds a
 * number or property name the store refuses; stored as it came, such a reply failed the command's write on every
 * try and left the command in flight until its timeout.
 */
const keepable = (value: unknown): unknown =>
  unstorableValue(value) === undefined ? value : headOf(JSON.stringify(value), MAX_LOGGED_FRAME_BYTES);

/** How a reply ends its command; `schemaFault`: why a CALLRESULT breaks the action's schema. */
interface Completed {
  completion: CommandCompletion;
  schemaFault?: Fault;
}

const completionOf = (slot: CommandSlot, reply: Exclude<ChargerReply, { type: 'CALLRESULTERROR' }>): Completed => {
  if (reply.type === 'CALLERROR') {
    const { errorCode, errorDescription } = reply;
    const errorDetails = keepable(reply.errorDetails);
    return {
      completion: {
        status: 'failed',
        failure: { code: 'CallError', detail: `the charger answered ${errorCode}${errorDescription ? `: ${errorDescription}` : ''}`, callError: { errorCode, errorDescription, errorDetails } },
      },
    };
  }
  const checked = validateResponse(slot.protocol, slot.action, reply.payload);
  // A reply valid by its schema that the store cannot keep as it is (1e300 W) is our limit, not the charger's fault.
  const invalid = checked.ok ? unstorableValue(checked.payload) : checked.fault;
  if (!checked.ok || invalid) {
    return {
      completion: { status: 'failed', failure: { code: 'InvalidResponse', detail: `the ${slot.action} reply is not valid: ${invalid!.description}`, raw: keepable(reply.payload) } },
      ...(checked.ok ? {} : { schemaFault: checked.fault }),
    };
  }
  const outcome = outcomeOf(slot.protocol, slot.action, checked.payload);
  return { completion: { status: 'answered', result: checked.payload, ...(outcome !== undefined ? { outcome } : {}) } };
};

export const commandReplies = (deps: Ports): ReplyPort => ({
  async accept({ chargerId, reply, receivedAt }: ReplyInput): Promise<ReplyOutcome> {
    if (reply.type === 'CALLRESULTERROR') {
      deps.log.warn('CALLRESULTERROR from the charger: it refused our answer to one of its CALLs', { chargerId, messageId: reply.messageId, errorCode: reply.errorCode });
      return {};
    }
    const slot = await deps.stores.commands.getSlot(chargerId);
    if (slot?.messageId !== reply.messageId) {
      deps.log.info('reply to no CALL in flight (late, or unknown)', { chargerId, messageId: reply.messageId, inFlight: slot?.messageId });
      return {};
    }
    await loadValidators(slot.protocol);
    const { completion, schemaFault } = completionOf(slot, reply);
    const ended = await deps.stores.commands.complete(slot.commandId, slot.messageId, completion, slot);
    if (!ended) deps.log.info('reply to a CALL that ended meanwhile', { chargerId, commandId: slot.commandId });
    else {
      deps.metrics?.record('commandLatency', Math.max(0, receivedAt.getTime() - Date.parse(slot.sentAt)), { Action: slot.action });
      countCommandOutcome(deps, slot.action, completion.status);
    }
    const answered = effectOf(slot.action)?.answered;
    if (ended && answered && completion.status === 'answered') {
      // The command (with its payload) is read only when the action has an effect to apply.
      const command = await deps.stores.commands.get(slot.commandId, true);
      if (command) {
        await answered(deps, { command, result: completion.result, ...(completion.outcome !== undefined ? { outcome: completion.outcome } : {}) }).catch((error: unknown) => {
          deps.log.error('effect of an answered command failed', { chargerId, commandId: slot.commandId, action: slot.action, error });
        });
      }
    }
    return { answers: slot.action, ...(schemaFault ? { invalid: schemaFault } : {}) };
  },
});
