/**
 * One inbound WebSocket frame from a charger, start to finish: parse it (OCPP-J frame rules), hand it to what
 * handles its kind (a CALL is answered, a reply to one of our CALLs goes to the reply port, a 2.1 SEND to its
 * handler), and write what the message records together with its message-log entry. Returns the frame to send
 * back (API Gateway returns it as the route response), if any: a CALL's answer, or for a 2.1 CALLRESULT that breaks
 * its action's schema the CALLRESULTERROR saying why. No other reply, and no SEND, is ever answered.
 *
 * Writes: the facts a message records and its log entry are one request; state changes the answer does not
 * depend on run alongside it. So a charger is answered after at most two sequential DynamoDB round trips: the
 * reads a decision needs, then everything written.
 */
import type { Deps } from '../deps.ts';
import { fault, type Fault } from '../ocpp/faults.ts';
import { encodeCallError, encodeCallResultError, parseFrame, type OcppProtocol } from '../ocpp/frames.ts';
import { DEFAULT_CHARGER_CLOCK, type ChargerClockBounds } from '../ocpp/charger-time.ts';
import { hasAction, loadValidators, validateRequest } from '../ocpp/validate.ts';
import { unsolicitedReplies, type ReplyPort } from './accept-reply.ts';
import { sendActions } from './actions.ts';
import { answerCall, type CallFrame } from './answer-call.ts';
import type { MessageBudget } from './message-budget.ts';
import type { InboundContext } from './types.ts';
import type { RegistrationStatus } from '../charger/registry.ts';
import { refusalBeforeAcceptance } from './registration-gate.ts';
import { DEFAULT_LIVE_WINDOW_MS } from '../transaction/token-use.ts';

export interface FrameInput {
  chargerId: string;
  protocol: OcppProtocol;
  /** The registration at connect, from the authorizer context (inbound/registration-gate.ts). */
  registration?: RegistrationStatus;
  connectionId: string;
  raw: string;
  receivedAt: Date;
  /** Aborts when the answer must go out (before the Lambda's timeout): the charger then gets InternalError. */
  deadline?: AbortSignal;
}

export interface FrameConfig {
  heartbeatIntervalSeconds: number;
  /** How far a charger's timestamps are trusted (charger-time.ts). @default DEFAULT_CHARGER_CLOCK */
  chargerClock?: ChargerClockBounds;
  /** Meter samples one message may carry (sample-cap.ts). */
  maxSamplesPerMessage: number;
  /** The per-charger message budget; none: unlimited. */
  budget?: MessageBudget;
  /** Where replies to our CALLs go. @default unsolicitedReplies */
  replies?: ReplyPort;
  /** When a transaction with no event is stale (shared/transaction/token-use.ts). @default DEFAULT_LIVE_WINDOW_MS */
  liveTransactionWindowMs?: number;
}

interface Handled {
  reply?: string;
  /** For a reply frame: the action of our CALL it answers. */
  answers?: string;
  /** For a CALL or SEND: its action (counted, metrics). */
  action?: string;
}

/** OCPP 2.1 Part 4 §4.2.4: a SEND is never answered, not even with an error; one we cannot take is only logged. */
const takeSend = async (ctx: InboundContext, send: CallFrame): Promise<void> => {
  const table = sendActions[ctx.protocol];
  const spec = Object.hasOwn(table, send.action) ? table[send.action] : undefined;
  const refused = spec && (await refusalBeforeAcceptance(ctx, send.action));
  if (refused) {
    ctx.log.warn('SEND not taken before acceptance', { chargerId: ctx.chargerId, action: send.action });
    return;
  }
  const checked = validateRequest(ctx.protocol, send.action, send.payload);
  if (!spec || !checked.ok) {
    ctx.log.warn('SEND not taken', { chargerId: ctx.chargerId, action: send.action, ...(checked.ok ? { reason: 'no handler' } : { fault: checked.fault }) });
    return;
  }
  // As for a CALL: the payload has passed the schema its spec's type was generated from.
  await spec.handle(ctx, checked.payload as never);
};

const handle = async (ctx: InboundContext, config: FrameConfig, raw: string): Promise<Handled> => {
  await loadValidators(ctx.protocol);
  const parsed = parseFrame(ctx.protocol, raw);
  if (parsed.kind === 'ignore') {
    ctx.log.warn('frame ignored', { chargerId: ctx.chargerId, reason: parsed.reason });
    return {};
  }
  if (parsed.kind === 'reject') {
    ctx.log.warn('malformed frame', { chargerId: ctx.chargerId, fault: parsed.fault });
    return { reply: encodeCallError(ctx.protocol, parsed.messageId, parsed.fault) };
  }
  const frame = parsed.frame;
  switch (frame.type) {
    case 'CALL':
      return { reply: await answerCall({ ...ctx, messageId: frame.messageId }, frame, config), action: frame.action };
    case 'SEND':
      await takeSend({ ...ctx, messageId: frame.messageId }, frame);
      return { action: frame.action };
    default: {
      const outcome = await (config.replies ?? unsolicitedReplies).accept({
        chargerId: ctx.chargerId,
        connectionId: ctx.connectionId,
        receivedAt: ctx.receivedAt,
        reply: frame,
      });
      if (!outcome.answers) ctx.log.info('reply to no CALL of ours', { chargerId: ctx.chargerId, type: frame.type, messageId: frame.messageId });
      const refusal = outcome.invalid && ctx.protocol === 'ocpp2.1' ? { reply: encodeCallResultError(frame.messageId, outcome.invalid) } : {};
      return { ...(outcome.answers ? { answers: outcome.answers } : {}), ...refusal };
    }
  }
};

