/**
 * Sending a queued command to its charger, and ending a sent one that got no answer.
 *
 * One delivery of a command's queue message: read the command (not queued any more → nothing to do, so a redelivered
 * message never sends a second CALL), read the charger's presence (offline → `failed: ChargerOffline`), take the
 * charger's in-flight slot and mark the command sent in one transaction (slot busy → wait and be delivered again),
 * then post the CALL, log it and arm its timeout. The CALL's message id is the command id.
 */
import type { Ports } from '../deps.ts';
import { encodeCall } from '../ocpp/frames.ts';
import type { CommandCompletion, CommandSlot } from './command.ts';
import type { ChargerLink, CommandQueue, CommandRef, CommandTimers, SentCommandRef } from './ports.ts';

export interface DispatchPorts extends Ports {
  readonly link: ChargerLink;
  readonly timers: CommandTimers;
}

export type DispatchResult =
  /** The message is done with (sent, failed, or nothing left to do): delete it. */
  | { readonly done: true }
  /** The charger's slot is busy: deliver the message again after `seconds`. */
  | { readonly done: false; readonly retryInSeconds: number };

/**
 * How long a waiting command hides before it looks at the slot again: soon at first (most answers take under a
 * second), then every few seconds, and never past the busy slot's deadline, when the slot is taken over anyway.
 */
export const waitBeforeRetry = (receiveCount: number, busyUntil: Date, now: Date): number => {
  const backoff = Math.min(5, 2 ** Math.max(0, receiveCount - 1));
  const untilDeadline = Math.ceil((busyUntil.getTime() - now.getTime()) / 1000);
  return Math.max(1, Math.min(backoff, untilDeadline));
};

/** A command ended: counted by its action and how (`answered`, `failed`, `timedOut`). */
export const countCommandOutcome = (deps: Ports, action: string | undefined, outcome: CommandCompletion['status']): void =>
  deps.metrics?.record('commandOutcomes', 1, { Action: action ?? 'Other', Outcome: outcome });

export const dispatchCommand = async (deps: DispatchPorts, ref: CommandRef, receiveCount = 1): Promise<DispatchResult> => {
  const command = await deps.stores.commands.get(ref.commandId, true);
  if (!command || command.status !== 'queued') {
    if (!command) deps.log.warn('command message without a command', { ...ref });
    return { done: true };
  }
  const presence = await deps.stores.presence.get(command.chargerId);
  if (!presence?.connected || !presence.connectionId) {
    if (command.whenOffline === 'hold') {
      await deps.stores.commands.hold(command);
      return { done: true };
    }
    await deps.stores.commands.failQueued(command.commandId, { code: 'ChargerOffline', detail: `${command.chargerId} was not connected when the command's turn came` });
    countCommandOutcome(deps, command.action, 'failed');
    return { done: true };
  }
  const now = deps.now();
  const slot: CommandSlot = {
    chargerId: command.chargerId,
    commandId: command.commandId,
    messageId: command.commandId,
    action: command.action,
    protocol: command.protocol,
    connectionId: presence.connectionId,
    sentAt: now.toISOString(),
    deadline: new Date(now.getTime() + command.timeoutSeconds * 1000).toISOString(),
  };
  const claim = await deps.stores.commands.claimSlot(command, slot);
  if (!claim.claimed) {
    if ('notQueued' in claim) return { done: true };
    return { done: false, retryInSeconds: waitBeforeRetry(receiveCount, new Date(claim.busy.deadline), now) };
  }
  if (claim.timedOut) {
    deps.log.info('command timed out: its slot was taken over past its deadline', { chargerId: command.chargerId, commandId: claim.timedOut });
    countCommandOutcome(deps, undefined, 'timedOut');
  }

  const frame = encodeCall(slot.messageId, command.action, command.sendPayload ?? command.payload);
  let sent: 'sent' | 'gone';
  try {
    sent = await deps.link.send(slot.connectionId, frame);
  } catch (error) {
    deps.log.error('CALL could not be posted', { chargerId: command.chargerId, commandId: command.commandId, error });
    await deps.stores.commands.complete(command.commandId, slot.messageId, { status: 'failed', failure: { code: 'SendFailed', detail: 'the CALL could not be handed to the connection' } }, slot);
    countCommandOutcome(deps, command.action, 'failed');
    return { done: true };
  }
  if (sent === 'gone') {
    // Its $disconnect was lost (API Gateway delivers it at most once): the charger is offline now, so the commands
    // after this one fail at once or are held, rather than each trying a dead connection until ReconcilePresence.
    await Promise.all([
      deps.stores.commands.complete(command.commandId, slot.messageId, { status: 'failed', failure: { code: 'ChargerOffline', detail: 'the charger’s connection was gone' } }, slot),
      deps.stores.presence.detach(command.chargerId, slot.connectionId),
    ]);
    countCommandOutcome(deps, command.action, 'failed');
    return { done: true };
  }
  deps.metrics?.record('commandsSent', 1, { Action: command.action });
  const timer: SentCommandRef = { commandId: command.commandId, chargerId: command.chargerId, messageId: slot.messageId };
  const [logged, armed] = await Promise.allSettled([
    deps.stores.messageLog.append({ chargerId: presence.chargerId, connectionId: slot.connectionId, direction: 'out', raw: frame, at: now }),
    // One second past the deadline, so the timeout never fires before the deadline it checks.
    deps.timers.expireAfter(timer, command.timeoutSeconds + 1),
  ]);
  // Neither loses the command: a lost log entry is only history; without its timer, the slot is taken over at its deadline.
  if (logged.status === 'rejected') deps.log.error('message log write of a CALL failed', { chargerId: command.chargerId, error: logged.reason });
  if (armed.status === 'rejected') deps.log.error('timeout of a CALL could not be armed', { chargerId: command.chargerId, error: armed.reason });
  return { done: true };
};

