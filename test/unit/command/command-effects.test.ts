/**
 * What command answers tell us, derived without I/O: settings from configuration answers (paired, masked), a
 * composite schedule from an accepted answer, the requestId a report request is given before it is checked, and the
 * connector, EVSE or charger a taken ChangeAvailability names.
 */
import { describe, expect, it } from 'vitest';
import { availabilityChangeOf } from '#shared/charger/availability.ts';
import { effectOf } from '#shared/command/effects.ts';
import { compositeScheduleOf } from '#shared/charger/composite-schedule.ts';
import { settingsOf } from '#shared/charger/configuration.ts';
import type { Ports } from '#shared/deps.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { requestIdEffects } from '#shared/command/request-id-effects.ts';

const answer = (protocol: OcppProtocol, action: string, payload: unknown, result: unknown) => ({
  chargerId: 'CP-1',
  protocol,
  commandId: 'cmd-1',
  action,
  payload,
  result,
  reportedAt: '2026-03-01T10:00:00.000Z',
});
const told = (protocol: OcppProtocol, action: string, payload: unknown, result: unknown) =>
  settingsOf(answer(protocol, action, payload, result)).map(({ chargerId: _c, protocol: _p, commandId: _id, reportedAt: _at, action: _a, ...fact }) => fact);

describe('settings from configuration answers', () => {
  it('keeps every key of a GetConfiguration answer, a password masked even without a value', () => {
    const result = {
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: '300' },
        { key: 'authorizationkey', readonly: false, value: 'the-key-itself' },
        { key: 'AuthorizationKey', readonly: false },
      ],
      unknownKey: ['Nope'],
    };
    expect(told('ocpp1.6', 'GetConfiguration', {}, result)).toEqual([
      { key: 'HeartbeatInterval', readonly: false, value: '300' },
      { key: 'authorizationkey', readonly: false, value: '***', secret: true },
      { key: 'AuthorizationKey', readonly: false, secret: true },
    ]);
  });

  it('keeps a ChangeConfiguration the charger took as writable, and none it refused or does not support', () => {
    const change = { key: 'HeartbeatInterval', value: '60' };
    expect(told('ocpp1.6', 'ChangeConfiguration', change, { status: 'Accepted' })).toEqual([{ ...change, readonly: false }]);
    expect(told('ocpp1.6', 'ChangeConfiguration', change, { status: 'RebootRequired' })).toEqual([{ ...change, readonly: false, rebootRequired: true }]);
    expect(told('ocpp1.6', 'ChangeConfiguration', change, { status: 'Rejected' })).toEqual([]);
    expect(told('ocpp1.6', 'ChangeConfiguration', change, { status: 'NotSupported' })).toEqual([]);
  });

  it('keeps only the keys a GetConfiguration named, in any case: others in its answer are the charger’s invention', () => {
    const result = { configurationKey: [{ key: 'heartbeatinterval', readonly: false, value: '300' }, { key: 'Invented', readonly: true, value: 'x' }] };
    expect(told('ocpp1.6', 'GetConfiguration', { key: ['HeartbeatInterval'] }, result)).toEqual([{ key: 'heartbeatinterval', readonly: false, value: '300' }]);
    // No keys named: the charger reports all it has.
    expect(told('ocpp1.6', 'GetConfiguration', { key: [] }, result)).toHaveLength(2);
  });

  it('keeps the accepted GetVariables results that were asked for, with their attribute type (Actual when left out), without customData', () => {
    const result = {
      getVariableResult: [
        { attributeStatus: 'Accepted', attributeValue: '1', component: { name: 'EVSE', evse: { id: 1, customData: { vendorId: 'x' } } }, variable: { name: 'Available', instance: 'a' } },
        { attributeStatus: 'Rejected', component: { name: 'EVSE' }, variable: { name: 'Power' } },
        { attributeStatus: 'Accepted', attributeType: 'Target', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: 'pw-of-the-charger' },
        // Not asked for: never stored.
        { attributeStatus: 'Accepted', attributeValue: '1', component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Available', instance: 'a' } },
        { attributeStatus: 'Accepted', attributeValue: 'x', component: { name: 'Invented' }, variable: { name: 'Thing' } },
      ],
    };
    const asked = {
      getVariableData: [
        { component: { name: 'evse', evse: { id: 1 } }, variable: { name: 'AVAILABLE', instance: 'a' } },
        { component: { name: 'EVSE' }, variable: { name: 'Power' } },
        { attributeType: 'Target', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
      ],
    };
    expect(told('ocpp2.0.1', 'GetVariables', asked, result)).toEqual([
      { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Available', instance: 'a' }, attributeType: 'Actual', value: '1' },
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeType: 'Target', value: '***', secret: true },
    ]);
  });

  it('pairs SetVariables results with what was sent by component, variable and attribute, in any order and case', () => {
    const sent = {
      setVariableData: [
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeValue: 'actual' },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeType: 'MaxSet', attributeValue: 'max' },
        { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Power' }, attributeValue: 'other' },
      ],
    };
    const result = {
      setVariableResult: [
        { attributeStatus: 'RebootRequired', attributeType: 'MaxSet', component: { name: 'evse', evse: { id: 1 } }, variable: { name: 'POWER' } },
        { attributeStatus: 'Accepted', attributeType: 'Actual', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } },
        { attributeStatus: 'Rejected', component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Power' } },
        // Nothing of ours: never stored.
        { attributeStatus: 'Accepted', component: { name: 'EVSE', evse: { id: 3 } }, variable: { name: 'Power' } },
      ],
    };
    expect(told('ocpp2.0.1', 'SetVariables', sent, result).map((s) => [s.value, s.rebootRequired])).toEqual([
      ['max', true],
      ['actual', undefined],
    ]);
  });

  it('tells nothing for another action', () => {
    expect(settingsOf(answer('ocpp1.6', 'Reset', { type: 'Soft' }, { status: 'Accepted' }))).toEqual([]);
  });
});

