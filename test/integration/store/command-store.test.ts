/**
 * The command store: commands and each charger's list of them, cancelling a queued one, the charger's in-flight slot
 * (claimed with the command's `sent` mark, taken over past its deadline, freed by the command's end or by its
 * connection closing), held commands, and failing a command never sent. A write that loses a race answers a result
 * and leaves every record as the winner left it. The stores run on a fixed clock, so each `completedAt` is known.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command, CommandSlot } from '#shared/command/command.ts';
import { failInFlightOnDisconnect } from '#shared/command/dispatch.ts';
import type { Deps } from '#shared/deps.ts';
import { chargerCommandsIndex, commandKey, commandSlotKey } from '#shared/store/keys.ts';
import type { CommandStore } from '#shared/store/command-store.ts';
import { currentSecond, depsAt, openStoreFixture, STORAGE_ATTRIBUTES, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
let deps: Deps;
let now: Date;
let commands: CommandStore;
beforeAll(async () => {
  f = await openStoreFixture();
  now = currentSecond();
  deps = depsAt(f, now);
  commands = deps.stores.commands;
});
afterAll(async () => f?.close());

/** The time `seconds` from the fixed clock's now, as the store writes it. */
const at = (seconds: number): string => new Date(now.getTime() + seconds * 1000).toISOString();

/** A queued command as submitCommand records it; its id names the test it belongs to. */
const queuedCommand = (chargerId: string, commandId: string, overrides: Partial<Command> = {}): Command => ({
  commandId,
  chargerId,
  protocol: 'ocpp1.6',
  action: 'Reset',
  payload: { type: 'Soft' },
  status: 'queued',
  timeoutSeconds: 30,
  requestedBy: 'operator@example.com',
  createdAt: at(-120),
  ...overrides,
});

/** The slot the dispatcher claims for `command` on `connectionId`, sent `sentAt` seconds from now. */
const slotFor = (command: Command, connectionId: string, sentAt = 0): CommandSlot => ({
  chargerId: command.chargerId,
  commandId: command.commandId,
  messageId: command.commandId,
  action: command.action,
  protocol: command.protocol,
  connectionId,
  sentAt: at(sentAt),
  deadline: at(sentAt + command.timeoutSeconds),
});

const create = async (...all: Command[]): Promise<void> => {
  for (const command of all) expect(await commands.create(command)).toBe('created');
};

/** Records `command` and claims its charger's free slot for it, as the dispatcher does; the slot. */
const sentCommand = async (command: Command, connectionId: string, sentAt = 0): Promise<CommandSlot> => {
  await create(command);
  const slot = slotFor(command, connectionId, sentAt);
  expect(await commands.claimSlot(command, slot)).toEqual({ claimed: true });
  return slot;
};

/** What a command looks like once the slot `slot` was claimed for it (the unmasked payload gone). */
const asSent = (command: Command, slot: CommandSlot): Command => {
  const { sendPayload: _unmasked, ...rest } = command;
  return { ...rest, status: 'sent', messageId: slot.messageId, sentAt: slot.sentAt, deadline: slot.deadline };
};

