/**
 * Firmware updates of chargers: UpdateFirmware (1.6, 2.x) and SignedUpdateFirmware (1.6 security extension) commands
 * and the FirmwareStatusNotification / SignedFirmwareStatusNotification progress that follows them.
 *
 * Sent with a `firmwareId` (an uploaded image, firmware.ts) and no location, the command gets a download URL of the
 * CSMS's own HTTPS file endpoint as its location (firmware-download.ts: a token good for that charger's command and
 * that image, redirecting to a fresh presigned GET; with `downloadVia: 'http'` and a signed image, of the plain-HTTP
 * distribution in front of it, firmware-http.ts), made for the retrieve window and its retries, at most a week; and
 * the image's signing certificate and signature where the action takes them (docs/files.md).
 *
 * Every such command, generated location or not, is recorded as the charger's update before it is queued (so a status
 * the charger sends right after its answer finds it), under the request id the charger's notifications echo: one
 * UpdateItem per notification. 1.6 UpdateFirmware has no request id: its notifications go to the charger's newest
 * update.
 */
import { failure, success, type Outcome } from '../api/outcome.ts';
import { isV16, statusOf } from '../command/answer.ts';
import type { Command } from '../command/command.ts';
import type { CommandEffect, DownloadVia, PrepareInput } from '../command/effects.ts';
import { refusedOrPayload } from '../command/prepare-refused.ts';
import { idFromSeed } from '../command/request-id.ts';
import type { Ports, UnitOfWork } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import { checkOutbound } from '../ocpp/validate.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import { firmwareDownloadLocation, issueDownloadToken, type IssuedDownloadToken } from './firmware-download.ts';
import { uploadedFirmware } from './firmware.ts';

export type FirmwareAction = 'UpdateFirmware' | 'SignedUpdateFirmware';

/** One status the charger reported, when we received it. */
export interface FirmwareUpdateReport {
  readonly status: string;
  readonly at: string;
  readonly messageId: string;
}

export interface FirmwareUpdate {
  /** As registered. */
  readonly chargerId: string;
  /** What the charger's status notifications echo; for 1.6 UpdateFirmware (none is sent) derived from the command id. */
  readonly requestId: number;
  readonly commandId: string;
  readonly action: FirmwareAction;
  readonly protocol: OcppProtocol;
  /** The image whose download URL the CSMS generated (absent: the operator gave the location). */
  readonly firmwareId?: string;
  /** When the charger is to fetch it. */
  readonly retrieveAt: string;
  /** When a generated location stops working. */
  readonly locationExpiresAt?: string;
  readonly requestedAt: string;
  readonly answeredAt?: string;
  /** The charger's answer (2.x, SignedUpdateFirmware: Accepted, Rejected, InvalidCertificate, …). */
  readonly answer?: string;
  /** The latest status the charger reported (Downloading, Downloaded, Installing, Installed, DownloadFailed, …). */
  readonly status?: string;
  readonly reportedAt?: string;
  /** Every status reported, in arrival order. */
  readonly reports: readonly FirmwareUpdateReport[];
}

/**
 * The longest a generated location lives: a week, as upload tokens (a retrieve window further out wants the command
 * sent nearer the time). The URL is the CSMS's own, so no signing session limits it.
 */
export const MAX_LOCATION_SECONDS = 7 * 86_400;
/** The shortest: a charger told to fetch now may still take minutes to start. */
export const MIN_LOCATION_SECONDS = 15 * 60;
/** Added after the last try is due, for the charger to start it. */
const START_ALLOWANCE_SECONDS = 15 * 60;

/**
 * How long a generated location must live for a charger to fetch at `retrieveAt` and retry `retries` times
 * `retryInterval` seconds apart: from now to the last try (plus an allowance), within MIN…MAX_LOCATION_SECONDS. A
 * retrieve date so far ahead that the location would die before the charger could use it is refused. Retries past the
 * cap fail with an expired location. A command held for an offline charger may be sent days later: its location gets
 * the longest life.
 */
