/**
 * A charger's Basic auth password changed by command: OCPP 1.6 ChangeConfiguration of `AuthorizationKey` (security
 * whitepaper) or 2.x SetVariables of SecurityCtrlr `BasicAuthPassword`. The new password's hash is made when the
 * command is submitted and kept on the command (never shown); the password itself stays in the command's payload only
 * until the CALL is sent (then it is masked). When the charger accepts, the hash becomes the charger's next password:
 * valid beside the current one until the charger connects with it, then the only one (charger/connection.ts).
 */
import type { Ports } from '../deps.ts';
import { passwordOfAuthorizationKey } from '../charger/credentials.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { CommandEffect } from './effects.ts';

/** OCPP 2.0.1 BasicAuthPassword and the 1.6 security whitepaper's AuthorizationKey: 16 to 40 characters. */
export const MIN_CHARGER_PASSWORD = 16;
export const MAX_CHARGER_PASSWORD = 40;

type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
// Names match in any case, as the charger matches them (1.6 keys are CiString) and as redaction does (log/redact.ts):
// a case the CSMS missed would set the charger's password without its hash, locking the charger out.
export const named = (value: unknown, name: string): boolean => typeof value === 'string' && value.toLowerCase() === name.toLowerCase();
const isPasswordVariable = (d: Json) => isObject(d.variable) && named(d.variable.name, 'BasicAuthPassword') && isObject(d.component) && named(d.component.name, 'SecurityCtrlr');

/**
 * The new password a command's payload sets, if it sets one: the password the charger will send in its Basic header
 * (a 1.6 AuthorizationKey of hex digits stands for it: `passwordOfAuthorizationKey`).
 */
export const passwordSetBy = (protocol: OcppProtocol, action: string, payload: unknown): string | undefined => {
  if (!isObject(payload)) return undefined;
  if (protocol === 'ocpp1.6' && action === 'ChangeConfiguration') {
    return named(payload.key, 'AuthorizationKey') && typeof payload.value === 'string' ? passwordOfAuthorizationKey(payload.value) : undefined;
  }
  if (protocol !== 'ocpp1.6' && action === 'SetVariables' && Array.isArray(payload.setVariableData)) {
    const data = (payload.setVariableData as unknown[]).filter(isObject).find(isPasswordVariable);
    return typeof data?.attributeValue === 'string' ? data.attributeValue : undefined;
  }
  return undefined;
};

/** Whether the charger's answer took the new password (RebootRequired: it did, effective after its reboot). */
const passwordTaken = (protocol: OcppProtocol, action: string, result: unknown): boolean => {
  const took = (status: unknown) => status === 'Accepted' || status === 'RebootRequired';
  if (!isObject(result)) return false;
  if (protocol === 'ocpp1.6') return action === 'ChangeConfiguration' && took(result.status);
  const item = Array.isArray(result.setVariableResult) ? (result.setVariableResult as unknown[]).filter(isObject).find(isPasswordVariable) : undefined;
  return took(item?.attributeStatus);
};

const keepNextPassword: CommandEffect = {
  async answered(deps: Ports, { command, result }) {
    if (!command.nextPasswordHash || !passwordTaken(command.protocol, command.action, result)) return;
    await deps.stores.chargers.setNextPasswordHash(command.chargerId, command.nextPasswordHash, deps.now());
    deps.log.info('charger accepted a new password; the current one works until it connects with it', { chargerId: command.chargerId, commandId: command.commandId });
  },
};

export const passwordEffects: Readonly<Record<string, CommandEffect>> = {
  ChangeConfiguration: keepNextPassword,
  SetVariables: keepNextPassword,
};
