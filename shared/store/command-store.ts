/**
 * Commands and each charger's in-flight slot. Invariant: a slot exists exactly while its command is `sent`, because
 * every write that ends a sent command deletes the slot in the same transaction, and the slot is only created in
 * the transaction that marks its command sent. So a slot is never freed without its command ending, and a command
 * never ends while another one's slot is taken in its name.
 */
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Command, CommandCompletion, CommandSlot, CommandStatus, HeldCommand } from '../command/command.ts';
import type { StoreContext } from './context.ts';
import { isConditionFailed, itemOfFailedCondition, transactionConditionsFailed, unlessConditionFails, type Item } from './dynamo.ts';
import { chargerCommandsIndex, chargerCommandsPk, commandKey, commandSlotKey, HELD_COMMAND_PREFIX, heldCommandKey, heldCommandsPk, presenceKey, withoutKeys } from './keys.ts';
import { mapPage, queryAll, queryPage, type Page, type PageOptions } from './queries.ts';
import { wholePresenceItem } from './presence-store.ts';

const COMMAND_TYPE = 'Command';
const SLOT_TYPE = 'CommandSlot';
const HELD_TYPE = 'HeldCommand';
/** Command records go after a month; a slot lingers at most a day past its deadline if nothing ends it. */
const COMMAND_RETENTION_SECONDS = 30 * 86_400;
const SLOT_LINGER_SECONDS = 86_400;

const toCommand = (item: Item): Command => {
  const { expiresAt: _expires, ...command } = withoutKeys<Command & { expiresAt?: number }>(item);
  return command;
};
const toSlot = (item: Item): CommandSlot => {
  const { expiresAt: _expires, ...slot } = withoutKeys<CommandSlot & { expiresAt?: number }>(item);
  return slot;
};
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** The attributes a completion sets, as an update of a sent command. */
const completionUpdate = (completion: CommandCompletion, completedAt: string) => {
  const set: Record<string, unknown> = { status: completion.status, completedAt };
  if (completion.status === 'answered') {
    set.result = completion.result;
    if (completion.outcome !== undefined) set.outcome = completion.outcome;
  }
  if (completion.status === 'failed') set.failure = completion.failure;
  const names = Object.keys(set);
  return {
    UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
    ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, set[n]])),
  };
};

export type ClaimResult =
  /** The slot is the command's and the command is `sent`. `timedOut`: a command whose deadline had passed lost it. */
  | { readonly claimed: true; readonly timedOut?: string }
  | { readonly claimed: false; readonly busy: CommandSlot }
  /** The command is no longer queued (sent by an earlier delivery, cancelled, or ended). */
  | { readonly claimed: false; readonly notQueued: true };

