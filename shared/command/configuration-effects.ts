/**
 * Answers that tell a charger's settings (1.6 GetConfiguration / ChangeConfiguration, 2.x GetVariables /
 * SetVariables) keep them as its configuration: what is kept is shared/charger/configuration.ts.
 */
import { CONFIGURATION_ACTIONS, settingsOf } from '../charger/configuration.ts';
import type { CommandEffect } from './effects.ts';

const keepSettings: CommandEffect = {
  async answered(deps, { command, result }) {
    const settings = settingsOf({ ...command, result, reportedAt: command.completedAt ?? deps.now().toISOString() });
    if (settings.length === 0) return;
    const { superseded } = await deps.stores.configuration.keep(settings);
    if (superseded > 0) deps.log.info('settings a later answer had set were left as they are', { chargerId: command.chargerId, commandId: command.commandId, superseded });
  },
};

export const configurationEffects: Readonly<Record<string, CommandEffect>> = Object.fromEntries(CONFIGURATION_ACTIONS.map((action) => [action, keepSettings]));
