/** An accepted GetCompositeSchedule keeps its schedule as its EVSE's latest (shared/charger/composite-schedule.ts). */
import { compositeScheduleOf } from '../charger/composite-schedule.ts';
import type { CommandEffect } from './effects.ts';

export const compositeScheduleEffects: Readonly<Record<string, CommandEffect>> = {
  GetCompositeSchedule: {
    async answered(deps, { command, result }) {
      const schedule = compositeScheduleOf({ ...command, result, reportedAt: command.completedAt ?? deps.now().toISOString() });
      if (!schedule) return;
      if ((await deps.stores.compositeSchedules.keep(schedule)) === 'superseded') {
        deps.log.info('a composite schedule answered later was kept', { chargerId: command.chargerId, commandId: command.commandId, evseId: schedule.evseId });
      }
    },
  },
};
