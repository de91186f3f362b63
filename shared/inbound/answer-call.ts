/**
 * Answers one CALL from a charger: a CALLRESULT, or a CALLERROR naming what was wrong. Never throws: a failure
 * of ours becomes InternalError (the charger retries; handlers are idempotent), internals stay in our logs.
 */
import { fault } from '../ocpp/faults.ts';
import { encodeCallError, encodeCallResult } from '../ocpp/frames.ts';
import { assertValidOutbound, hasAction, validateRequest } from '../ocpp/validate.ts';
import { inboundAction } from './actions.ts';
import { CallRefused } from './refusal.ts';
import { refusalBeforeAcceptance } from './registration-gate.ts';
import { capSamples } from './sample-cap.ts';
import type { InboundContext } from './types.ts';

export interface CallFrame {
  messageId: string;
  action: string;
  payload: unknown;
}

export interface CallLimits {
  /** Meter samples one message may carry (sample-cap.ts). */
  maxSamplesPerMessage: number;
}

export const answerCall = async (ctx: InboundContext, call: CallFrame, limits: CallLimits): Promise<string> => {
  const { protocol, chargerId } = ctx;
  // First: 2.0.1 B02.FR.09 / B03.FR.07 answer every CALL but BootNotification of a charger not accepted, whatever its
  // action, SecurityError.
  const refused = await refusalBeforeAcceptance(ctx, call.action, call.payload);
  if (refused) {
    ctx.log.warn('CALL refused before acceptance', { chargerId, action: call.action, registration: ctx.registration });
    return encodeCallError(protocol, call.messageId, refused);
  }
  const spec = inboundAction(protocol, call.action);
  if (!spec) {
    // The action exists in this OCPP version but is not one a charger sends to us (or not yet supported).
    return hasAction(protocol, call.action)
      ? encodeCallError(protocol, call.messageId, fault('NotSupported', `${call.action} is not supported from a charger`))
      : encodeCallError(protocol, call.messageId, fault('NotImplemented', `unknown action ${call.action} for ${protocol}`));
  }
  const checked = validateRequest(protocol, call.action, call.payload);
  if (!checked.ok) return encodeCallError(protocol, call.messageId, checked.fault);
  if (checked.tolerated.length) {
    ctx.log.warn('tolerated a non-conforming payload', { chargerId, action: call.action, tolerated: checked.tolerated });
    ctx.metrics?.record('payloadsTolerated', 1, { Action: call.action });
  }
  const capped = capSamples(call.action, checked.payload, limits.maxSamplesPerMessage);
  if (!capped.ok) return encodeCallError(protocol, call.messageId, capped.fault);
  if (capped.dropped) ctx.log.warn('dropped meter samples over the cap', { chargerId, action: call.action, dropped: capped.dropped });
  try {
    // The one untyped step: `capped.payload` has passed the request schema of `call.action`, which is the
    // schema the spec's payload type was generated from.
    const response = await spec.handle(ctx, capped.payload as never);
    assertValidOutbound(protocol, call.action, 'response', response);
    return encodeCallResult(call.messageId, response);
  } catch (error) {
    if (error instanceof CallRefused) return encodeCallError(protocol, call.messageId, error.fault);
    ctx.log.error('action failed', { chargerId, action: call.action, messageId: call.messageId, error });
    return encodeCallError(protocol, call.messageId, fault('InternalError', `${call.action} could not be processed`));
  }
};
