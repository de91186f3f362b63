/**
 * Commands as operators see them: submit one (checked against the schema of the charger's OCPP version, recorded,
 * then put on the charger's FIFO message group), read one (optionally waiting for its end), list a charger's, cancel a
 * queued one. Sending, answers and timeouts are dispatch.ts and replies.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import { loadValidators, checkOutbound } from '../ocpp/validate.ts';
import { encodeCall, type OcppProtocol } from '../ocpp/frames.ts';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '../websocket-limits.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import { canSend } from './catalog.ts';
import { DEFAULT_COMMAND_TIMEOUT_SECONDS, isFinal, MAX_COMMAND_TIMEOUT_SECONDS, type Command } from './command.ts';
import { hashPassword, type PasswordKeys, type PasswordOrigin } from '../charger/credentials.ts';
import type { RegistrationStatus } from '../charger/registry.ts';
import { redactPayload } from '../log/redact.ts';
import { effectOf } from './effects.ts';
import { PrepareRefused } from './prepare-refused.ts';
import { MAX_CHARGER_PASSWORD, MIN_CHARGER_PASSWORD, passwordSetBy } from './password-change.ts';
import type { CommandQueue } from './ports.ts';
import type { DownloadVia, UploadVia } from './effects.ts';

export interface SubmitCommand {
  readonly chargerId: string;
  readonly action: string;
  readonly payload: unknown;
  readonly timeoutSeconds?: number;
  /** `hold`: if the charger is offline when the command's turn comes, send it after its next accepted boot. */
  readonly whenOffline?: 'fail' | 'hold';
  readonly requestedBy: string;
  /**
   * Makes the command id a function of this key (from the REST adapter: the request under the caller's
   * Idempotency-Key): a retry after a failure between the record and the queue finds the same command and queues it
   * again (the queue deduplicates by command id, and the dispatcher ignores a command that is no longer queued).
   */
  readonly requestKey?: string;
  /** How a password the command sets was made: `generated` ones are MACed with the pepper, chosen ones scrypt-hashed. */
  readonly passwordOrigin?: PasswordOrigin;
  /** GetDiagnostics / GetLog without a location: how the charger uploads to the CSMS. @default 'https' */
  readonly uploadVia?: UploadVia;
  /** UpdateFirmware without a location: the firmware image (`POST /firmware`) the charger fetches. */
  readonly firmwareId?: string;
  /** With `firmwareId`: how the charger downloads the image. @default 'https' */
  readonly downloadVia?: DownloadVia;
}

/** The payload as stored: masked, with the unmasked one beside it only while it holds a secret to send. */
const storedPayload = (payload: unknown): { payload: unknown; sendPayload?: unknown } => {
  const masked = redactPayload(payload);
  return JSON.stringify(masked) === JSON.stringify(payload) ? { payload } : { payload: masked, sendPayload: payload };
};

