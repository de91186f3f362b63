/**
 * The command resource of the REST API: what an operator sends to start one and what a GET answers. The payload is
 * any JSON object here; the domain checks it against the OCPP schema of the charger's version (commands.ts).
 */
import * as z from 'zod';
import { MAX_COMMAND_TIMEOUT_SECONDS } from './command.ts';

export const SendCommandSchema = z.strictObject({
  /** An OCPP action the CSMS sends, e.g. `Reset`, `ChangeConfiguration`, `GetVariables`. */
  action: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'an OCPP action name, e.g. Reset'),
  payload: z.record(z.string(), z.unknown()),
  /** Seconds the charger has to answer once the CALL is sent. */
  timeoutSeconds: z.number().int().min(1).max(MAX_COMMAND_TIMEOUT_SECONDS).optional(),
  /** `hold`: a charger offline when the command's turn comes gets it after its next accepted boot (default `fail`). */
  whenOffline: z.enum(['fail', 'hold']).optional(),
  /**
   * GetDiagnostics / GetLog sent without `location`: the CSMS generates one, a one-time HTTPS upload URL (`https`,
   * the default) or SFTP credentials (`sftp`).
   */
  uploadVia: z.enum(['https', 'sftp']).optional(),
  /** UpdateFirmware sent without `location`: the firmware image (`POST /firmware`) whose download URL the CSMS generates. */
  firmwareId: z.uuid().optional(),
  /**
   * With `firmwareId`: how the charger downloads the image, `https` (the default) or plain `http` through the
   * stage's firmware distribution, for chargers that cannot do HTTPS (signed images only).
   */
  downloadVia: z.enum(['https', 'http']).optional(),
});
export type SendCommand = z.output<typeof SendCommandSchema>;

const status = z.enum(['queued', 'sent', 'answered', 'failed', 'timedOut', 'cancelled']);

export const CommandSchema = z.object({
  commandId: z.string(),
  chargerId: z.string(),
  protocol: z.enum(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']),
  action: z.string(),
  /** Secrets (passwords) masked. */
  payload: z.unknown(),
  status,
  timeoutSeconds: z.number().int(),
  requestedBy: z.string(),
  createdAt: z.string(),
  messageId: z.string().optional(),
  sentAt: z.string().optional(),
  deadline: z.string().optional(),
  completedAt: z.string().optional(),
  result: z.unknown().optional(),
  outcome: z.string().optional(),
  failure: z
    .object({
      code: z.enum(['ChargerOffline', 'ChargerDisconnected', 'CallError', 'InvalidResponse', 'SendFailed', 'Undeliverable']),
      detail: z.string(),
      callError: z.object({ errorCode: z.string(), errorDescription: z.string(), errorDetails: z.unknown() }).optional(),
      raw: z.unknown().optional(),
    })
    .optional(),
  cancelledBy: z.string().optional(),
  whenOffline: z.enum(['fail', 'hold']).optional(),
  heldSince: z.string().optional(),
});

export const GetCommandQuery = z.strictObject({
  /** Seconds to wait for the command to end (a long poll), at most 25. */
  wait: z.coerce.number().int().min(0).max(25).optional(),
});

export const ChangePasswordQuery = z.strictObject({
  /** `true`: void the old password now (and close the connection) instead of sending the charger a new one. */
  revoke: z.enum(['true', 'false']).default('false'),
});

/** `POST /chargers/{id}/password`: the new password (shown once), and the command carrying it or the replacement. */
export const PasswordChangeSchema = z.object({
  chargerId: z.string(),
  password: z.string(),
  /** `command`: the charger is sent the password (follow `command`); `replacement`: the old one is void now. */
  changedBy: z.enum(['command', 'replacement']),
  command: CommandSchema.optional(),
  closedConnectionId: z.string().optional(),
});
