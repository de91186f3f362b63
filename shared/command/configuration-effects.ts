/**
 * Answers that tell a charger's settings (1.6 GetConfiguration / ChangeConfiguration, 2.x GetVariables /
 * SetVariables) keep them as its configuration: what is kept is shared/charger/configuration.ts.
 */
import { CONFIGURATION_ACTIONS, settingsOf } from '../charger/configuration.ts';
import type { CommandEffect } from './effects.ts';

/**
 * Settings one answer may write: far above any charger's configuration (a 1.6 GetConfiguration of every key answers
 * some tens to hundreds), while a frame of 128 KB could name thousands, each a write and an item kept.
 */
export const MAX_SETTINGS_PER_ANSWER = 1000;

const keepSettings: CommandEffect = {
  async answered(deps, { command, result }) {
    const told = settingsOf({ ...command, result, reportedAt: command.completedAt ?? deps.now().toISOString() });
    if (told.length > MAX_SETTINGS_PER_ANSWER) {
      deps.log.warn('answer tells more settings than are kept of one answer: the rest are left out', { chargerId: command.chargerId, commandId: command.commandId, told: told.length, kept: MAX_SETTINGS_PER_ANSWER });
    }
    const settings = told.slice(0, MAX_SETTINGS_PER_ANSWER);
    if (settings.length === 0) return;
    const { superseded } = await deps.stores.configuration.keep(settings);
    if (superseded > 0) deps.log.info('settings a later answer had set were left as they are', { chargerId: command.chargerId, commandId: command.commandId, superseded });
  },
};

export const configurationEffects: Readonly<Record<string, CommandEffect>> = Object.fromEntries(CONFIGURATION_ACTIONS.map((action) => [action, keepSettings]));
