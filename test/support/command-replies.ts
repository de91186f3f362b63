/**
 * A command of ours in flight to a charger, answered through the real $default handler (the reply port and the
 * command's effects), without the queue and the dispatcher: the command is recorded as sent and holds the
 * charger's slot, as the dispatcher leaves it.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from '#shared/command/command.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import type { Harness } from './handler-harness.ts';

export interface InFlight {
  readonly chargerId: string;
  readonly protocol: OcppProtocol;
  readonly action: string;
  readonly payload: unknown;
  /** @default a random UUID */
  readonly commandId?: string;
  /** The connection the CALL went out on. @default the harness's connection of the charger */
  readonly connectionId?: string;
}

/** Records the command and claims the charger's slot for it; its id is the CALL's message id. */
export const commandInFlight = async (h: Pick<Harness, 'deps'>, c: InFlight): Promise<string> => {
  const commandId = c.commandId ?? randomUUID();
  const sentAt = new Date().toISOString();
  const command: Command = {
    commandId,
    chargerId: c.chargerId,
    protocol: c.protocol,
    action: c.action,
    payload: c.payload,
    status: 'queued',
    timeoutSeconds: 30,
    requestedBy: 'test',
    createdAt: sentAt,
  };
  await h.deps.stores.commands.create(command);
  const slot = {
    chargerId: c.chargerId,
    commandId,
    messageId: commandId,
    action: c.action,
    protocol: c.protocol,
    connectionId: c.connectionId ?? `conn-${c.chargerId}`,
    sentAt,
    deadline: '2099-01-01T00:00:00Z',
  };
  if (!(await h.deps.stores.commands.claimSlot(command, slot)).claimed) throw new Error(`the slot of ${c.chargerId} is taken`);
  return commandId;
};

/** A command in flight, then the charger's CALLRESULT `result` to it; its id. */
export const answeredCommand = async (h: Pick<Harness, 'deps' | 'send'>, c: InFlight, result: unknown): Promise<string> => {
  const commandId = await commandInFlight(h, c);
  await h.send(c.chargerId, c.protocol, JSON.stringify([3, commandId, result]), c.connectionId);
  return commandId;
};