describe('command records', () => {
  it('records a command once and reads back what it recorded, without storage attributes', async () => {
    const command = queuedCommand('CP-Record', 'cmd-record', { payload: { password: '***' }, sendPayload: { password: 'the-new-secret' }, whenOffline: 'hold' });
    expect(await commands.create(command)).toBe('created');
    expect(await commands.create({ ...command, action: 'ClearCache', payload: {}, requestedBy: 'someone-else' })).toBe('exists');

    expect(await commands.get('cmd-record')).toEqual(command);
    expect(await commands.get('cmd-record', true)).toEqual(command);
    const stored = await f.item('Csms', commandKey('cmd-record'));
    expect(stored).toMatchObject({ ...chargerCommandsIndex('CP-Record', command.createdAt, 'cmd-record'), type: 'Command', action: 'Reset' });
    expect(stored?.expiresAt).toBe(Math.floor(Date.parse(command.createdAt) / 1000) + 30 * 86_400);
  });

  it('answers nothing for an unknown id, and creates nothing', async () => {
    expect(await commands.get('cmd-unknown')).toBeUndefined();
    expect(await commands.get('cmd-unknown', true)).toBeUndefined();
    expect(await f.item('Csms', commandKey('cmd-unknown'))).toBeUndefined();
  });

  it('lists a charger’s commands newest first, only its own, under any case of its id, page by page', async () => {
    const a1 = queuedCommand('CP-List-A', 'cmd-list-a1', { createdAt: at(-40) });
    const a2 = queuedCommand('CP-List-A', 'cmd-list-a2', { createdAt: at(-30) });
    const a3 = queuedCommand('CP-List-A', 'cmd-list-a3', { createdAt: at(-10) });
    const b1 = queuedCommand('CP-List-B', 'cmd-list-b1', { createdAt: at(-20) });
    // Created out of order: the list's order is the commands' creation times, not the writes'.
    await create(a2, b1, a3, a1);
    const ids = (page: { items: Command[] }) => page.items.map((c) => c.commandId);

    expect(ids(await commands.listForCharger('CP-List-A'))).toEqual(['cmd-list-a3', 'cmd-list-a2', 'cmd-list-a1']);
    expect(ids(await commands.listForCharger('cp-list-a'))).toEqual(['cmd-list-a3', 'cmd-list-a2', 'cmd-list-a1']);
    expect(ids(await commands.listForCharger('CP-LIST-A'))).toEqual(['cmd-list-a3', 'cmd-list-a2', 'cmd-list-a1']);
    expect((await commands.listForCharger('CP-List-B')).items).toEqual([b1]);
    expect((await commands.listForCharger('CP-List-Nobody')).items).toEqual([]);

    const first = await commands.listForCharger('cp-list-a', { limit: 2 });
    expect(first.items).toEqual([a3, a2]);
    expect(first.cursor).toBeDefined();
    const second = await commands.listForCharger('cp-list-a', { limit: 2, cursor: first.cursor });
    expect(second.items).toEqual([a1]);
    expect(second.cursor).toBeUndefined();
    for (const item of first.items) for (const attribute of STORAGE_ATTRIBUTES) expect(item).not.toHaveProperty(attribute);
  });
});

