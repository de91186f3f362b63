/**
 * Upload locations the CSMS generates for GetDiagnostics (1.6) and GetLog (1.6 security extension, 2.x) sent without
 * one: a one-time upload token (upload-token.ts) bound to the charger and the command, and the file it will bring
 * recorded `requested`, both in one write; then the location the charger is sent:
 *
 *   https: `<FILE_UPLOAD_URL>/<chargerId, percent-encoded>/<token>/` (upload.ts; the trailing slash because chargers
 *          commonly append their file name to the location as it is)
 *   sftp:  `sftp://<chargerId, percent-encoded>:<token>@<host[:port]>/` (sftp-identity.ts: user name = charger id,
 *          password = token; the session's home is the file's folder, hence the path `/`)
 *
 * The token is in the CALL only: the command is stored, shown and logged with it masked (shared/log/redact.ts).
 * An operator's own location is sent untouched and no token is issued.
 *
 * The file's id is derived, not random, so a charger's status notification finds the file with one UpdateItem
 * (upload-status.ts): from the charger and the request id its LogStatusNotification echoes (GetLog), from the command
 * id (GetDiagnostics, answered and notified without one). A retried submission of the same command derives the same
 * id; a GetLog reusing a request id that already has a file of this charger is refused (the charger's notifications
 * could not tell the two apart).
 */
import { createHash } from 'node:crypto';
import { failure, success, type Outcome } from '../api/outcome.ts';
import { chargerIdKey } from '../charger/charger-id.ts';
import { isV16 } from '../command/answer.ts';
import type { Command } from '../command/command.ts';
import type { AnsweredCommand, CommandEffect, PrepareInput, UploadVia } from '../command/effects.ts';
import { refusedOrPayload } from '../command/prepare-refused.ts';
import { idFromSeed } from '../command/request-id.ts';
import type { Ports } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import { checkOutbound } from '../ocpp/validate.ts';
import type { ChargerFileKind } from './file-record.ts';
import { endpointBase, type FileEndpoints } from './objects.ts';
import {
  DEFAULT_UPLOAD_TOKEN_LIFETIME_SECONDS,
  issueUploadToken,
  MAX_UPLOAD_TOKEN_LIFETIME_SECONDS,
  newUploadToken,
  UploadFileExists,
} from './upload-token.ts';

export type UploadAction = 'GetDiagnostics' | 'GetLog';

export const UPLOAD_KIND: Readonly<Record<UploadAction, ChargerFileKind>> = { GetDiagnostics: 'diagnostics', GetLog: 'log' };

/**
 * The longest location each action's schema takes (undefined: no limit): 1.6 GetDiagnostics `location` is an anyURI
 * without one; GetLog `log.remoteLocation` has 512 characters in the 1.6 security extension and 2.0.1, 2000 in 2.1.
 */
export const maxUploadLocationLength = (protocol: OcppProtocol, action: UploadAction): number | undefined => {
  if (action === 'GetDiagnostics') return undefined;
  return protocol === 'ocpp2.1' ? 2000 : 512;
};

/**
 * A UUID-shaped id from `key` (the bucket's key layout takes a file folder of that shape). Not commands.ts' idFromKey:
 * that module reaches this one through the effects table.
 */