/**
 * A sent command's deadline has passed: if its CALL is still the one in flight, the command is `timedOut` and the slot
 * is freed. A CALL answered meanwhile, or a command sent again since, is left alone.
 */
export const expireCommand = async (deps: Ports, ref: SentCommandRef): Promise<void> => {
  const slot = await deps.stores.commands.getSlot(ref.chargerId);
  const timedOut: CommandCompletion = { status: 'timedOut' };
  if (slot?.messageId === ref.messageId) {
    if (Date.parse(slot.deadline) > deps.now().getTime()) {
      deps.log.warn('command timeout fired before its deadline; left to the slot takeover', { ...ref, deadline: slot.deadline });
      return;
    }
    if (await deps.stores.commands.complete(ref.commandId, ref.messageId, timedOut, slot)) {
      deps.log.info('command timed out', { ...ref });
      countCommandOutcome(deps, slot.action, 'timedOut');
    }
    return;
  }
  // No slot in its name: the command may still be `sent` if the write that freed its slot (a disconnect) stopped short.
  if (await deps.stores.commands.complete(ref.commandId, ref.messageId, timedOut)) {
    deps.log.info('command timed out without its slot', { ...ref });
    countCommandOutcome(deps, undefined, 'timedOut');
  }
};

/** The charger's connection closed: the CALL in flight on it will get no answer, so its command fails now. */
export const failInFlightOnDisconnect = async (deps: Ports, chargerId: string, connectionId: string): Promise<void> => {
  const slot = await deps.stores.commands.releaseForConnection(chargerId, connectionId);
  if (!slot) return;
  const ended = await deps.stores.commands.complete(slot.commandId, slot.messageId, {
    status: 'failed',
    failure: { code: 'ChargerDisconnected', detail: 'the charger disconnected before answering' },
  });
  if (ended) countCommandOutcome(deps, slot.action, 'failed');
};

/**
 * The charger is back (it connected again, or booted and was accepted): its held commands go back on its queue,
 * oldest first, each with a fresh deduplication id (its first one may still be inside SQS's five-minute window). A
 * marker goes only once its command is queued again, so a failure part-way re-queues the rest next time (the
 * dispatcher ignores a command sent twice); then the presence mark goes, unless a command was held meanwhile. `marked`:
 * the trigger saw the mark (a boot does not read presence: it clears the mark only when it released something, so an
 * accepted boot of a charger with nothing held writes nothing).
 */
export const releaseHeldCommands = async (deps: Ports & { queue: CommandQueue }, chargerId: string, marked = false): Promise<number> => {
  const releasedFrom = deps.now().toISOString();
  const held = await deps.stores.commands.held(chargerId);
  for (const h of held) {
    await deps.queue.enqueue({ commandId: h.commandId, chargerId: h.chargerId }, `${h.commandId}:${h.heldSince}`);
    await deps.stores.commands.unhold(h);
  }
  if (marked || held.length > 0) await deps.stores.presence.clearHeldCommandsMark(chargerId, releasedFrom);
  return held.length;
};