export const locationLifetime = (
  now: Date,
  retrieveAt: Date,
  retry: { readonly retries?: number; readonly retryInterval?: number } = {},
  whenOffline?: 'fail' | 'hold',
): Outcome<{ readonly seconds: number; readonly expiresAt: string }> => {
  const untilRetrieve = Math.max(0, Math.ceil((retrieveAt.getTime() - now.getTime()) / 1000));
  const latestStart = MAX_LOCATION_SECONDS - START_ALLOWANCE_SECONDS;
  if (untilRetrieve > latestStart) {
    return failure(
      'invalid',
      `The retrieve date is ${Math.ceil(untilRetrieve / 3600)} hours ahead; a generated firmware location is valid for at most ` +
        `${MAX_LOCATION_SECONDS / 86_400} days, so the retrieve date may be at most ${latestStart / 3600} hours ahead: ` +
        'send the command nearer the time, or give a location of your own',
    );
  }
  const retryWindow = Math.max(0, retry.retries ?? 0) * Math.max(0, retry.retryInterval ?? 0);
  const seconds = whenOffline === 'hold' ? MAX_LOCATION_SECONDS : Math.min(MAX_LOCATION_SECONDS, Math.max(MIN_LOCATION_SECONDS, untilRetrieve + retryWindow + START_ALLOWANCE_SECONDS));
  return success({ seconds, expiresAt: new Date(now.getTime() + seconds * 1000).toISOString() });
};

