import { describe, expect, it } from 'vitest';
import {
  parseChargerSettings,
  parseManagementEndpointEnv,
  parseUserPoolEnv,
} from '#functions/_common/env.ts';
import { settingsVariables } from '#functions/_routes/environment.ts';

describe('the handler environment', () => {
  it('applies the documented defaults of the charger settings', () => {
    expect(parseChargerSettings({})).toEqual({
      AUTO_REGISTER: false,
      AUTO_REGISTER_ALLOW: '',
      AUTO_REGISTER_MAX_PENDING: 100,
      AUTO_REGISTER_PENDING_HOURS: 72,
      HEARTBEAT_INTERVAL_SECONDS: 300,
      MESSAGE_LOG_RETENTION_DAYS: 30,
      CHARGER_CLOCK_AHEAD_SECONDS: 300,
      CHARGER_CLOCK_BEHIND_DAYS: 365,
      MAX_SAMPLES_PER_MESSAGE: 500,
      MESSAGE_BUDGET_PER_MINUTE: 600,
      MESSAGE_BUDGET_BURST: 300,
      LIVE_TRANSACTION_WINDOW_MINUTES: 240,
    });
  });

  it('reads flags and numbers from their string form', () => {
    expect(parseChargerSettings({ AUTO_REGISTER: 'true', HEARTBEAT_INTERVAL_SECONDS: '120' })).toMatchObject({
      AUTO_REGISTER: true,
      HEARTBEAT_INTERVAL_SECONDS: 120,
    });
  });

  it('fails naming every malformed variable', () => {
    expect(() => parseChargerSettings({ HEARTBEAT_INTERVAL_SECONDS: '600', AUTO_REGISTER: 'yes' })).toThrow(
      /AUTO_REGISTER: .*; HEARTBEAT_INTERVAL_SECONDS: Too big/,
    );
    expect(() => parseManagementEndpointEnv({ WS_MANAGEMENT_ENDPOINT: 'not a url' })).toThrow(/WS_MANAGEMENT_ENDPOINT/);
  });

  it('needs the user pool id where a route names userPool access', () => {
    expect(parseUserPoolEnv({ USER_POOL_ID: 'eu-west-1_AbC123' })).toEqual({ USER_POOL_ID: 'eu-west-1_AbC123' });
    expect(() => parseUserPoolEnv({})).toThrow(/USER_POOL_ID/);
  });
});

describe('settings groups as the hosts set them', () => {
  it('returns every variable of the group as a string, defaults filled in', () => {
    expect(settingsVariables('chargers', { AUTO_REGISTER: 'true', HEARTBEAT_INTERVAL_SECONDS: undefined })).toEqual({
      AUTO_REGISTER: 'true',
      AUTO_REGISTER_ALLOW: '',
      AUTO_REGISTER_MAX_PENDING: '100',
      AUTO_REGISTER_PENDING_HOURS: '72',
      HEARTBEAT_INTERVAL_SECONDS: '300',
      MESSAGE_LOG_RETENTION_DAYS: '30',
      CHARGER_CLOCK_AHEAD_SECONDS: '300',
      CHARGER_CLOCK_BEHIND_DAYS: '365',
      MAX_SAMPLES_PER_MESSAGE: '500',
      MESSAGE_BUDGET_PER_MINUTE: '600',
      MESSAGE_BUDGET_BURST: '300',
      LIVE_TRANSACTION_WINDOW_MINUTES: '240',
    });
  });

  it('refuses a value the handlers would refuse, and a variable the group does not have', () => {
    expect(() => settingsVariables('chargers', { HEARTBEAT_INTERVAL_SECONDS: '5' })).toThrow(/HEARTBEAT_INTERVAL_SECONDS: Too small/);
    expect(() => settingsVariables('chargers', { CSMS_TABLE: 'x' })).toThrow(/no variable CSMS_TABLE/);
  });
});