describe('cancel', () => {
  it('cancels a queued command: who and when are recorded, the unmasked payload goes', async () => {
    const command = queuedCommand('CP-Cancel', 'cmd-cancel', { payload: { password: '***' }, sendPayload: { password: 'the-new-secret' } });
    await create(command);
    const { sendPayload: _unmasked, ...kept } = command;
    const cancelled: Command = { ...kept, status: 'cancelled', completedAt: at(0), cancelledBy: 'operator@example.com' };

    expect(await commands.cancel('cmd-cancel', 'operator@example.com')).toEqual({ cancelled: true, command: cancelled });
    expect(await commands.get('cmd-cancel', true)).toEqual(cancelled);
    // A second cancel finds it cancelled already and changes nothing.
    expect(await commands.cancel('cmd-cancel', 'another@example.com')).toEqual({ cancelled: false, status: 'cancelled' });
    expect(await commands.get('cmd-cancel', true)).toEqual(cancelled);
  });

  it('a cancel after a claim, or after the answer, answers the command’s status and leaves it and its slot; an unknown one answers none', async () => {
    const command = queuedCommand('CP-Cancel-Sent', 'cmd-cancel-sent');
    const slot = await sentCommand(command, 'conn-cs');
    expect(await commands.cancel('cmd-cancel-sent', 'operator@example.com')).toEqual({ cancelled: false, status: 'sent' });
    expect(await commands.get('cmd-cancel-sent', true)).toEqual(asSent(command, slot));
    expect(await commands.getSlot('CP-Cancel-Sent')).toEqual(slot);

    expect(await commands.complete('cmd-cancel-sent', slot.messageId, { status: 'answered', result: { status: 'Accepted' }, outcome: 'accepted' }, slot)).toBe(true);
    expect(await commands.cancel('cmd-cancel-sent', 'operator@example.com')).toEqual({ cancelled: false, status: 'answered' });
    expect(await commands.get('cmd-cancel-sent', true)).not.toHaveProperty('cancelledBy');

    expect(await commands.cancel('cmd-cancel-unknown', 'operator@example.com')).toEqual({ cancelled: false });
    expect(await f.item('Csms', commandKey('cmd-cancel-unknown'))).toBeUndefined();
  });

  it('a claim after a cancel finds the command not queued and takes no slot', async () => {
    const command = queuedCommand('CP-Cancel-First', 'cmd-cancel-first');
    await create(command);
    expect((await commands.cancel('cmd-cancel-first', 'operator@example.com')).cancelled).toBe(true);

    expect(await commands.claimSlot(command, slotFor(command, 'conn-cf'))).toEqual({ claimed: false, notQueued: true });
    expect(await commands.getSlot('CP-Cancel-First')).toBeUndefined();
    const after = await commands.get('cmd-cancel-first', true);
    expect(after?.status).toBe('cancelled');
    expect(after).not.toHaveProperty('messageId');
    expect(after).not.toHaveProperty('sentAt');
  });

  it('a cancel and a claim at the same moment: one wins, the other answers a result, and the records agree', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const command = queuedCommand(`CP-Race-${i}`, `cmd-race-${i}`);
      await create(command);
      const slot = slotFor(command, `conn-race-${i}`);
      const [cancel, claim] = await Promise.all([commands.cancel(command.commandId, 'operator@example.com'), commands.claimSlot(command, slot)]);
      const stored = await commands.get(command.commandId, true);
      const held = await commands.getSlot(command.chargerId);
      if (cancel.cancelled) {
        expect(claim).toEqual({ claimed: false, notQueued: true });
        expect(stored?.status).toBe('cancelled');
        expect(stored).not.toHaveProperty('messageId');
        expect(held).toBeUndefined();
        outcomes.push('cancel');
      } else {
        expect(cancel).toEqual({ cancelled: false, status: 'sent' });
        expect(claim).toEqual({ claimed: true });
        expect(stored).toEqual(asSent(command, slot));
        expect(held).toEqual(slot);
        outcomes.push('claim');
      }
    }
    expect(outcomes).toHaveLength(8);
  });
});

