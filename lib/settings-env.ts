/**
 * The settings groups of functions/_common/env.ts, from the stage config. Checked against their schemas at synth,
 * so a value the handlers would refuse fails `cdk synth` instead of a cold start. Routes get a group's variables
 * only if their access declares it (`settings: ['chargers']`).
 */
import type { SettingsName } from '#functions/_common/env.ts';
import { settingsVariables } from '#functions/_routes/environment.ts';
import { historySettings } from '#functions/_routes/environment.ts';
import type { StageConfig } from './stage-config.ts';

/** Variables the stage config sets through their own fields; `chargerSettings` may not name them too. */
const OWN_FIELDS = { AUTO_REGISTER: 'autoRegister', HEARTBEAT_INTERVAL_SECONDS: 'heartbeatIntervalSeconds', MESSAGE_LOG_RETENTION_DAYS: 'messageLogRetentionDays' };

export const settingsEnvironment = (config: StageConfig): Record<SettingsName, Record<string, string>> => ({
  chargers: settingsVariables('chargers', {
    ...chargerSettings(config),
    AUTO_REGISTER: String(config.autoRegister),
    HEARTBEAT_INTERVAL_SECONDS: String(config.heartbeatIntervalSeconds),
    MESSAGE_LOG_RETENTION_DAYS: String(config.messageLogRetentionDays),
  }),
  history: historySettings(config.historyRetention ?? {}),
  files: settingsVariables('files', { FILE_UPLOAD_MAX_BYTES: String(config.fileUploadMaxBytes) }),
});

const chargerSettings = (config: StageConfig): Readonly<Record<string, string>> => {
  const twice = Object.entries(OWN_FIELDS).filter(([name]) => name in config.chargerSettings);
  if (twice.length > 0) {
    throw new Error(`chargerSettings may not set ${twice.map(([name, field]) => `${name} (the stage config's ${field})`).join(', ')}`);
  }
  return config.chargerSettings;
};
