import { describe, expect, it } from 'vitest';
import { redactFrame } from '#shared/log/redact.ts';
import { energyRegisterWh } from '#shared/transaction/meter-values.ts';

describe('redactFrame', () => {
  it('masks a 1.6 AuthorizationKey set by ChangeConfiguration', () => {
    const { frame } = redactFrame(JSON.stringify([2, 'm1', 'ChangeConfiguration', { key: 'AuthorizationKey', value: 's3cret' }]));
    expect(frame).not.toContain('s3cret');
    expect(JSON.parse(frame)[3]).toEqual({ key: 'AuthorizationKey', value: '***' });
  });
  it('masks a 2.x BasicAuthPassword in SetVariables and leaves other variables alone', () => {
    const payload = {
      setVariableData: [
        { attributeValue: 'p4ssw0rd-p4ssw0rd', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { attributeValue: '300', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
      ],
    };
    const { frame } = redactFrame(JSON.stringify([2, 'm2', 'SetVariables', payload]));
    expect(frame).not.toContain('p4ssw0rd');
    expect(frame).toContain('"attributeValue":"300"');
  });
  it('masks password-like properties and VPN keys anywhere', () => {
    const profile = { connectionData: { apn: { apn: 'x', apnPassword: 'apnpw' }, vpn: { server: 's', user: 'u', password: 'vpw', key: 'vkey', type: 'IPSec' } } };
    const { frame } = redactFrame(JSON.stringify([2, 'm3', 'SetNetworkProfile', profile]));
    for (const secret of ['apnpw', 'vpw', 'vkey']) expect(frame).not.toContain(secret);
  });
  it('keeps text that is not JSON as it came', () => {
    expect(redactFrame('not json').frame).toBe('not json');
  });
});

describe('energyRegisterWh', () => {
  it('reads the total energy register, defaulting measurand and unit per OCPP', () => {
    expect(energyRegisterWh({ timestamp: 't', sampledValue: [{ value: '1234' }] })).toBe(1234);
  });
  it('converts kWh and 2.x multipliers to Wh', () => {
    expect(energyRegisterWh({ timestamp: 't', sampledValue: [{ value: '1.5', unit: 'kWh' }] })).toBe(1500);
    expect(
      energyRegisterWh({ timestamp: 't', sampledValue: [{ value: 12, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh', multiplier: 1 } }] }),
    ).toBe(120_000);
  });
  it('ignores per-phase values, other measurands and signed data', () => {
    expect(
      energyRegisterWh({
        timestamp: 't',
        sampledValue: [
          { value: '10', measurand: 'Power.Active.Import', unit: 'W' },
          { value: '5', phase: 'L1' },
          { value: 'AbCd', format: 'SignedData' },
        ],
      }),
    ).toBeUndefined();
  });
});