export const commandStore = (ctx: StoreContext) => {
  const table = () => ctx.tables.Csms;

  const get = async (commandId: string, consistent = false): Promise<Command | undefined> => {
    const out = await ctx.db.send(new GetCommand({ TableName: table(), Key: commandKey(commandId), ConsistentRead: consistent }));
    return out.Item && toCommand(out.Item);
  };

  const getSlot = async (chargerId: string): Promise<CommandSlot | undefined> => {
    const out = await ctx.db.send(new GetCommand({ TableName: table(), Key: commandSlotKey(chargerId), ConsistentRead: true }));
    return out.Item && toSlot(out.Item);
  };

  /**
   * Marks the command sent; the unmasked payload (a new password) goes: it is needed no longer. The record's expiry
   * restarts: a command held for weeks must not expire while its slot lives, or the slot would block the charger.
   */
  const markSent = (command: Command, slot: CommandSlot) => ({
    Update: {
      TableName: table(),
      Key: commandKey(command.commandId),
      UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :sentAt, deadline = :deadline, expiresAt = :expiresAt REMOVE sendPayload',
      ConditionExpression: '#status = :queued',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':queued': 'queued',
        ':messageId': slot.messageId,
        ':sentAt': slot.sentAt,
        ':deadline': slot.deadline,
        ':expiresAt': epochSeconds(slot.sentAt) + COMMAND_RETENTION_SECONDS,
      },
    },
  });
  const slotItem = (slot: CommandSlot) => ({
    ...commandSlotKey(slot.chargerId),
    type: SLOT_TYPE,
    ...slot,
    expiresAt: epochSeconds(slot.deadline) + SLOT_LINGER_SECONDS,
  });

  /** Ends a sent command; with `slot`, frees the slot in the same transaction (only if it still holds this CALL). */
  const complete = async (commandId: string, messageId: string, completion: CommandCompletion, slot?: CommandSlot): Promise<boolean> => {
    const update = {
      TableName: table(),
      Key: commandKey(commandId),
      ...completionUpdate(completion, ctx.now().toISOString()),
      ConditionExpression: '#status = :sentStatus AND messageId = :messageId',
    };
    update.ExpressionAttributeNames['#status'] = 'status';
    Object.assign(update.ExpressionAttributeValues, { ':sentStatus': 'sent', ':messageId': messageId });
    try {
      if (!slot) {
        await ctx.db.send(new UpdateCommand(update));
        return true;
      }
      await ctx.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: update },
            {
              Delete: {
                TableName: table(),
                Key: commandSlotKey(slot.chargerId),
                ConditionExpression: 'messageId = :messageId',
                ExpressionAttributeValues: { ':messageId': messageId },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error) || transactionConditionsFailed(error)) return false;
      throw error;
    }
  };

  return {
    /** Records a new command (status `queued`) unless its id exists. */
    async create(command: Command): Promise<'created' | 'exists'> {
      try {
        await ctx.db.send(
          new PutCommand({
            TableName: table(),
            Item: {
              ...commandKey(command.commandId),
              ...chargerCommandsIndex(command.chargerId, command.createdAt, command.commandId),
              type: COMMAND_TYPE,
              ...command,
              expiresAt: epochSeconds(command.createdAt) + COMMAND_RETENTION_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return 'created';
      } catch (error) {
        if (isConditionFailed(error)) return 'exists';
        throw error;
      }
    },

    get,

    /** A charger's commands, newest first: one Query of gsi1. */
    listForCharger: async (chargerId: string, options: PageOptions = {}): Promise<Page<Command>> =>
      mapPage(await queryPage(ctx, { index: 'gsi1', pk: chargerCommandsPk(chargerId) }, { newestFirst: true, ...options }), toCommand),

    /** Cancels a queued command; otherwise answers what it is now (or `not-found`). */
    async cancel(commandId: string, by: string): Promise<{ cancelled: true; command: Command } | { cancelled: false; status?: CommandStatus }> {
      try {
        const out = await ctx.db.send(
          new UpdateCommand({
            TableName: table(),
            Key: commandKey(commandId),
            UpdateExpression: 'SET #status = :cancelled, completedAt = :at, cancelledBy = :by REMOVE sendPayload',
            ConditionExpression: '#status = :queued',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':cancelled': 'cancelled', ':queued': 'queued', ':at': ctx.now().toISOString(), ':by': by },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { cancelled: true, command: toCommand(out.Attributes ?? {}) };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        const current = itemOfFailedCondition(error);
        return current ? { cancelled: false, status: toCommand(current).status } : { cancelled: false };
      }
    },

    /** Fails a command that was never sent (charger offline, or its queue message could not be processed). */
    async failQueued(commandId: string, failure: NonNullable<Command['failure']>): Promise<boolean> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: table(),
            Key: commandKey(commandId),
            UpdateExpression: 'SET #status = :failed, failure = :failure, completedAt = :at REMOVE sendPayload',
            ConditionExpression: '#status = :queued',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':failed': 'failed', ':queued': 'queued', ':failure': failure, ':at': ctx.now().toISOString() },
          }),
        ),
      );
      return out !== undefined;
    },

    getSlot,

    /**
     * Holds a queued command until its charger is back: the command stays `queued` (with `heldSince`), a marker in the
     * charger's partition keeps its place, and the charger's presence is marked (`heldCommandsAt`), so that its next
     * connection releases it (functions/stream/release-held-commands.ts) without a Query on every connect; all in one
     * transaction.
     */
    async hold(command: Command): Promise<boolean> {
      const at = ctx.now().toISOString();
      // A command held for a charger that never connected still leaves it a whole presence item.
      const wholePresence = wholePresenceItem(command.chargerId);
      try {
        await ctx.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table(),
                  Key: commandKey(command.commandId),
                  UpdateExpression: 'SET heldSince = :at',
                  ConditionExpression: '#status = :queued',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':at': at, ':queued': 'queued' },
                },
              },
              {
                Put: {
                  TableName: table(),
                  Item: {
                    ...heldCommandKey(command.chargerId, command.createdAt, command.commandId),
                    type: HELD_TYPE,
                    commandId: command.commandId,
                    chargerId: command.chargerId,
                    heldSince: at,
                    expiresAt: epochSeconds(command.createdAt) + COMMAND_RETENTION_SECONDS,
                  },
                },
              },
              {
                Update: {
                  TableName: table(),
                  Key: presenceKey(command.chargerId),
                  UpdateExpression: `SET heldCommandsAt = :at, ${wholePresence.set}`,
                  ExpressionAttributeNames: wholePresence.names,
                  ExpressionAttributeValues: { ':at': at, ...wholePresence.values },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (transactionConditionsFailed(error)) return false;
        throw error;
      }
    },

    /** The charger's held commands, oldest first: one Query of its partition. */
    held: async (chargerId: string): Promise<HeldCommand[]> =>
      (await queryAll(ctx, { pk: heldCommandsPk(chargerId), beginsWith: HELD_COMMAND_PREFIX })).map((i) => ({
        commandId: String(i.commandId),
        chargerId: String(i.chargerId),
        heldSince: String(i.heldSince),
        marker: String(i.sk),
      })),

    async unhold(held: HeldCommand): Promise<void> {
      await ctx.db.send(new DeleteCommand({ TableName: table(), Key: { pk: heldCommandsPk(held.chargerId), sk: held.marker } }));
    },

    /**
     * Takes the charger's slot for `command` and marks it sent, in one transaction. A slot past its deadline is
     * taken over: its command becomes `timedOut` in the same transaction (its own timeout may not have fired yet).
     */
    async claimSlot(command: Command, slot: CommandSlot): Promise<ClaimResult> {
      try {
        await ctx.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table(), Item: slotItem(slot), ConditionExpression: 'attribute_not_exists(pk)' } },
              markSent(command, slot),
            ],
          }),
        );
        return { claimed: true };
      } catch (error) {
        const failed = transactionConditionsFailed(error);
        if (!failed) throw error;
        if (failed[1]) return { claimed: false, notQueued: true };
      }
      const held = await getSlot(slot.chargerId);
      if (!held) return { claimed: false, busy: { ...slot, deadline: slot.sentAt } }; // freed meanwhile: try again at once
      if (Date.parse(held.deadline) > Date.parse(slot.sentAt)) return { claimed: false, busy: held };
      try {
        await ctx.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table(), Item: slotItem(slot), ConditionExpression: 'messageId = :held', ExpressionAttributeValues: { ':held': held.messageId } } },
              markSent(command, slot),
              {
                Update: {
                  TableName: table(),
                  Key: commandKey(held.commandId),
                  UpdateExpression: 'SET #status = :timedOut, completedAt = :at',
                  ConditionExpression: '#status = :sent AND messageId = :held',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':timedOut': 'timedOut', ':sent': 'sent', ':held': held.messageId, ':at': slot.sentAt },
                },
              },
            ],
          }),
        );
        return { claimed: true, timedOut: held.commandId };
      } catch (error) {
        const failed = transactionConditionsFailed(error);
        if (!failed) throw error;
        if (failed[1]) return { claimed: false, notQueued: true };
        // The held CALL ended meanwhile (answered, or taken over by another delivery): look again soon.
        return { claimed: false, busy: { ...held, deadline: slot.sentAt } };
      }
    },

    complete,

    /**
     * Frees the slot if the closing connection `connectionId` holds it; answers the slot it freed. The caller then
     * ends the slot's command (a separate write: this one must learn which command it was).
     */
    async releaseForConnection(chargerId: string, connectionId: string): Promise<CommandSlot | undefined> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new DeleteCommand({
            TableName: table(),
            Key: commandSlotKey(chargerId),
            ConditionExpression: 'connectionId = :conn',
            ExpressionAttributeValues: { ':conn': connectionId },
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      return out?.Attributes ? toSlot(out.Attributes) : undefined;
    },
  };
};

export type CommandStore = ReturnType<typeof commandStore>;