describe('in-flight slot', () => {
  it('claims a free slot: the command is sent under the slot’s message id and deadline, its unmasked payload gone', async () => {
    const command = queuedCommand('CP-Claim', 'cmd-claim', { payload: { password: '***' }, sendPayload: { password: 'the-new-secret' } });
    await create(command);
    const slot = slotFor(command, 'conn-claim');

    expect(await commands.claimSlot(command, slot)).toEqual({ claimed: true });
    expect(await commands.get('cmd-claim', true)).toEqual(asSent(command, slot));
    expect(await commands.getSlot('CP-Claim')).toEqual(slot);
    // The slot is the charger's, whatever the case of the id it is asked under.
    expect(await commands.getSlot('cp-claim')).toEqual(slot);
    expect(await f.item('Csms', commandSlotKey('CP-Claim'))).toMatchObject({ type: 'CommandSlot', expiresAt: Math.floor(Date.parse(slot.deadline) / 1000) + 86_400 });
    // The record's retention restarts at the send: it outlives its slot even if it was held for weeks.
    expect(await f.item('Csms', commandKey('cmd-claim'))).toMatchObject({ expiresAt: Math.floor(Date.parse(slot.sentAt) / 1000) + 30 * 86_400 });
  });

  it('refuses a busy slot whose deadline is ahead: the waiting command stays queued, the slot stays its holder’s', async () => {
    const holder = queuedCommand('CP-Busy', 'cmd-busy-holder');
    const waiting = queuedCommand('CP-Busy', 'cmd-busy-waiting', { createdAt: at(-60) });
    const held = await sentCommand(holder, 'conn-busy');
    await create(waiting);

    expect(await commands.claimSlot(waiting, slotFor(waiting, 'conn-busy', 10))).toEqual({ claimed: false, busy: held });
    expect(await commands.get('cmd-busy-waiting', true)).toEqual(waiting);
    expect(await commands.get('cmd-busy-holder', true)).toEqual(asSent(holder, held));
    expect(await commands.getSlot('CP-Busy')).toEqual(held);
  });

  it('takes over a slot past its deadline, timing out its command in the same write; that command’s late answer changes nothing', async () => {
    const stale = queuedCommand('CP-Takeover', 'cmd-takeover-stale');
    const next = queuedCommand('CP-Takeover', 'cmd-takeover-next', { createdAt: at(-60) });
    const staleSlot = await sentCommand(stale, 'conn-takeover', -90);
    await create(next);
    const nextSlot = slotFor(next, 'conn-takeover');

    expect(await commands.claimSlot(next, nextSlot)).toEqual({ claimed: true, timedOut: 'cmd-takeover-stale' });
    expect(await commands.get('cmd-takeover-stale', true)).toEqual({ ...asSent(stale, staleSlot), status: 'timedOut', completedAt: nextSlot.sentAt });
    expect(await commands.get('cmd-takeover-next', true)).toEqual(asSent(next, nextSlot));
    expect(await commands.getSlot('CP-Takeover')).toEqual(nextSlot);

    expect(await commands.complete('cmd-takeover-stale', staleSlot.messageId, { status: 'answered', result: { status: 'Accepted' } }, staleSlot)).toBe(false);
    expect((await commands.get('cmd-takeover-stale', true))?.status).toBe('timedOut');
    expect(await commands.get('cmd-takeover-next', true)).toEqual(asSent(next, nextSlot));
    expect(await commands.getSlot('CP-Takeover')).toEqual(nextSlot);
  });

  it('does not claim for a command no longer queued: no slot is taken, and a busy one is not taken over', async () => {
    const cancelled = queuedCommand('CP-NotQueued', 'cmd-notqueued-cancelled');
    await create(cancelled);
    await commands.cancel('cmd-notqueued-cancelled', 'operator@example.com');
    expect(await commands.claimSlot(cancelled, slotFor(cancelled, 'conn-nq'))).toEqual({ claimed: false, notQueued: true });
    expect(await commands.getSlot('CP-NotQueued')).toBeUndefined();

    // A slot past its deadline stays its holder's when the command that would take it over is not queued.
    const holder = queuedCommand('CP-NotQueued', 'cmd-notqueued-holder');
    const held = await sentCommand(holder, 'conn-nq', -90);
    expect(await commands.claimSlot(cancelled, slotFor(cancelled, 'conn-nq'))).toEqual({ claimed: false, notQueued: true });
    expect(await commands.getSlot('CP-NotQueued')).toEqual(held);
    expect(await commands.get('cmd-notqueued-holder', true)).toEqual(asSent(holder, held));
    expect((await commands.get('cmd-notqueued-cancelled', true))?.status).toBe('cancelled');

    // A redelivered message of the sent command itself: not queued, and its slot unchanged.
    expect(await commands.claimSlot(holder, slotFor(holder, 'conn-nq-again'))).toEqual({ claimed: false, notQueued: true });
    expect(await commands.getSlot('CP-NotQueued')).toEqual(held);
  });

  it('lets one of two commands claiming a free slot at once have it; the other waits, still queued', async () => {
    const first = queuedCommand('CP-Pair', 'cmd-pair-1');
    const second = queuedCommand('CP-Pair', 'cmd-pair-2', { createdAt: at(-60) });
    await create(first, second);
    const firstSlot = slotFor(first, 'conn-pair');
    const secondSlot = slotFor(second, 'conn-pair');

    const [firstClaim, secondClaim] = await Promise.all([commands.claimSlot(first, firstSlot), commands.claimSlot(second, secondSlot)]);
    expect([firstClaim.claimed, secondClaim.claimed].filter(Boolean)).toHaveLength(1);
    const [won, lost, lostClaim] = firstClaim.claimed ? [firstSlot, secondSlot, secondClaim] : [secondSlot, firstSlot, firstClaim];
    expect(lostClaim).toEqual({ claimed: false, busy: won });
    expect(await commands.getSlot('CP-Pair')).toEqual(won);
    expect((await commands.get(won.commandId, true))?.status).toBe('sent');
    expect((await commands.get(lost.commandId, true))?.status).toBe('queued');
  });
});

