/**
 * What a command changes besides its own record, per action: `prepare` may complete the payload before it is checked
 * and recorded (e.g. allocate the request id a later report refers to); `answered` keeps what a valid answer tells us
 * (a configuration, a reservation's status, a new password's hash). Effects are looked up by action name and get the
 * command's protocol, so one entry serves every version that has the action.
 *
 * An `answered` effect runs after the command is recorded as answered, in the handler that took the reply; a failure
 * is logged and leaves the command answered (the charger did what it said).
 */
import type { Ports } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { Command } from './command.ts';
import { compositeScheduleEffects } from './composite-schedule-effects.ts';
import { configurationEffects } from './configuration-effects.ts';
import { requestIdEffects } from './request-id-effects.ts';
import { passwordEffects } from './password-change.ts';
import { localListEffects } from '../local-list/local-list-effects.ts';
import { reservationEffects } from '../reservation/reservation-effects.ts';
import { remoteStartEffects } from '../transaction/remote-start.ts';
import { availabilityEffects } from './availability-effects.ts';
import { firmwareEffects } from '../file/firmware-update.ts';
import { uploadLocationEffects } from '../file/upload-location.ts';

/** How a charger asked for a file uploads it when the operator gives no location (shared/file). */
export type UploadVia = 'https' | 'sftp';
/** How a charger fetches the firmware image of a generated location (shared/file/firmware-update.ts). */
export type DownloadVia = 'https' | 'http';

export interface PrepareInput {
  /** The id the command will be recorded under (a file it asks for is bound to it). */
  readonly commandId: string;
  readonly chargerId: string;
  readonly protocol: OcppProtocol;
  readonly payload: unknown;
  /** The operator's choice for an upload location the CSMS generates. */
  readonly uploadVia?: UploadVia;
  /** The firmware image a generated UpdateFirmware location points at. */
  readonly firmwareId?: string;
  /** The operator's choice for a generated firmware location. @default 'https' */
  readonly downloadVia?: DownloadVia;
  /** `hold`: the command may wait for the charger's next boot, so what it carries must outlive the wait. */
  readonly whenOffline?: 'fail' | 'hold';
}

export interface AnsweredCommand {
  readonly command: Command;
  /** The charger's validated CALLRESULT payload. */
  readonly result: unknown;
  readonly outcome?: string;
}

export interface CommandEffect {
  /** The payload to check and send; throws PrepareRefused (prepare-refused.ts) when the command cannot be sent. */
  prepare?(deps: Ports, input: PrepareInput): Promise<unknown>;
  answered?(deps: Ports, answered: AnsweredCommand): Promise<void>;
}

/** Effect tables by concern; several may have an entry for one action (they then run in this order). */
const tables: readonly Readonly<Record<string, CommandEffect>>[] = [
  passwordEffects,
  configurationEffects,
  // Before requestIdEffects: an update's request id is derived from the command id, so a retried submission
  // records the same update.
  firmwareEffects,
  // Before requestIdEffects too: a GetLog's request id names its file (upload-location.ts).
  uploadLocationEffects,
  requestIdEffects,
  compositeScheduleEffects,
  reservationEffects,
  localListEffects,
  remoteStartEffects,
  availabilityEffects,
];

/** The effects of `action`, composed. Own keys only (an action named "constructor" has none). */
export const effectOf = (action: string): CommandEffect | undefined => {
  const found = tables.filter((t) => Object.hasOwn(t, action)).map((t) => t[action]!);
  if (found.length <= 1) return found[0];
  return {
    async prepare(deps, input) {
      let payload = input.payload;
      for (const e of found) if (e.prepare) payload = await e.prepare(deps, { ...input, payload });
      return payload;
    },
    async answered(deps, answered) {
      for (const e of found) await e.answered?.(deps, answered);
    },
  };
};
