import { fault, wireErrorCode } from './faults.ts';
import type { Fault, FaultCode } from './faults.ts';

export type OcppProtocol = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';

/** Subprotocols we speak, highest first: the order in which to pick from a charger's offer. */
export const PROTOCOL_PREFERENCE: readonly OcppProtocol[] = ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'];

export type Frame =
  | { type: 'CALL'; messageId: string; action: string; payload: unknown }
  | { type: 'CALLRESULT'; messageId: string; payload: unknown }
  | { type: 'CALLERROR'; messageId: string; errorCode: string; errorDescription: string; errorDetails: unknown }
  | { type: 'CALLRESULTERROR'; messageId: string; errorCode: string; errorDescription: string; errorDetails: unknown }
  | { type: 'SEND'; messageId: string; action: string; payload: unknown };

export type ParseOutcome =
  | { kind: 'frame'; frame: Frame }
  /** Answer with a CALLERROR carrying `messageId` ("-1" when the id could not be read). */
  | { kind: 'reject'; messageId: string; fault: Fault }
  /** Never answered: empty frames, malformed replies and SENDs, unknown message types where the spec says ignore. */
  | { kind: 'ignore'; reason: string };

/** 2.0.1 and 2.1 Part 4 §4.2.3: "When also the MessageId cannot be read, the CALLERROR SHALL contain "-1"" (1.6 has no rule). */
const UNREADABLE_ID = '-1';
/** OCPP-J 1.6 Table 3 and 2.x Part 4 Table 4: messageId is string[36]. */
const MAX_MESSAGE_ID_LENGTH = 36;
/** 2.x Part 4 Table 7: errorDescription is string[255]. */
const MAX_ERROR_DESCRIPTION_LENGTH = 255;
/**
 * Far deeper than any OCPP message; deeper JSON would overflow recursive code downstream (JSON.stringify...). And
 * what we store must fit DynamoDB's 32 levels of nesting: a payload sits up to three levels below an item's top (a
 * timeline entry's `payload.request`, a command's `failure.callError.errorDetails`), so a deeper one failed the write
 * and was answered InternalError on every retry.
 */
const MAX_PAYLOAD_DEPTH = 28;

type Decoder = (message: readonly unknown[]) => ParseOutcome;

const ignore = (reason: string): ParseOutcome => ({ kind: 'ignore', reason });
const reject = (messageId: string, code: FaultCode, description: string): ParseOutcome =>
  ({ kind: 'reject', messageId, fault: fault(code, description) });
const rejectUnreadable = (description: string) => reject(UNREADABLE_ID, 'RpcFrameworkError', description);
const accept = (frame: Frame): ParseOutcome => ({ kind: 'frame', frame });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `value` has objects or arrays nested more than `max` levels below it. Iterative: cannot overflow. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth += 1) {
    if (depth > max) return true;
    level = level.flatMap((node) => (typeof node === 'object' && node !== null ? Object.values(node) : []));
  }
  return false;
}

/**
 * The payload as an object, or undefined when it is none or nests too deep. OCPP-J 1.6 §4.2.1 and 2.x Part 4
 * §4.1.5: "no payload" may be written `null` or `{}`; we hand on `{}`.
 */
function asPayload(v: unknown): Record<string, unknown> | undefined {
  if (v === null) return {};
  return isObject(v) && !nestsDeeperThan(v, MAX_PAYLOAD_DEPTH) ? v : undefined;
}

function decodeCall(message: readonly unknown[]): ParseOutcome {
  const [, id, action, payload] = message;
  if (typeof id !== 'string') return rejectUnreadable('message id is not a string');
  if (id.length === 0 || id.length > MAX_MESSAGE_ID_LENGTH) {
    return reject(id, 'RpcFrameworkError', `message id must be 1 to ${MAX_MESSAGE_ID_LENGTH} characters`);
  }
  if (typeof action !== 'string') return reject(id, 'RpcFrameworkError', 'action is not a string');
  if (message.length !== 4) return reject(id, 'RpcFrameworkError', `a CALL has 4 elements, this one has ${message.length}`);
  const body = asPayload(payload);
  if (body === undefined) {
    return reject(id, 'FormatViolation', `payload is not a JSON object nested at most ${MAX_PAYLOAD_DEPTH} levels deep`);
  }
  return accept({ type: 'CALL', messageId: id, action, payload: body });
}

/** 2.1 Part 4 §4.2.4: "The receiver SHALL NOT respond to a SEND message", so a bad one is only ignored. */
function decodeSend(message: readonly unknown[]): ParseOutcome {
  const [, id, action, payload] = message;
  const body = asPayload(payload);
  if (typeof id !== 'string' || typeof action !== 'string' || message.length !== 4 || body === undefined) {
    return ignore('malformed SEND');
  }
  return accept({ type: 'SEND', messageId: id, action, payload: body });
}