describe('complete', () => {
  it('ends the command holding the slot as answered, with its result and outcome, and frees the slot', async () => {
    const command = queuedCommand('CP-Answered', 'cmd-answered');
    const slot = await sentCommand(command, 'conn-answered');

    expect(await commands.complete('cmd-answered', slot.messageId, { status: 'answered', result: { status: 'Accepted' }, outcome: 'accepted' }, slot)).toBe(true);
    expect(await commands.get('cmd-answered', true)).toEqual({ ...asSent(command, slot), status: 'answered', result: { status: 'Accepted' }, outcome: 'accepted', completedAt: at(0) });
    expect(await commands.getSlot('CP-Answered')).toBeUndefined();
    // A second answer (a retransmitted CALLRESULT) finds it ended.
    expect(await commands.complete('cmd-answered', slot.messageId, { status: 'answered', result: { status: 'Rejected' } }, slot)).toBe(false);
    expect((await commands.get('cmd-answered', true))?.result).toEqual({ status: 'Accepted' });
  });

  it('ends the command holding the slot as failed, with its failure, and frees the slot', async () => {
    const command = queuedCommand('CP-Failed', 'cmd-failed');
    const slot = await sentCommand(command, 'conn-failed');
    const failure = { code: 'CallError' as const, detail: 'the charger answered NotSupported', callError: { errorCode: 'NotSupported', errorDescription: '', errorDetails: {} } };

    expect(await commands.complete('cmd-failed', slot.messageId, { status: 'failed', failure }, slot)).toBe(true);
    const ended = await commands.get('cmd-failed', true);
    expect(ended).toEqual({ ...asSent(command, slot), status: 'failed', failure, completedAt: at(0) });
    expect(ended).not.toHaveProperty('result');
    expect(await commands.getSlot('CP-Failed')).toBeUndefined();
  });

  it('changes nothing when the slot it names is another command’s, or the message id is not the command’s', async () => {
    const earlier = queuedCommand('CP-Stale', 'cmd-stale-earlier');
    const later = queuedCommand('CP-Stale', 'cmd-stale-later', { createdAt: at(-60) });
    const earlierSlot = await sentCommand(earlier, 'conn-stale-1');
    // The connection closed: the slot is freed first, and the earlier command is still sent until its own write.
    expect(await commands.releaseForConnection('CP-Stale', 'conn-stale-1')).toEqual(earlierSlot);
    const laterSlot = await sentCommand(later, 'conn-stale-2');

    expect(await commands.complete('cmd-stale-earlier', earlierSlot.messageId, { status: 'answered', result: { status: 'Accepted' } }, earlierSlot)).toBe(false);
    expect(await commands.get('cmd-stale-earlier', true)).toEqual(asSent(earlier, earlierSlot));
    expect(await commands.getSlot('CP-Stale')).toEqual(laterSlot);

    expect(await commands.complete('cmd-stale-later', 'not-its-message-id', { status: 'timedOut' }, laterSlot)).toBe(false);
    expect(await commands.get('cmd-stale-later', true)).toEqual(asSent(later, laterSlot));
    expect(await commands.getSlot('CP-Stale')).toEqual(laterSlot);

    // Without a slot, the earlier command ends alone and the later one's slot stays.
    expect(await commands.complete('cmd-stale-earlier', earlierSlot.messageId, { status: 'timedOut' })).toBe(true);
    expect((await commands.get('cmd-stale-earlier', true))?.status).toBe('timedOut');
    expect(await commands.getSlot('CP-Stale')).toEqual(laterSlot);
  });
});

