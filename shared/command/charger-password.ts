/**
 * `POST /chargers/{id}/password` as a charger in service needs it: the new password goes to the charger by command
 * (password-change.ts), and the old one keeps working until the charger connects with the new one, so a rotation never
 * locks a working charger out. A charger that never spoke OCPP cannot be sent anything; its password is replaced at
 * once, as is any charger's when the caller revokes the old password (a leaked one must stop working now).
 */
import { failure, success, type Outcome } from '../api/outcome.ts';
import { authorizationKeyOf, generateChargerPassword } from '../charger/credentials.ts';
import { rotatePassword, type ConnectionCloser, type CredentialPorts } from '../charger/registry.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { Command } from './command.ts';
import { commandTarget, submitCommandTo } from './commands.ts';
import type { CommandQueue } from './ports.ts';

/**
 * The payload that sets the Basic auth password in the charger's OCPP version: 1.6 AuthorizationKey holds it as hex
 * digits (security whitepaper; the charger sends the password they stand for), 2.x BasicAuthPassword as it is.
 */
export const passwordPayload = (protocol: OcppProtocol, password: string): Record<string, unknown> =>
  protocol === 'ocpp1.6'
    ? { key: 'AuthorizationKey', value: authorizationKeyOf(password) }
    : { setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: password }] };

export type PasswordChange =
  /** Sent to the charger (held until it is back if it is offline); the old password works until it uses this one. */
  | { readonly by: 'command'; readonly password: string; readonly command: Command }
  /** Replaced in the store: the old password is void and the live connection, if any, closed. */
  | { readonly by: 'replacement'; readonly password: string; readonly closedConnectionId?: string };

export interface ChangePasswordRequest {
  readonly chargerId: string;
  readonly requestedBy: string;
  /** Void the old password now instead of asking the charger to take a new one. */
  readonly revoke?: boolean;
}

export const changeChargerPassword = async (
  deps: CredentialPorts & { queue: CommandQueue; closer?: ConnectionCloser },
  request: ChangePasswordRequest,
): Promise<Outcome<PasswordChange>> => {
  const target = request.revoke ? undefined : await commandTarget(deps, request.chargerId);
  if (target?.ok) {
    const password = generateChargerPassword();
    const { protocol } = target.value;
    const command = await submitCommandTo(deps, target.value, {
      action: protocol === 'ocpp1.6' ? 'ChangeConfiguration' : 'SetVariables',
      payload: passwordPayload(protocol, password),
      whenOffline: 'hold',
      passwordOrigin: 'generated',
      requestedBy: request.requestedBy,
    });
    return command.ok ? success({ by: 'command', password, command: command.value }) : command;
  }
  if (target?.reason === 'not-found') return target;
  const rotated = await rotatePassword(deps, request.chargerId, deps.closer);
  if (!rotated) return failure('not-found', `No charger ${request.chargerId}`);
  return success({ by: 'replacement', ...rotated });
};
