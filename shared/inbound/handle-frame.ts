/**
 * One inbound WebSocket frame from a charger, start to finish: log it, parse and check it (OCPP-J frame
 * rules, then the version's JSON schema), run the action, check our answer against the schema too, and
 * return the frame to send back (API Gateway returns it as the route response), if any.
 * A rejected frame writes nothing but its message-log entries.
 */
import type { StoreDeps } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import { fault, type Fault } from '../ocpp/faults.ts';
import { encodeCallError, encodeCallResult, parseFrame } from '../ocpp/frames.ts';
import { assertValidOutbound, hasAction, loadValidators, validateRequest } from '../ocpp/validate.ts';
import { getChargerItem } from '../charger/registry.ts';
import { logFrame } from '../log/message-log.ts';
import { inboundAction } from './actions.ts';
import type { InboundContext } from './types.ts';

export interface FrameInput {
  chargerId: string;
  protocol: OcppProtocol;
  connectionId: string;
  raw: string;
  receivedAt: Date;
}

export interface FrameConfig {
  heartbeatIntervalSeconds: number;
  messageLogRetentionDays: number;
}

type CallFrame = { messageId: string; action: string; payload: unknown };

const isAccepted = async (store: StoreDeps, chargerId: string) =>
  (await getChargerItem(store, chargerId))?.registrationStatus === 'accepted';

/** Answers one CALL: a CALLRESULT, or a CALLERROR naming what was wrong. Never throws. */
const answerCall = async (store: StoreDeps, config: FrameConfig, input: FrameInput, call: CallFrame): Promise<string> => {
  const { protocol, chargerId } = input;
  const reject = (f: Fault) => encodeCallError(protocol, call.messageId, f);
  const spec = inboundAction(protocol, call.action);
  if (!spec) {
    // The action exists in this OCPP version but is not one a charger sends to us (or not yet supported).
    return hasAction(protocol, call.action)
      ? reject(fault('NotSupported', `${call.action} is not supported from a charger`))
      : reject(fault('NotImplemented', `unknown action ${call.action} for ${protocol}`));
  }
  const checked = validateRequest(protocol, call.action, call.payload);
  if (!checked.ok) return reject(checked.fault);
  if (checked.tolerated.length) {
    store.log.warn('tolerated a non-conforming payload', { chargerId, action: call.action, tolerated: checked.tolerated });
  }
  // The one untyped step: `checked.payload` has passed the request schema of `call.action`, which is the schema
  // the spec's payload type was generated from.
  const payload = checked.payload as never;
  try {
    const gate = spec.requiresAcceptedCharger;
    const gated = typeof gate === 'function' ? gate(payload) : gate === true;
    if (gated && !(await isAccepted(store, chargerId))) {
      return reject(fault('SecurityError', 'charger is not accepted by the CSMS'));
    }
    const ctx: InboundContext = {
      store,
      chargerId,
      protocol,
      messageId: call.messageId,
      connectionId: input.connectionId,
      receivedAt: input.receivedAt,
      heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    };
    const response = await spec.handle(ctx, payload);
    assertValidOutbound(protocol, call.action, 'response', response);
    return encodeCallResult(call.messageId, response);
  } catch (error) {
    // Internals stay in our logs; the charger learns only that we failed (and may retry: handlers are idempotent).
    store.log.error('action failed', { chargerId, action: call.action, messageId: call.messageId, error });
    return reject(fault('InternalError', `${call.action} could not be processed`));
  }
};

const respond = async (store: StoreDeps, config: FrameConfig, input: FrameInput): Promise<string | undefined> => {
  await loadValidators(input.protocol);
  const parsed = parseFrame(input.protocol, input.raw);
  if (parsed.kind === 'ignore') {
    store.log.warn('frame ignored', { chargerId: input.chargerId, reason: parsed.reason });
    return undefined;
  }
  if (parsed.kind === 'reject') {
    store.log.warn('malformed frame', { chargerId: input.chargerId, fault: parsed.fault });
    return encodeCallError(input.protocol, parsed.messageId, parsed.fault);
  }
  const frame = parsed.frame;
  switch (frame.type) {
    case 'CALL':
      return answerCall(store, config, input, frame);
    case 'SEND':
      // OCPP 2.1 SEND expects no answer, not even an error.
      store.log.info('SEND received; no handler yet', { chargerId: input.chargerId, action: frame.action });
      return undefined;
    default:
      // Replies to CSMS-initiated calls: correlated by the command machinery (a later issue).
      store.log.info('reply to a CSMS call received', { chargerId: input.chargerId, type: frame.type, messageId: frame.messageId });
      return undefined;
  }
};

export const handleFrame = async (store: StoreDeps, config: FrameConfig, input: FrameInput): Promise<string | undefined> => {
  const reply = await respond(store, config, input);
  const entry = { chargerId: input.chargerId, connectionId: input.connectionId };
  await logFrame(store, config.messageLogRetentionDays, {
    ...entry,
    direction: 'in',
    raw: input.raw,
    at: input.receivedAt,
    ...(reply !== undefined ? { reply: { raw: reply, at: store.now() } } : {}),
  }).catch((error: unknown) => {
    // A lost log line must not cost the charger its answer.
    store.log.error('message log write failed', { ...entry, error });
  });
  return reply;
};