describe('releaseForConnection', () => {
  it('frees the slot only for the connection that holds it, and answers the slot it freed', async () => {
    const command = queuedCommand('CP-Release', 'cmd-release');
    const slot = await sentCommand(command, 'conn-release');

    expect(await commands.releaseForConnection('CP-Release', 'conn-other')).toBeUndefined();
    expect(await commands.getSlot('CP-Release')).toEqual(slot);
    expect(await commands.releaseForConnection('cp-release', 'conn-release')).toEqual(slot);
    expect(await commands.getSlot('CP-Release')).toBeUndefined();
    expect(await commands.releaseForConnection('CP-Release', 'conn-release')).toBeUndefined();
    expect(await f.item('Csms', commandSlotKey('CP-Release'))).toBeUndefined();
  });

  it('fails the command in flight when its own connection closes, and not when another one does', async () => {
    const command = queuedCommand('CP-Disconnect', 'cmd-disconnect');
    const slot = await sentCommand(command, 'conn-current');

    await failInFlightOnDisconnect(deps, 'CP-Disconnect', 'conn-replaced');
    expect(await commands.get('cmd-disconnect', true)).toEqual(asSent(command, slot));
    expect(await commands.getSlot('CP-Disconnect')).toEqual(slot);

    await failInFlightOnDisconnect(deps, 'CP-Disconnect', 'conn-current');
    expect(await commands.get('cmd-disconnect', true)).toEqual({
      ...asSent(command, slot),
      status: 'failed',
      failure: { code: 'ChargerDisconnected', detail: 'the charger disconnected before answering' },
      completedAt: at(0),
    });
    expect(await commands.getSlot('CP-Disconnect')).toBeUndefined();
  });
});

describe('held commands', () => {
  it('gives held commands back in creation order, under any case of the charger id; unhold removes one', async () => {
    const oldest = queuedCommand('CP-Hold', 'cmd-hold-oldest', { createdAt: at(-50), whenOffline: 'hold' });
    const middle = queuedCommand('CP-Hold', 'cmd-hold-middle', { createdAt: at(-40), whenOffline: 'hold' });
    const newest = queuedCommand('CP-Hold', 'cmd-hold-newest', { createdAt: at(-30), whenOffline: 'hold' });
    await create(oldest, middle, newest);
    // Held out of order: the order given back is the commands' creation.
    for (const command of [newest, oldest, middle]) expect(await commands.hold(command)).toBe(true);

    const held = await commands.held('CP-Hold');
    expect(held.map((h) => h.commandId)).toEqual(['cmd-hold-oldest', 'cmd-hold-middle', 'cmd-hold-newest']);
    for (const h of held) expect(h).toMatchObject({ chargerId: 'CP-Hold', heldSince: at(0) });
    expect(await commands.held('cp-hold')).toEqual(held);
    // Held, a command is still queued: its next delivery sends it.
    expect(await commands.get('cmd-hold-middle', true)).toEqual({ ...middle, heldSince: at(0) });

    const [, second] = held;
    await commands.unhold(second!);
    expect((await commands.held('CP-Hold')).map((h) => h.commandId)).toEqual(['cmd-hold-oldest', 'cmd-hold-newest']);
  });

  it('keeps one charger’s held commands from another’s (even when one id begins with the other) and from its other items', async () => {
    const mine = queuedCommand('CP-Held', 'cmd-held-mine', { whenOffline: 'hold' });
    const theirs = queuedCommand('CP-Held-2', 'cmd-held-theirs', { whenOffline: 'hold' });
    await create(mine, theirs);
    // The charger's partition holds more than markers (here its in-flight slot): only markers come back.
    await sentCommand(queuedCommand('CP-Held', 'cmd-held-in-flight'), 'conn-held');
    expect(await commands.hold(mine)).toBe(true);
    expect(await commands.hold(theirs)).toBe(true);

    expect((await commands.held('CP-Held')).map((h) => h.commandId)).toEqual(['cmd-held-mine']);
    expect((await commands.held('CP-Held-2')).map((h) => h.commandId)).toEqual(['cmd-held-theirs']);
    expect(await commands.held('CP-Held-None')).toEqual([]);
  });

  it('does not hold a command no longer queued: no marker, no heldSince, no mark on the presence', async () => {
    const command = queuedCommand('CP-Hold-Late', 'cmd-hold-late', { whenOffline: 'hold' });
    await create(command);
    await commands.cancel('cmd-hold-late', 'operator@example.com');

    expect(await commands.hold(command)).toBe(false);
    expect(await commands.held('CP-Hold-Late')).toEqual([]);
    expect(await commands.get('cmd-hold-late', true)).not.toHaveProperty('heldSince');
    expect(await deps.stores.presence.get('CP-Hold-Late')).toBeUndefined();
  });

  it('marks the presence of a charger with commands held, keeping what it holds; the mark goes only if no command was held later', async () => {
    await deps.stores.presence.attach({ chargerId: 'CP-Hold-Mark', connectionId: 'conn-mark', protocol: 'ocpp1.6', connectedAt: Date.parse(at(-60)) });
    await deps.stores.presence.detach('CP-Hold-Mark', 'conn-mark');
    const command = queuedCommand('CP-Hold-Mark', 'cmd-hold-mark', { whenOffline: 'hold' });
    await create(command);
    expect(await commands.hold(command)).toBe(true);
    expect(await deps.stores.presence.get('CP-Hold-Mark')).toMatchObject({ chargerId: 'CP-Hold-Mark', connected: false, protocol: 'ocpp1.6', heldCommandsAt: at(0) });

    // A release that began before the hold leaves the mark: the command it did not see waits for the next one.
    await deps.stores.presence.clearHeldCommandsMark('CP-Hold-Mark', at(-1));
    expect(await deps.stores.presence.get('CP-Hold-Mark')).toMatchObject({ heldCommandsAt: at(0) });
    await deps.stores.presence.clearHeldCommandsMark('CP-Hold-Mark', at(0));
    expect(await deps.stores.presence.get('CP-Hold-Mark')).not.toHaveProperty('heldCommandsAt');
    // Clearing again, or for a charger without presence, writes nothing and throws nothing.
    await deps.stores.presence.clearHeldCommandsMark('CP-Hold-Mark', at(0));
    await deps.stores.presence.clearHeldCommandsMark('CP-Hold-Nobody', at(0));
    expect(await deps.stores.presence.get('CP-Hold-Nobody')).toBeUndefined();
  });

  it('gives a charger that never connected a whole presence item with the mark, offline', async () => {
    const command = queuedCommand('CP-Hold-Never', 'cmd-hold-never', { whenOffline: 'hold' });
    await create(command);
    expect(await commands.hold(command)).toBe(true);
    expect(await deps.stores.presence.get('CP-Hold-Never')).toEqual({ chargerId: 'CP-Hold-Never', connected: false, heldCommandsAt: at(0) });
  });
});

