import { describe, expect, it } from 'vitest';
import { parseOriginSecretEnv, parsePlatformEnv } from '#functions/_common/env.ts';

describe('the handler environment', () => {
  it('applies the documented defaults', () => {
    expect(parsePlatformEnv({ CSMS_TABLE: 'c', MESSAGE_LOG_TABLE: 'm' })).toEqual({
      CSMS_TABLE: 'c',
      MESSAGE_LOG_TABLE: 'm',
      AUTO_REGISTER: false,
      HEARTBEAT_INTERVAL_SECONDS: 300,
      MESSAGE_LOG_RETENTION_DAYS: 30,
    });
  });
  it('reads flags and numbers from their string form', () => {
    expect(parsePlatformEnv({ CSMS_TABLE: 'c', MESSAGE_LOG_TABLE: 'm', AUTO_REGISTER: 'true', HEARTBEAT_INTERVAL_SECONDS: '120' }))
      .toMatchObject({ AUTO_REGISTER: true, HEARTBEAT_INTERVAL_SECONDS: 120 });
  });
  it('fails naming every missing or malformed variable', () => {
    expect(() => parsePlatformEnv({ MESSAGE_LOG_TABLE: 'm', HEARTBEAT_INTERVAL_SECONDS: '600', AUTO_REGISTER: 'yes' })).toThrow(
      /CSMS_TABLE: .*; AUTO_REGISTER: .*; HEARTBEAT_INTERVAL_SECONDS: Too big/,
    );
    expect(() => parseOriginSecretEnv({ ORIGIN_VERIFY_SECRET: 'short' })).toThrow(/ORIGIN_VERIFY_SECRET: Too small/);
  });
});