const uuidFrom = (key: string): string => {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** The file a GetLog asks a charger for: one per charger and request id (the id its LogStatusNotification echoes). */
export const logFileId = (chargerId: string, requestId: number): string => uuidFrom(`upload-file\nlog\n${chargerIdKey(chargerId)}\n${requestId}`);
/** The file a GetDiagnostics asks for: one per command (its status notification names none). */
export const diagnosticsFileId = (commandId: string): string => uuidFrom(`upload-file\ndiagnostics\n${commandId}`);

/**
 * The location that carries `token` for the charger, or why the stage cannot make one. Pure: the length checks
 * build it with a stand-in token of the same length before any token is issued.
 */
export const uploadLocation = (endpoints: FileEndpoints, via: UploadVia, chargerId: string, token: string): Outcome<string> => {
  const user = encodeURIComponent(chargerId);
  if (via === 'https') {
    if (!endpoints.uploads) return failure('invalid', 'This stage has no HTTPS upload endpoint (FILE_UPLOAD_URL): give a location of your own', '/uploadVia');
    return success(`${endpointBase(endpoints.uploads)}/${user}/${token}/`);
  }
  if (!endpoints.sftp) return failure('invalid', 'This stage has no SFTP server: send uploadVia "https", or give a location of your own', '/uploadVia');
  let server: URL;
  try {
    server = new URL(endpoints.sftp);
  } catch {
    throw new Error(`FILE_SFTP_URL is not a URL: ${endpoints.sftp}`);
  }
  // Base64url needs no escaping in user info; the charger id may.
  return success(`sftp://${user}:${token}@${server.host}/`);
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

/**
 * How long the token lives: the default hour, plus the retries the command allows (`retries` × `retryInterval`
 * seconds), at most a week. A GetLog's or GetDiagnostics' start is "as soon as possible": the time window it names is
 * the log's, not the upload's. A command held for an offline charger may be sent days later: its token gets the week.
 */
export const uploadTokenLifetime = (payload: Json, whenOffline?: 'fail' | 'hold'): number =>
  whenOffline === 'hold'
    ? MAX_UPLOAD_TOKEN_LIFETIME_SECONDS
    : Math.min(MAX_UPLOAD_TOKEN_LIFETIME_SECONDS, Math.ceil(DEFAULT_UPLOAD_TOKEN_LIFETIME_SECONDS + count(payload.retries) * count(payload.retryInterval)));

/** Where the action keeps its location: 1.6 GetDiagnostics at the top, GetLog in `log`. */
const locationOf = (action: UploadAction, payload: Json): { readonly holder: unknown; readonly field: string; readonly pointer: string } =>
  action === 'GetDiagnostics'
    ? { holder: payload, field: 'location', pointer: '/payload/location' }
    : { holder: payload.log, field: 'remoteLocation', pointer: '/payload/log/remoteLocation' };

const withLocation = (action: UploadAction, payload: Json, location: string): Json =>
  action === 'GetDiagnostics' ? { ...payload, location } : { ...payload, log: { ...(payload.log as Json), remoteLocation: location } };

/** The request id a GetLog goes out with: the operator's, else one derived from the command id (a retry keeps it). */
const requestIdOf = (commandId: string, payload: Json): unknown => payload.requestId ?? idFromSeed(commandId, 1);

/** The file id of a command asking for `action`'s upload, when its payload names what is needed. */
export const uploadFileIdOf = (command: Pick<Command, 'commandId' | 'chargerId' | 'payload'>, action: UploadAction): string | undefined => {
  if (action === 'GetDiagnostics') return diagnosticsFileId(command.commandId);
  const requestId = isObject(command.payload) ? command.payload.requestId : undefined;
  return typeof requestId === 'number' ? logFileId(command.chargerId, requestId) : undefined;
};

/**
 * A retried submission of the same command (the same Idempotency-Key) found the file its first attempt recorded: when
 * that attempt recorded the command too, its payload goes on (the command store then answers the first command);
 * otherwise the first attempt stopped between the two writes and its token was never sent anywhere.
 */
const retriedOrRefused = async (deps: Ports, input: PrepareInput, action: UploadAction, fileId: string, requestId: unknown): Promise<Outcome<unknown>> => {
  const file = await deps.stores.files.get(fileId, true);
  if (file && file.kind !== 'firmware' && file.commandId === input.commandId) {
    const first = await deps.stores.commands.get(input.commandId, true);
    if (first) return success(first.sendPayload ?? first.payload);
    return failure('conflict', `An earlier attempt of this command stopped after recording file ${fileId}: send the command again with a new Idempotency-Key`);
  }
  return action === 'GetLog'
    ? failure('conflict', `Request id ${String(requestId)} of charger ${input.chargerId} already has file ${fileId}: give another requestId, or leave it out`, '/payload/requestId')
    : failure('conflict', `File ${fileId} exists already`);
};

/**
 * Completes a GetDiagnostics / GetLog payload that has no location with a generated one, or says why it cannot. A
 * payload of another shape is left for the schema check to refuse; so is a GetLog whose request id is no integer.
 */
export const prepareUploadLocation = async (deps: Ports, action: UploadAction, input: PrepareInput): Promise<Outcome<unknown>> => {
  if (!isObject(input.payload)) return success(input.payload);
  const payload: Json = action === 'GetLog' ? { ...input.payload, requestId: requestIdOf(input.commandId, input.payload) } : input.payload;
  const { holder, field, pointer } = locationOf(action, payload);
  if (!isObject(holder)) return success(payload);
  if (holder[field] !== undefined) {
    if (input.uploadVia !== undefined) return failure('invalid', `Give either ${pointer.replace('/payload', 'payload')} or uploadVia, not both`, '/uploadVia');
    return success(payload);
  }
  const requestId = payload.requestId;
  if (action === 'GetLog' && !(typeof requestId === 'number' && Number.isInteger(requestId))) return success(payload);
  const via = input.uploadVia ?? 'https';
  const endpoints = deps.files?.endpoints ?? {};
  // Checked with a stand-in of the token's length, so nothing is issued for a location that cannot be sent.
  const probe = uploadLocation(endpoints, via, input.chargerId, newUploadToken());
  if (!probe.ok) return probe;
  const max = maxUploadLocationLength(input.protocol, action);
  if (max !== undefined && probe.value.length > max) {
    return failure(
      'invalid',
      `The generated ${via} location has ${probe.value.length} characters, more than the ${max} of ${input.protocol} ${action}: ` +
        'give a location of your own, or use the other uploadVia',
      '/uploadVia',
    );
  }
  // A payload the schema refuses is answered with the probe's location and writes nothing: the command's own check
  // then reports the real fault, and no file or token is left behind for a command that was never recorded.
  const probed = withLocation(action, payload, probe.value);
  if (!checkOutbound(input.protocol, action, 'request', probed).ok) return success(probed);
  const kind = UPLOAD_KIND[action];
  const fileId = action === 'GetLog' ? logFileId(input.chargerId, requestId as number) : diagnosticsFileId(input.commandId);
  let token: string;
  try {
    ({ token } = await issueUploadToken(deps, {
      chargerId: input.chargerId,
      commandId: input.commandId,
      kind,
      fileId,
      lifetimeSeconds: uploadTokenLifetime(payload, input.whenOffline),
      ...(action === 'GetLog' ? { requestId: requestId as number } : {}),
    }));
  } catch (error) {
    if (error instanceof UploadFileExists) return retriedOrRefused(deps, input, action, fileId, requestId);
    throw error;
  }
  const location = uploadLocation(endpoints, via, input.chargerId, token);
  return location.ok ? success(withLocation(action, payload, location.value)) : location;
};

/**
 * What the charger's answer says about the upload: `undefined` when it will upload, else the failure the file gets.
 * 1.6 GetDiagnostics answers with the name of the file it will upload, or none when it has nothing; GetLog (1.6
 * security extension, 2.x) with a status, Rejected meaning no upload.
 */
export const answerFailure = (protocol: OcppProtocol, action: UploadAction, result: unknown): string | undefined => {
  const answer = isObject(result) ? result : {};
  if (action === 'GetDiagnostics' && isV16(protocol)) return typeof answer.fileName === 'string' ? undefined : 'NoFile';
  return answer.status === 'Rejected' ? 'Rejected' : undefined;
};

/** A refusing answer fails the file the command asked for (one conditional UpdateItem; none for an operator's location). */
const answered =
  (action: UploadAction) =>
  async (deps: Ports, { command, result }: AnsweredCommand): Promise<void> => {
    const failed = answerFailure(command.protocol, action, result);
    const fileId = uploadFileIdOf(command, action);
    if (failed === undefined || fileId === undefined) return;
    await deps.stores.files.reportUploadStatus(fileId, command.chargerId, UPLOAD_KIND[action], { status: 'failed', at: deps.now().toISOString(), failure: failed });
  };

const uploadEffect = (action: UploadAction): CommandEffect => ({
  prepare: (deps, input) => refusedOrPayload(prepareUploadLocation(deps, action, input)),
  answered: answered(action),
});

export const uploadLocationEffects: Readonly<Record<UploadAction, CommandEffect>> = {
  GetDiagnostics: uploadEffect('GetDiagnostics'),
  GetLog: uploadEffect('GetLog'),
};
