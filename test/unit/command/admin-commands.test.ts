import { describe, expect, it } from 'vitest';
import { adminOnlyCommand } from '#shared/command/admin-commands.ts';

const variable = (component: string, name: string, attributeValue = 'x') => ({ setVariableData: [{ component: { name: component }, variable: { name }, attributeValue }] });

describe('adminOnlyCommand', () => {
  it.each([
    ['ChangeConfiguration', { key: 'AuthorizationKey', value: 'an-operator-chosen-pw-1' }, /password/],
    ['SetVariables', variable('SecurityCtrlr', 'BasicAuthPassword', 'an-operator-chosen-pw-1'), /password/],
    ['SetNetworkProfile', { configurationSlot: 1, connectionData: {} }, /SetNetworkProfile/],
    // Any payload: the schema is checked after the role.
    ['SetNetworkProfile', undefined, /SetNetworkProfile/],
    ['SetVariables', variable('OCPPCommCtrlr', 'NetworkConfigurationPriority', '2,1'), /network configuration/],
    ['SetVariables', variable('ocppcommctrlr', 'networkconfigurationpriority', '2,1'), /network configuration/],
    ['SetVariables', variable('NetworkConfiguration', 'OcppCsmsUrl', 'wss://elsewhere.example/ocpp'), /network configuration/],
    ['SetVariables', { setVariableData: [variable('OCPPCommCtrlr', 'HeartbeatInterval').setVariableData[0], variable('NetworkConfiguration', 'Identity').setVariableData[0]] }, /network configuration/],
  ])('%s %j is an admin\'s', (action, payload, reason) => {
    expect(adminOnlyCommand(action, payload)).toMatch(reason);
  });

  it.each([
    ['SetVariables', variable('OCPPCommCtrlr', 'HeartbeatInterval', '300')],
    ['SetVariables', variable('OCPPCommCtrlr', 'NetworkProfileConnectionAttempts', '3')],
    ['ChangeConfiguration', { key: 'HeartbeatInterval', value: '300' }],
    ['GetVariables', { getVariableData: [{ component: { name: 'NetworkConfiguration' }, variable: { name: 'OcppCsmsUrl' } }] }],
    ['Reset', { type: 'Immediate' }],
    ['toString', {}],
  ])('%s %j is not', (action, payload) => {
    expect(adminOnlyCommand(action, payload)).toBeUndefined();
  });
});
