import { describe, expect, it } from 'vitest';
import { makeDeps } from '#functions/_common/deps.ts';
import { silentLog } from '#shared/log/logger.ts';

describe('makeDeps', () => {
  it('builds for a function whose route names no table, and fails on use naming the missing variable', async () => {
    const deps = makeDeps({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' }, silentLog);
    await expect(deps.stores.chargers.get('CP-1')).rejects.toThrow(/CSMS_TABLE is not set/);
    await expect(deps.stores.messageLog.lastSeen('CP-1')).rejects.toThrow(/MESSAGE_LOG_TABLE is not set/);
  });

  it('refuses a retention outside 1 to 3650 days at once, naming the variable', () => {
    expect(() => makeDeps({ METER_VALUES_RETENTION_DAYS: '0' }, silentLog)).toThrow(/METER_VALUES_RETENTION_DAYS/);
  });
});