describe('failQueued', () => {
  const offline = { code: 'ChargerOffline' as const, detail: 'CP-Offline was not connected when the command’s turn came' };

  it('fails a queued command with its failure, and the unmasked payload goes', async () => {
    const command = queuedCommand('CP-Offline', 'cmd-offline', { payload: { password: '***' }, sendPayload: { password: 'the-new-secret' } });
    await create(command);
    const { sendPayload: _unmasked, ...kept } = command;

    expect(await commands.failQueued('cmd-offline', offline)).toBe(true);
    expect(await commands.get('cmd-offline', true)).toEqual({ ...kept, status: 'failed', failure: offline, completedAt: at(0) });
    expect(await commands.failQueued('cmd-offline', { code: 'Undeliverable', detail: 'again' })).toBe(false);
    expect((await commands.get('cmd-offline', true))?.failure).toEqual(offline);
  });

  it('leaves a sent command and its slot alone, and creates no command for an unknown id', async () => {
    const command = queuedCommand('CP-Offline-Sent', 'cmd-offline-sent');
    const slot = await sentCommand(command, 'conn-offline-sent');

    expect(await commands.failQueued('cmd-offline-sent', offline)).toBe(false);
    expect(await commands.get('cmd-offline-sent', true)).toEqual(asSent(command, slot));
    expect(await commands.getSlot('CP-Offline-Sent')).toEqual(slot);

    expect(await commands.failQueued('cmd-offline-unknown', offline)).toBe(false);
    expect(await f.item('Csms', commandKey('cmd-offline-unknown'))).toBeUndefined();
  });
});