describe('composite schedules', () => {
  const periods = [{ startPeriod: 0, limit: 16 }];

  it('takes a 1.6 answer’s connector from the request when the answer leaves it out', () => {
    const result = { status: 'Accepted', chargingSchedule: { startSchedule: '2026-03-01T10:00:00Z', chargingRateUnit: 'A', chargingSchedulePeriod: periods, minChargingRate: 6 } };
    expect(compositeScheduleOf(answer('ocpp1.6', 'GetCompositeSchedule', { connectorId: 2, duration: 60 }, result))).toEqual({
      chargerId: 'CP-1',
      protocol: 'ocpp1.6',
      evseId: 2,
      scheduleStart: '2026-03-01T10:00:00Z',
      chargingRateUnit: 'A',
      chargingSchedulePeriod: periods,
      minChargingRate: 6,
      commandId: 'cmd-1',
      reportedAt: '2026-03-01T10:00:00.000Z',
    });
  });

  it('keeps nothing of a rejected answer or an accepted one without a schedule', () => {
    expect(compositeScheduleOf(answer('ocpp2.0.1', 'GetCompositeSchedule', { evseId: 1, duration: 60 }, { status: 'Rejected' }))).toBeUndefined();
    expect(compositeScheduleOf(answer('ocpp1.6', 'GetCompositeSchedule', { connectorId: 1, duration: 60 }, { status: 'Accepted' }))).toBeUndefined();
  });
});

