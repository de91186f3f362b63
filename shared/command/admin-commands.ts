/**
 * Commands only an admin may send, because they set or redirect a charger's credentials (README, "Roles"). A password
 * an operator chose would let them connect as the charger. A network profile an operator chose could point the
 * charger at a host they run, where it presents its current password (OCPP 2.0.1 B09/B10), or (2.1) carry a new one.
 */
import { isObject, named, passwordSetBy } from './password-change.ts';

/** Actions that are an admin's whatever their payload, with what they do (for the 403). */
const ADMIN_ACTIONS: Readonly<Record<string, string>> = {
  SetNetworkProfile: 'Changing where and how a charger connects (SetNetworkProfile)',
};

/**
 * 2.x device-model variables that choose where and how the charger connects: a component, and one of its variables or
 * (absent) all of them. 2.1 keeps its network profiles as instances of `NetworkConfiguration`; in 2.0.1 and 2.1 the
 * priority list picks which profile the charger uses.
 */
const NETWORK_VARIABLES: readonly { readonly component: string; readonly variable?: string }[] = [
  { component: 'NetworkConfiguration' },
  { component: 'OCPPCommCtrlr', variable: 'NetworkConfigurationPriority' },
];

const setsNetworkVariable = (payload: unknown): boolean =>
  isObject(payload) &&
  Array.isArray(payload.setVariableData) &&
  (payload.setVariableData as unknown[]).filter(isObject).some((d) => {
    const component = isObject(d.component) ? d.component.name : undefined;
    const variable = isObject(d.variable) ? d.variable.name : undefined;
    return NETWORK_VARIABLES.some((n) => named(component, n.component) && (n.variable === undefined || named(variable, n.variable)));
  });

/**
 * What makes this command an admin's (to say so in the 403), or undefined for any other command. The charger's
 * protocol is read later, so a payload counts under either protocol's names.
 */
export const adminOnlyCommand = (action: string, payload: unknown): string | undefined => {
  if (passwordSetBy('ocpp1.6', action, payload) !== undefined || passwordSetBy('ocpp2.0.1', action, payload) !== undefined) {
    return "Setting a charger's password by command";
  }
  if (Object.hasOwn(ADMIN_ACTIONS, action)) return ADMIN_ACTIONS[action];
  if (action === 'SetVariables' && setsNetworkVariable(payload)) return "Setting where and how a charger connects (its network configuration)";
  return undefined;
};
