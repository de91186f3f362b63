/** Reading a charger's validated reply and the command's payload in the effects of answered commands. */
import type { OcppProtocol } from '../ocpp/frames.ts';

/** The top-level `status` of a reply (Accepted, Rejected, …), when it has one. */
export const statusOf = (result: unknown): string | undefined => {
  const status = typeof result === 'object' && result !== null ? (result as { status?: unknown }).status : undefined;
  return typeof status === 'string' ? status : undefined;
};

export const isAccepted = (result: unknown): boolean => statusOf(result) === 'Accepted';

/** 1.6 payloads name things otherwise than 2.0.1 and 2.1, which agree with each other. */
export const isV16 = (protocol: OcppProtocol): boolean => protocol === 'ocpp1.6';