describe('request ids of report requests', () => {
  const deps = {} as Ports; // prepare reads nothing
  const prepare = (action: string, protocol: OcppProtocol, payload: unknown) => requestIdEffects[action]!.prepare!(deps, { commandId: 'c-1', chargerId: 'CP-1', protocol, payload });

  it('gives a request without one a positive 31-bit requestId and keeps one the operator chose', async () => {
    const given = (await prepare('GetBaseReport', 'ocpp2.0.1', { reportBase: 'FullInventory' })) as { requestId: number };
    expect(given).toEqual({ reportBase: 'FullInventory', requestId: expect.any(Number) });
    expect(Number.isInteger(given.requestId) && given.requestId >= 1 && given.requestId < 2 ** 31).toBe(true);
    expect(await prepare('GetBaseReport', 'ocpp2.1', { requestId: 0, reportBase: 'FullInventory' })).toEqual({ requestId: 0, reportBase: 'FullInventory' });
  });

  it('leaves what has no requestId in that version, and what is not an object, for the schema check', async () => {
    expect(await prepare('UpdateFirmware', 'ocpp1.6', { location: 'https://fw', retrieveDate: '2026-03-01T10:00:00Z' })).toEqual({ location: 'https://fw', retrieveDate: '2026-03-01T10:00:00Z' });
    expect(await prepare('GetLog', 'ocpp2.0.1', ['not', 'an', 'object'])).toEqual(['not', 'an', 'object']);
  });

  it('covers the catalog’s requestId actions, not the ids operators manage (reservations, remote starts)', () => {
    expect(Object.keys(requestIdEffects).sort()).toEqual(
      expect.arrayContaining(['CustomerInformation', 'GetBaseReport', 'GetChargingProfiles', 'GetDisplayMessages', 'GetLog', 'GetMonitoringReport', 'GetReport', 'PublishFirmware', 'UpdateFirmware']),
    );
    expect(Object.keys(requestIdEffects)).not.toContain('ReserveNow');
    expect(Object.keys(requestIdEffects)).not.toContain('RequestStartTransaction');
  });
});

describe('availability from ChangeAvailability answers', () => {
  const change = (protocol: OcppProtocol, payload: unknown, answer: string | undefined) =>
    availabilityChangeOf({ chargerId: 'CP-1', protocol, commandId: 'cmd-1', payload, answer, answeredAt: '2026-03-01T10:00:00.000Z' });
  const where = (protocol: OcppProtocol, payload: unknown) => {
    const c = change(protocol, payload, 'Accepted');
    return c && [c.evseId, c.connectorId, c.ocppConnectorId, c.availability];
  };

  it('keeps what was asked, by which command and how the charger took it: now (Accepted) or after its transactions (Scheduled)', () => {
    expect(change('ocpp1.6', { connectorId: 2, type: 'Inoperative' }, 'Scheduled')).toEqual({
      chargerId: 'CP-1',
      evseId: 2,
      connectorId: 1,
      ocppConnectorId: 2,
      availability: 'Inoperative',
      availabilityAnswer: 'Scheduled',
      availabilityRequestedBy: 'cmd-1',
      availabilityAnsweredAt: '2026-03-01T10:00:00.000Z',
    });
    expect(change('ocpp2.0.1', { operationalStatus: 'Operative', evse: { id: 1, connectorId: 2 } }, 'Accepted')).toMatchObject({ availabilityAnswer: 'Accepted' });
  });

  it('names 1.6 connector 0 and a 2.x request without an EVSE (or EVSE 0) the charger, a 2.x EVSE alone its connector 0', () => {
    expect(where('ocpp1.6', { connectorId: 0, type: 'Inoperative' })).toEqual([0, 0, 0, 'Inoperative']);
    expect(where('ocpp1.6', { connectorId: 3, type: 'Operative' })).toEqual([3, 1, 3, 'Operative']);
    expect(where('ocpp2.0.1', { operationalStatus: 'Inoperative' })).toEqual([0, 0, undefined, 'Inoperative']);
    expect(where('ocpp2.1', { operationalStatus: 'Inoperative', evse: { id: 0 } })).toEqual([0, 0, undefined, 'Inoperative']);
    expect(where('ocpp2.1', { operationalStatus: 'Operative', evse: { id: 2 } })).toEqual([2, 0, undefined, 'Operative']);
    expect(where('ocpp2.0.1', { operationalStatus: 'Inoperative', evse: { id: 2, connectorId: 1 } })).toEqual([2, 1, undefined, 'Inoperative']);
  });

  it('keeps nothing of a rejected answer (nor of one without a status)', () => {
    expect(change('ocpp1.6', { connectorId: 1, type: 'Inoperative' }, 'Rejected')).toBeUndefined();
    expect(change('ocpp2.0.1', { operationalStatus: 'Inoperative' }, undefined)).toBeUndefined();
  });

  it('is an answered effect of ChangeAvailability, with nothing to prepare', () => {
    expect(effectOf('ChangeAvailability')?.answered).toBeTypeOf('function');
    expect(effectOf('ChangeAvailability')?.prepare).toBeUndefined();
  });
});