/** A UUID-shaped id derived from a key, so it fits an OCPP message id (string[36]) like a random one. */
export const idFromKey = (key: string): string => {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** Where a command goes: the charger as registered, and the OCPP version its payloads are checked against. */
export interface CommandTarget {
  readonly chargerId: string;
  readonly protocol: OcppProtocol;
  /** Whether the CSMS accepted the charger: a pending one may not be asked to start or stop a transaction. */
  readonly registrationStatus?: RegistrationStatus;
  /** The charger's location, read with it (a local list sync needs it). */
  readonly locationId?: string;
}

/**
 * The charger and its OCPP version: the live connection's, else its registered default. One BatchGetItem (and a
 * GetItem of the presence when the id was asked in another case). 409 for a charger that never spoke OCPP.
 */
export const commandTarget = async (deps: Ports, chargerId: string): Promise<Outcome<CommandTarget>> => {
  const { charger, presence } = await deps.stores.readTogether({
    charger: deps.stores.chargers.read(chargerId),
    presence: deps.stores.presence.read(chargerId),
  });
  if (!charger) return failure('not-found', `No charger ${chargerId}`);
  // Presence is keyed by the id as registered; asked in another case, read it again under that id.
  const live = presence ?? (charger.chargerId === chargerId ? undefined : await deps.stores.presence.get(charger.chargerId));
  const protocol = live?.protocol ?? charger.defaultProtocol;
  if (!protocol) {
    return failure('conflict', `Charger ${charger.chargerId} has never connected and has no default OCPP version: its payloads cannot be checked yet`);
  }
  return success({
    chargerId: charger.chargerId,
    protocol,
    registrationStatus: charger.registrationStatus,
    ...(charger.locationId !== undefined ? { locationId: charger.locationId } : {}),
  });
};

type SubmitDeps = Ports & Partial<PasswordKeys> & { queue: CommandQueue };

/**
 * Why the CALL cannot reach the charger: over one WebSocket message, which the dispatcher's post could never deliver
 * (it would end `SendFailed`). Refused before anything is recorded (it also keeps the command under DynamoDB's item
 * size).
 */
const callTooLarge = (commandId: string, action: string, payload: unknown): Outcome<never> | undefined => {
  const bytes = Buffer.byteLength(encodeCall(commandId, action, payload), 'utf8');
  if (bytes <= MAX_WEBSOCKET_MESSAGE_BYTES) return undefined;
  return failure('invalid', `The ${action} CALL would be ${bytes} bytes: a message to a charger holds at most ${MAX_WEBSOCKET_MESSAGE_BYTES} bytes (API Gateway's WebSocket message quota)`, '/payload');
};

/** The commands OCPP forbids while the charger is Pending (1.6 §4.2; 2.0.1 use case B02): it may not charge yet. */
const NOT_WHILE_PENDING: ReadonlySet<string> = new Set([
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'RequestStartTransaction',
  'RequestStopTransaction',
]);

export const submitCommand = async (deps: SubmitDeps, input: SubmitCommand): Promise<Outcome<Command>> => {
  const target = await commandTarget(deps, input.chargerId);
  return target.ok ? submitCommandTo(deps, target.value, input) : target;
};

/** Checks, records and queues a command to a charger already resolved by `commandTarget`. */
export const submitCommandTo = async (deps: SubmitDeps, target: CommandTarget, input: Omit<SubmitCommand, 'chargerId'>): Promise<Outcome<Command>> => {
  const { chargerId, protocol } = target;
  const timeoutSeconds = input.timeoutSeconds ?? DEFAULT_COMMAND_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > MAX_COMMAND_TIMEOUT_SECONDS) {
    return failure('invalid', `timeoutSeconds must be a whole number of seconds from 1 to ${MAX_COMMAND_TIMEOUT_SECONDS}`, '/timeoutSeconds');
  }
  if (!canSend(protocol, input.action)) return failure('invalid', `${input.action} is not an action the CSMS can send in ${protocol}`, '/action');
  if (target.registrationStatus !== undefined && target.registrationStatus !== 'accepted' && NOT_WHILE_PENDING.has(input.action)) {
    return failure('conflict', `Charger ${chargerId} is ${target.registrationStatus}: OCPP allows no ${input.action} before the CSMS accepts it (1.6 §4.2, 2.0.1 B02)`);
  }
  await loadValidators(protocol);
  const commandId = input.requestKey === undefined ? randomUUID() : idFromKey(input.requestKey);
  const prepare = effectOf(input.action)?.prepare;
  const fileOptions = {
    ...(input.uploadVia !== undefined ? { uploadVia: input.uploadVia } : {}),
    ...(input.firmwareId !== undefined ? { firmwareId: input.firmwareId } : {}),
    ...(input.downloadVia !== undefined ? { downloadVia: input.downloadVia } : {}),
    ...(input.whenOffline !== undefined ? { whenOffline: input.whenOffline } : {}),
  };
  let payload: unknown;
  try {
    payload = prepare ? await prepare(deps, { commandId, chargerId, protocol, payload: input.payload, ...fileOptions }) : input.payload;
  } catch (error) {
    if (error instanceof PrepareRefused) return error.failure;
    throw error;
  }
  const checked = checkOutbound(protocol, input.action, 'request', payload);
  if (!checked.ok) {
    const pointer = checked.pointer === '/' ? '/payload' : `/payload${checked.pointer}`;
    return failure('invalid', `The ${protocol} ${input.action} payload is not valid: ${pointer}: ${checked.fault.description}`, pointer);
  }
  const tooLarge = callTooLarge(commandId, input.action, payload);
  if (tooLarge) return tooLarge;
  const password = passwordSetBy(protocol, input.action, payload);
  if (password !== undefined && (password.length < MIN_CHARGER_PASSWORD || password.length > MAX_CHARGER_PASSWORD)) {
    return failure('invalid', `A charger password has ${MIN_CHARGER_PASSWORD} to ${MAX_CHARGER_PASSWORD} characters`, '/payload');
  }
  const command: Command = {
    commandId,
    chargerId,
    protocol,
    action: input.action,
    ...storedPayload(payload),
    status: 'queued',
    timeoutSeconds,
    ...(input.whenOffline === 'hold' ? { whenOffline: 'hold' as const } : {}),
    ...(password !== undefined ? { nextPasswordHash: await hashPassword(password, input.passwordOrigin ?? 'chosen', deps) } : {}),
    requestedBy: input.requestedBy,
    createdAt: deps.now().toISOString(),
  };
  if ((await deps.stores.commands.create(command)) === 'exists') {
    const first = await deps.stores.commands.get(command.commandId, true);
    if (!first) return failure('conflict', `Command ${command.commandId} is being replaced; retry`);
    if (first.status === 'queued') await deps.queue.enqueue({ commandId: first.commandId, chargerId: first.chargerId });
    return success(first);
  }
  await deps.queue.enqueue({ commandId: command.commandId, chargerId: command.chargerId });
  return success(command);
};

