/**
 * An answered ChangeAvailability (Accepted or Scheduled) keeps the operational state it asked for on the connector,
 * EVSE or charger it named (shared/charger/availability.ts); a rejected one changes nothing.
 */
import { availabilityChangeOf } from '../charger/availability.ts';
import { statusOf } from './answer.ts';
import type { CommandEffect } from './effects.ts';

export const availabilityEffects: Readonly<Record<string, CommandEffect>> = {
  ChangeAvailability: {
    async answered(deps, { command, result }) {
      const change = availabilityChangeOf({ ...command, answer: statusOf(result), answeredAt: command.completedAt ?? deps.now().toISOString() });
      if (!change) return;
      if ((await deps.stores.connectors.setAvailability(change)) === 'superseded') {
        deps.log.info('an availability answered later was kept', { chargerId: command.chargerId, commandId: command.commandId, evseId: change.evseId, connectorId: change.connectorId });
      }
    },
  },
};
