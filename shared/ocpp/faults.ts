import type { OcppProtocol } from './frames.ts';

/** Our names for OCPP-J RPC errors: the 2.0.1/2.1 spellings (Part 4 §4.3). `wireErrorCode` adapts them per version. */
export type FaultCode =
  | 'FormatViolation'
  | 'PropertyConstraintViolation'
  | 'OccurrenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'NotImplemented'
  | 'NotSupported'
  | 'ProtocolError'
  | 'RpcFrameworkError'
  | 'MessageTypeNotSupported'
  | 'SecurityError'
  | 'InternalError'
  | 'GenericError';

/** Why a message is refused. `details` ends up in errorDetails on the wire: never put internals in it. */
export interface Fault {
  code: FaultCode;
  description: string;
  details?: Record<string, unknown>;
}

/**
 * OCPP-J 1.6 §4.2.3 Table 7 has ten codes. Two keep their typos (1.6-J errata §5.1 and §5.2: "do not fix").
 * It has no RpcFrameworkError: a frame that is not a valid RPC message is "syntactically incorrect or not conform
 * the PDU structure", which Table 7 calls FormationViolation. It has no MessageTypeNotSupported (1.6 ignores unknown
 * message types, §4.1.3), so that one falls back to GenericError.
 */
const OCPP16_SPELLING: Partial<Record<FaultCode, string>> = {
  FormatViolation: 'FormationViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
  RpcFrameworkError: 'FormationViolation',
  MessageTypeNotSupported: 'GenericError',
};

/** The errorCode string to put on the wire for `code` on `protocol`. */
export function wireErrorCode(protocol: OcppProtocol, code: FaultCode): string {
  return (protocol === 'ocpp1.6' && OCPP16_SPELLING[code]) || code;
}

export const fault = (code: FaultCode, description: string): Fault => ({ code, description });
