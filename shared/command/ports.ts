/** What the command path needs from the outside world besides the stores: its queues and the chargers' connections. */

/** A command's queue message: which command, for which charger (its message group). */
export interface CommandRef {
  readonly commandId: string;
  readonly chargerId: string;
}

/** A timeout's message: the CALL it is about, so a later CALL of the same command is never expired by it. */
export interface SentCommandRef extends CommandRef {
  readonly messageId: string;
}

export interface CommandQueue {
  /** `deduplicationId`: a command queued again (released after a hold) needs a new one. @default its command id */
  enqueue(ref: CommandRef, deduplicationId?: string): Promise<void>;
}

export interface CommandTimers {
  /** Delivers `ref` to the timeout handler after `seconds`. */
  expireAfter(ref: SentCommandRef, seconds: number): Promise<void>;
}

/** A charger's WebSocket connection, as the CSMS can write to it. */
export interface ChargerLink {
  /** `gone`: the connection no longer exists. */
  send(connectionId: string, frame: string): Promise<'sent' | 'gone'>;
}