// Replies are never answered (no reply to a reply): a malformed one is ignored, and its CALL times out.
function decodeCallResult(message: readonly unknown[]): ParseOutcome {
  const [, id, payload] = message;
  const body = asPayload(payload);
  if (typeof id !== 'string' || message.length !== 3 || body === undefined) return ignore('malformed CALLRESULT');
  return accept({ type: 'CALLRESULT', messageId: id, payload: body });
}

/** Tolerant of a missing description or details (seen in the field): they default to "" and {}. */
const decodeError = (type: 'CALLERROR' | 'CALLRESULTERROR'): Decoder => (message) => {
  const [, id, errorCode, description, details] = message;
  if (typeof id !== 'string' || typeof errorCode !== 'string' || message.length > 5) return ignore(`malformed ${type}`);
  const errorDescription = typeof description === 'string' ? description : '';
  return accept({ type, messageId: id, errorCode, errorDescription, errorDetails: asPayload(details) ?? {} });
};

const DECODERS: Readonly<Record<number, Decoder | undefined>> = {
  2: decodeCall,
  3: decodeCallResult,
  4: decodeError('CALLERROR'),
  5: decodeError('CALLRESULTERROR'),
  6: decodeSend,
};

/** CALLRESULTERROR (5) and SEND (6) are new in 2.1 (Part 4 §4.1.3). */
const MESSAGE_TYPES: Record<OcppProtocol, readonly number[]> = {
  'ocpp1.6': [2, 3, 4],
  'ocpp2.0.1': [2, 3, 4],
  'ocpp2.1': [2, 3, 4, 5, 6],
};

const ON_UNKNOWN_TYPE: Record<OcppProtocol, Decoder> = {
  // OCPP-J 1.6 §4.1.3: "When a server receives a message with a Message Type Number not in this list, it SHALL
  // ignore the message payload."
  'ocpp1.6': () => ignore('unknown message type'),
  // OCPP 2.0.1 Part 4 §4.4: "it SHALL respond with an CALLERROR with errorCode: MessageTypeNotSupported".
  'ocpp2.0.1': ([type, id]) => reject(typeof id === 'string' ? id : UNREADABLE_ID, 'MessageTypeNotSupported',
    `message type ${String(type)} is not supported`),
  // OCPP 2.1 Part 4 §4.1.3 and §4.4 (updated in 2.1): "it SHALL ignore the message payload".
  'ocpp2.1': () => ignore('unknown message type'),
};

const NOT_JSON = Symbol('not JSON');
function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/**
 * Reads one OCPP-J frame. Never throws. Checks run in order: JSON, array, message type, then per type the message
 * id, the action and the payload. Answers (rejects) only CALLs: replies and SENDs are never answered.
 */
export function parseFrame(protocol: OcppProtocol, raw: string): ParseOutcome {
  // Some chargers send empty frames as keep-alives; there is nothing to answer.
  if (raw.trim() === '') return ignore('empty frame');
  const message = parseJson(raw);
  if (message === NOT_JSON) return rejectUnreadable('frame is not valid JSON');
  if (!Array.isArray(message)) return rejectUnreadable('frame is not a JSON array');
  const type: unknown = message[0];
  if (typeof type !== 'number') return rejectUnreadable('message type is not a number');
  const decode = MESSAGE_TYPES[protocol].includes(type) ? DECODERS[type] : undefined;
  return (decode ?? ON_UNKNOWN_TYPE[protocol])(message);
}

export function encodeCall(messageId: string, action: string, payload: unknown): string {
  return JSON.stringify([2, messageId, action, payload]);
}

export function encodeCallResult(messageId: string, payload: unknown): string {
  return JSON.stringify([3, messageId, payload]);
}

const encodeError = (type: 4 | 5, protocol: OcppProtocol, messageId: string, f: Fault): string => {
  const description = [...f.description].slice(0, MAX_ERROR_DESCRIPTION_LENGTH).join('');
  return JSON.stringify([type, messageId, wireErrorCode(protocol, f.code), description, f.details ?? {}]);
};

/** A CALLERROR for `fault`, with the version's spelling of the code; errorDetails is always an object. */
export function encodeCallError(protocol: OcppProtocol, messageId: string, f: Fault): string {
  return encodeError(4, protocol, messageId, f);
}

/**
 * 2.1 Part 4: a CALLRESULTERROR tells the sender of a CALLRESULT that its receiver could not take it. Only 2.1 has
 * the message type; it is itself never answered.
 */
export function encodeCallResultError(messageId: string, f: Fault): string {
  return encodeError(5, 'ocpp2.1', messageId, f);
}