/** The longest location each action's schema takes (undefined: no limit): a generated one is ~100 characters and the host. */
export const maxLocationLength = (protocol: OcppProtocol, action: FirmwareAction): number | undefined => {
  if (protocol === 'ocpp2.1') return 2000;
  return isV16(protocol) && action === 'UpdateFirmware' ? undefined : 512;
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A retry count or interval as sent; anything but a number counts as none (the schema check refuses it later). */
const numberOr0 = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** 1.6 UpdateFirmware keeps the location and retrieve date at the top; the others in a `firmware` object. */
const isFlat = (protocol: OcppProtocol, action: FirmwareAction): boolean => isV16(protocol) && action === 'UpdateFirmware';
const retrieveField = (flat: boolean) => (flat ? 'retrieveDate' : 'retrieveDateTime');
const pointerOf = (flat: boolean, field: string) => (flat ? `/payload/${field}` : `/payload/firmware/${field}`);

/** The request id of an update: the payload's, or (1.6 UpdateFirmware, or one left out) the command id's. */
const requestIdOf = (commandId: string, payload: Json): number => (typeof payload.requestId === 'number' ? payload.requestId : idFromSeed(commandId, 1));

interface GeneratedLocation {
  readonly payload: Json;
  readonly locationExpiresAt?: string;
  /** To be written with the update: the location carries its token. */
  readonly download?: IssuedDownloadToken;
}

/** The base of the download URL: the HTTPS file endpoint, or the plain-HTTP distribution in front of it (firmware-http.ts). */
const downloadEndpoint = (deps: Ports, via: DownloadVia): Outcome<string> => {
  const endpoints = deps.files?.endpoints;
  if (via === 'http') {
    return endpoints?.firmwareHttp !== undefined
      ? success(endpoints.firmwareHttp)
      : failure(
          'invalid',
          'This stage has no plain-HTTP firmware distribution (FIRMWARE_HTTP_URL, deployed with -c firmwareHttpPublicKey=…): send downloadVia "https", or give a location of your own',
          '/downloadVia',
        );
  }
  return endpoints?.uploads !== undefined
    ? success(endpoints.uploads)
    : failure('invalid', 'This stage has no HTTPS file endpoint (FILE_UPLOAD_URL): give a location of your own', '/firmwareId');
};

/** The payload with the location of `firmwareId` (and its signature where the action takes it). */
const withGeneratedLocation = async (
  deps: Ports,
  action: FirmwareAction,
  input: PrepareInput & { readonly firmwareId: string },
  payload: Json,
): Promise<Outcome<GeneratedLocation>> => {
  const flat = isFlat(input.protocol, action);
  const target = flat ? payload : (payload.firmware ?? {});
  // Anything but an object is left for the schema check to refuse.
  if (!isObject(target)) return success({ payload });
  if (target.location !== undefined) return failure('invalid', 'Give either a location in the payload or a firmwareId, not both', '/firmwareId');
  const endpoint = downloadEndpoint(deps, input.downloadVia ?? 'https');
  if (!endpoint.ok) return endpoint;
  const firmware = await uploadedFirmware(deps, input.firmwareId);
  if (!firmware.ok) return firmware;
  const image = firmware.value;
  if (input.downloadVia === 'http' && image.signature === undefined) {
    return failure(
      'invalid',
      `Firmware ${image.fileId} is not signed: over plain HTTP the image can be altered on the way, so downloadVia "http" is for ` +
        'images declared with their signingCertificate and signature, which the charger checks',
      '/downloadVia',
    );
  }
  if (action === 'SignedUpdateFirmware' && (image.signingCertificate === undefined || image.signature === undefined)) {
    return failure('invalid', `Firmware ${image.fileId} is not signed: SignedUpdateFirmware needs the signingCertificate and signature declared with it`, '/firmwareId');
  }
  const now = deps.now();
  const field = retrieveField(flat);
  const asked = target[field];
  const retrieveAt = asked === undefined ? now : new Date(String(asked));
  // A retrieve date that is no date is left for the schema check to refuse.
  if (Number.isNaN(retrieveAt.getTime())) return success({ payload });
  const lifetime = locationLifetime(now, retrieveAt, { retries: numberOr0(payload.retries), retryInterval: numberOr0(payload.retryInterval) }, input.whenOffline);
  if (!lifetime.ok) return { ...lifetime, field: pointerOf(flat, field) };
  const download = issueDownloadToken(
    { chargerId: input.chargerId, commandId: input.commandId, fileId: image.fileId, s3Key: image.s3Key, name: image.name },
    lifetime.value.expiresAt,
  );
  const location = firmwareDownloadLocation(endpoint.value, download.token, image.name);
  const max = maxLocationLength(input.protocol, action);
  if (max !== undefined && location.length > max) {
    return failure(
      'invalid',
      `The generated firmware location has ${location.length} characters, more than the ${max} ${input.protocol} ${action} allows ` +
        '(a long endpoint host or image name): give a location of your own',
      '/firmwareId',
    );
  }
  const filled: Json = {
    ...target,
    location,
    [field]: asked ?? now.toISOString(),
    // Where the action takes them and the operator gave none.
    ...(!flat && image.signingCertificate !== undefined && target.signingCertificate === undefined
      ? { signingCertificate: image.signingCertificate, signature: image.signature }
      : {}),
  };
  return success({ payload: flat ? filled : { ...payload, firmware: filled }, locationExpiresAt: lifetime.value.expiresAt, download });
};

/**
 * Completes the payload of an UpdateFirmware / SignedUpdateFirmware and records the charger's update, or says why the
 * command cannot be sent. The request id, when the operator left it out, is derived from the command id, so a retried
 * submission (same command id) records the same update. The update is recorded only for a payload that will pass its
 * schema check, so a refused command leaves none behind.
 */
export const prepareFirmwareUpdate = async (deps: Ports, action: FirmwareAction, input: PrepareInput): Promise<Outcome<unknown>> => {
  if (!isObject(input.payload)) return success(input.payload);
  // A retried submission (the same Idempotency-Key, so the same command id) of a command already recorded: its update
  // may have progressed since, and a second token would be one nobody holds. The first command goes on as it was
  // (submitCommandTo then answers it).
  const first = await deps.stores.commands.get(input.commandId, true);
  if (first) return success(first.sendPayload ?? first.payload);
  const flat = isFlat(input.protocol, action);
  let payload: Json = flat || input.payload.requestId !== undefined ? input.payload : { ...input.payload, requestId: idFromSeed(input.commandId, 1) };
  let locationExpiresAt: string | undefined;
  let download: IssuedDownloadToken | undefined;
  if (input.downloadVia !== undefined && input.firmwareId === undefined) {
    return failure('invalid', 'downloadVia goes with a firmwareId: the CSMS generates download locations of its own images only', '/downloadVia');
  }
  if (input.firmwareId !== undefined) {
    const generated = await withGeneratedLocation(deps, action, { ...input, firmwareId: input.firmwareId }, payload);
    if (!generated.ok) return generated;
    ({ payload, locationExpiresAt, download } = generated.value);
  }
  if (!checkOutbound(input.protocol, action, 'request', payload).ok) return success(payload);
  const target = (flat ? payload : payload.firmware) as Json;
  await deps.stores.firmwareUpdates.begin({
    chargerId: input.chargerId,
    requestId: requestIdOf(input.commandId, payload),
    commandId: input.commandId,
    action,
    protocol: input.protocol,
    ...(input.firmwareId !== undefined ? { firmwareId: input.firmwareId } : {}),
    retrieveAt: new Date(String(target[retrieveField(flat)])).toISOString(),
    ...(locationExpiresAt !== undefined ? { locationExpiresAt } : {}),
    requestedAt: deps.now().toISOString(),
  }, download);
  return success(payload);
};

/** The charger's answer on its update (Rejected, InvalidCertificate, …: the update goes no further). */
const answered = async (deps: Ports, { command, result }: { readonly command: Command; readonly result: unknown }): Promise<void> => {
  if (!isObject(command.payload)) return;
  const answer = statusOf(result);
  await deps.stores.firmwareUpdates.answer(command.chargerId, requestIdOf(command.commandId, command.payload), command.commandId, {
    answeredAt: deps.now().toISOString(),
    ...(answer !== undefined ? { answer } : {}),
  });
};

const firmwareEffect = (action: FirmwareAction): CommandEffect => ({
  prepare: (deps, input) => refusedOrPayload(prepareFirmwareUpdate(deps, action, input)),
  answered,
});

export const firmwareEffects: Readonly<Record<FirmwareAction, CommandEffect>> = {
  UpdateFirmware: firmwareEffect('UpdateFirmware'),
  SignedUpdateFirmware: firmwareEffect('SignedUpdateFirmware'),
};

/**
 * A FirmwareStatusNotification / SignedFirmwareStatusNotification on the charger's update, alongside the message (its
 * answer does not depend on it). Requests: one UpdateItem when the notification names its request id; one Query of
 * gsi1 (the charger's newest update) and one UpdateItem when it does not (1.6 FirmwareStatusNotification). `Idle` (no
 * update under way, e.g. after a TriggerMessage) and a status for no known update change nothing.
 */
export const recordFirmwareStatus = (
  ctx: Pick<UnitOfWork, 'stores' | 'alongside'> & { readonly chargerId: string; readonly messageId: string; readonly receivedAt: Date },
  notification: { readonly status: string; readonly requestId?: number },
): void => {
  if (notification.status === 'Idle') return;
  const report: FirmwareUpdateReport = { status: notification.status, at: ctx.receivedAt.toISOString(), messageId: ctx.messageId };
  const { firmwareUpdates } = ctx.stores;
  ctx.alongside(
    notification.requestId !== undefined
      ? firmwareUpdates.report(ctx.chargerId, notification.requestId, report)
      : firmwareUpdates.newest(ctx.chargerId).then((update) => update && firmwareUpdates.report(ctx.chargerId, update.requestId, report)),
  );
};

/** A charger's firmware updates, newest first (404 for an unknown charger). */
export const listFirmwareUpdates = async (deps: Ports, chargerId: string, page: PageOptions): Promise<Outcome<Page<FirmwareUpdate>>> => {
  const charger = await deps.stores.chargers.get(chargerId);
  if (!charger) return failure('not-found', `No charger ${chargerId}`);
  return success(await deps.stores.firmwareUpdates.listForCharger(charger.chargerId, page));
};