/** The message id of a CALL frame, for an error that replaces its answer; undefined for any other frame. */
const callMessageId = (protocol: OcppProtocol, raw: string): string | undefined => {
  try {
    const parsed = parseFrame(protocol, raw);
    return parsed.kind === 'frame' && parsed.frame.type === 'CALL' ? parsed.frame.messageId : undefined;
  } catch {
    return undefined;
  }
};

/** The CALLERROR that answers a CALL we could not answer otherwise; nothing for other frames (never answered). */
const errorReply = (input: FrameInput, f: Fault): string | undefined => {
  const messageId = callMessageId(input.protocol, input.raw);
  return messageId === undefined ? undefined : encodeCallError(input.protocol, messageId, f);
};

const answerAndRecord = async (deps: Deps, config: FrameConfig, input: FrameInput): Promise<Handled> => {
  const work = deps.unitOfWork();
  const ctx: InboundContext = {
    stores: work.stores,
    now: deps.now,
    log: deps.log,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    alongside: work.alongside,
    chargerId: input.chargerId,
    protocol: input.protocol,
    messageId: '',
    connectionId: input.connectionId,
    receivedAt: input.receivedAt,
    heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    ...(input.registration ? { registration: input.registration } : {}),
    chargerClock: config.chargerClock ?? DEFAULT_CHARGER_CLOCK,
    liveTransactionWindowMs: config.liveTransactionWindowMs ?? DEFAULT_LIVE_WINDOW_MS,
  };
  const handled = await handle(ctx, config, input.raw).catch((error: unknown): Handled => {
    deps.log.error('frame handling failed', { chargerId: input.chargerId, error });
    // A CALL is always answered: the charger retries an InternalError rather than waiting out its timeout.
    const reply = errorReply(input, fault('InternalError', 'the message could not be processed'));
    return reply === undefined ? {} : { reply };
  });
  const entry = { chargerId: input.chargerId, connectionId: input.connectionId, direction: 'in' as const, raw: input.raw, at: input.receivedAt };
  try {
    await work.stores.messageLog.append({
      ...entry,
      ...(handled.reply !== undefined ? { reply: { raw: handled.reply, at: deps.now() } } : {}),
      ...(handled.answers ? { answers: handled.answers } : {}),
    });
    await work.commit();
    return handled;
  } catch (error) {
    deps.log.error('writes of a charger message failed', { chargerId: input.chargerId, error });
    // The charger retries a CALL answered with an error; every write is idempotent, so nothing is doubled.
    const reply = errorReply(input, fault('InternalError', 'the message could not be recorded'));
    if (reply === undefined) return { ...(handled.action ? { action: handled.action } : {}) };
    await deps.stores.messageLog.append({ ...entry, reply: { raw: reply, at: deps.now() } }).catch((logError: unknown) => {
      deps.log.error('message log write failed', { chargerId: input.chargerId, error: logError });
    });
    return { reply, ...(handled.action ? { action: handled.action } : {}) };
  }
};

/** The error code of a CALLERROR we send (`[4, id, code, …]`); undefined for any other reply. */
const callErrorCode = (reply: string | undefined): string | undefined => {
  if (reply === undefined || !reply.startsWith('[4')) return undefined;
  const code: unknown = (JSON.parse(reply) as unknown[])[2];
  return typeof code === 'string' ? code : undefined;
};

/** One message counted: its action (a CALL or SEND), and the CALLERROR it was answered with, if any. */
const countMessage = (deps: Deps, protocol: OcppProtocol, handled: Handled): void => {
  if (!deps.metrics) return;
  // Only the version's own action names: each dimension value is a metric of its own (and a cost), and a charger
  // may send any text.
  if (handled.action !== undefined) deps.metrics.record('chargerMessages', 1, { Action: hasAction(protocol, handled.action) ? handled.action : 'Other', Protocol: protocol });
  const code = callErrorCode(handled.reply);
  if (code !== undefined) deps.metrics.record('callErrorsSent', 1, { ErrorCode: code });
};

const DEADLINE = Symbol('deadline');
const deadlineOf = (signal: AbortSignal): Promise<typeof DEADLINE> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve(DEADLINE);
    else signal.addEventListener('abort', () => resolve(DEADLINE), { once: true });
  });

/**
 * Never throws, and with a `deadline` never outlives it: every failure of ours becomes a CALLERROR for a CALL
 * (API Gateway would otherwise send the charger its own `{"message":"Internal server error"}`, which is no OCPP).
 */
export const handleFrame = async (deps: Deps, config: FrameConfig, input: FrameInput): Promise<string | undefined> => {
  if (config.budget && !config.budget.admit(input.chargerId, input.receivedAt)) {
    deps.log.warn('charger over its message budget', { chargerId: input.chargerId });
    // Counted without the charger's id: a dimension per charger would be a billed metric per charger.
    deps.metrics?.record('messagesOverBudget', 1, {});
    // Not logged in the message log: the budget bounds what a charger makes us write.
    const reply = errorReply(input, fault('GenericError', 'message budget exceeded: too many messages from this charger; retry later'));
    countMessage(deps, input.protocol, reply === undefined ? {} : { reply });
    return reply;
  }
  const answering = answerAndRecord(deps, config, input);
  const answered = input.deadline ? await Promise.race([answering, deadlineOf(input.deadline)]) : await answering;
  if (answered !== DEADLINE) {
    countMessage(deps, input.protocol, answered);
    return answered.reply;
  }
  // The work goes on (its writes are idempotent and a late failure is still observed by the race), but the
  // charger gets its answer while we can still send one.
  deps.log.error('charger message not answered in time', { chargerId: input.chargerId });
  const reply = errorReply(input, fault('InternalError', 'the message could not be processed in time'));
  countMessage(deps, input.protocol, reply === undefined ? {} : { reply });
  return reply;
};