const notFound = (commandId: string) => failure('not-found', `No command ${commandId}`);

/** Longest wait of `GET /commands/{id}?wait=`: under API Gateway's 29 s integration timeout. */
export const MAX_WAIT_SECONDS = 25;
const POLL_MS = 500;

/**
 * A command, after waiting up to `waitSeconds` for it to end (a long poll: one read per half second, strongly
 * consistent, so an answer recorded a moment ago is seen).
 */
export const getCommand = async (deps: Ports & { sleep?: (ms: number) => Promise<void> }, commandId: string, waitSeconds = 0): Promise<Outcome<Command>> => {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const until = deps.now().getTime() + Math.min(waitSeconds, MAX_WAIT_SECONDS) * 1000;
  for (;;) {
    const command = await deps.stores.commands.get(commandId, waitSeconds > 0);
    if (!command) return notFound(commandId);
    const left = until - deps.now().getTime();
    if (isFinal(command.status) || left <= 0) return success(command);
    await sleep(Math.min(POLL_MS, left));
  }
};

export const listChargerCommands = async (deps: Ports, chargerId: string, page: PageOptions): Promise<Outcome<Page<Command>>> => {
  const charger = await deps.stores.chargers.get(chargerId);
  if (!charger) return failure('not-found', `No charger ${chargerId}`);
  return success(await deps.stores.commands.listForCharger(charger.chargerId, page));
};

/** Cancels a command that is still queued; one already sent cannot be called back (409). */
export const cancelCommand = async (deps: Ports, commandId: string, by: string): Promise<Outcome<Command>> => {
  const out = await deps.stores.commands.cancel(commandId, by);
  if (out.cancelled) return success(out.command);
  if (out.status === undefined) return notFound(commandId);
  return failure('conflict', `Command ${commandId} is ${out.status}: only a queued command can be cancelled`);
};
