/**
 * The settings groups of functions/_common/env.ts, from the stage config. Checked against their schemas at synth,
 * so a value the handlers would refuse fails `cdk synth` instead of a cold start. Routes get a group's variables
 * only if their access declares it (`settings: ['chargers']`).
 */
import type { SettingsName } from '#functions/_common/env.ts';
import { settingsVariables } from '#functions/_routes/environment.ts';
import { historySettings } from '#functions/_routes/environment.ts';
import type { StageConfig } from './stage-config.ts';

export const settingsEnvironment = (config: StageConfig): Record<SettingsName, Record<string, string>> => ({
  chargers: settingsVariables('chargers', {
    AUTO_REGISTER: String(config.autoRegister),
    HEARTBEAT_INTERVAL_SECONDS: String(config.heartbeatIntervalSeconds),
    MESSAGE_LOG_RETENTION_DAYS: String(config.messageLogRetentionDays),
  }),
  history: historySettings(config.historyRetention ?? {}),
});
