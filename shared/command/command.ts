/**
 * A CSMS-initiated command: an OCPP CALL an operator (or the platform) asks us to send to one charger, kept as a
 * durable record from the request to the charger's answer. Its life: `queued` (recorded, on the command queue) →
 * `sent` (the CALL went out; the charger's in-flight slot holds it) → `answered` (a valid CALLRESULT), or `failed`
 * (CALLERROR, invalid reply, charger offline or gone), or `timedOut`; a queued one may be `cancelled`.
 */
import type { OcppProtocol } from '../ocpp/frames.ts';

export type CommandStatus = 'queued' | 'sent' | 'answered' | 'failed' | 'timedOut' | 'cancelled';
export const FINAL_STATUSES: readonly CommandStatus[] = ['answered', 'failed', 'timedOut', 'cancelled'];
export const isFinal = (status: CommandStatus): boolean => FINAL_STATUSES.includes(status);

/** Why a command failed. */
export type CommandFailureCode =
  /** The charger was not connected when the command's turn came. */
  | 'ChargerOffline'
  /** The charger's connection closed while the CALL was in flight. */
  | 'ChargerDisconnected'
  /** The charger answered with a CALLERROR (`callError` holds it). */
  | 'CallError'
  /** The charger's CALLRESULT did not match the action's response schema (`raw` holds it). */
  | 'InvalidResponse'
  /** The CALL could not be handed to the connection. */
  | 'SendFailed'
  /** The command's queue message could not be processed (the command record says why). */
  | 'Undeliverable';

export interface CommandFailure {
  readonly code: CommandFailureCode;
  readonly detail: string;
  readonly callError?: { readonly errorCode: string; readonly errorDescription: string; readonly errorDetails: unknown };
  /** An invalid reply's payload, as received. */
  readonly raw?: unknown;
}

export interface Command {
  readonly commandId: string;
  readonly chargerId: string;
  /** The OCPP version the payload was checked against (the charger's connection, else its registered default). */
  readonly protocol: OcppProtocol;
  readonly action: string;
  readonly payload: unknown;
  readonly status: CommandStatus;
  /** How long the charger has to answer once the CALL is sent. */
  readonly timeoutSeconds: number;
  readonly requestedBy: string;
  readonly createdAt: string;
  /** The CALL's message id (the command id: a late reply finds its command without an index). */
  readonly messageId?: string;
  readonly sentAt?: string;
  /** When the charger must have answered by. */
  readonly deadline?: string;
  readonly completedAt?: string;
  /** The charger's validated CALLRESULT payload. */
  readonly result?: unknown;
  /** Derived from the result per action (`accepted`, `rejected`, `scheduled`, …); absent where a reply has none. */
  readonly outcome?: string;
  readonly failure?: CommandFailure;
  /** Who cancelled a queued command. */
  readonly cancelledBy?: string;
  /** `hold`: a charger offline when the command's turn comes gets it after its next accepted boot. @default 'fail' */
  readonly whenOffline?: 'fail' | 'hold';
  /** Since when a held command waits for its charger to boot. */
  readonly heldSince?: string;
  /**
   * The payload to send when it holds a secret (a new password): `payload` is then the masked copy. Kept only until
   * the command is sent, cancelled or failed; never shown.
   */
  readonly sendPayload?: unknown;
  /** The hash of the password the command sets (password-change.ts); never shown. */
  readonly nextPasswordHash?: string;
}

/** A command waiting for its charger's next accepted boot; `marker` keeps its place in the charger's queue. */
export interface HeldCommand {
  readonly commandId: string;
  readonly chargerId: string;
  readonly heldSince: string;
  readonly marker: string;
}

/** The charger's one CALL of ours in flight (OCPP allows one at a time per connection). */
export interface CommandSlot {
  readonly chargerId: string;
  readonly commandId: string;
  readonly messageId: string;
  readonly action: string;
  readonly protocol: OcppProtocol;
  readonly connectionId: string;
  readonly sentAt: string;
  readonly deadline: string;
}

/** How a sent command ends: the fields its final write sets. */
export type CommandCompletion =
  | { readonly status: 'answered'; readonly result: unknown; readonly outcome?: string }
  | { readonly status: 'failed'; readonly failure: CommandFailure }
  | { readonly status: 'timedOut' };

/** Defaults and bounds of a command's answer timeout (documented in the README). */
export const DEFAULT_COMMAND_TIMEOUT_SECONDS = 30;
export const MAX_COMMAND_TIMEOUT_SECONDS = 300;
