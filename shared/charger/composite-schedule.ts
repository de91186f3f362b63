/**
 * The composite schedule a charger computed for one EVSE (1.6: connector; 0: the charger as a whole), as its
 * Accepted answer to GetCompositeSchedule gives it: the limits it will apply over time, all its charging profiles
 * combined. The latest one per EVSE is kept, with when it was answered and by which command, for smart charging to
 * compare with what it planned. Pure: derived here from the command and its validated answer.
 */
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { GetCompositeScheduleRequest as Request16, GetCompositeScheduleResponse as Response16 } from '../ocpp/generated/ocpp16.types.ts';
import type { GetCompositeScheduleResponse as Response2 } from '../ocpp/generated/ocpp21.types.ts';

/** One period, kept as the charger reported it: the fields every version has are named, 2.1's V2X ones are not. */
export interface SchedulePeriod {
  readonly startPeriod: number;
  readonly limit?: number;
  readonly numberPhases?: number;
}

export interface CompositeSchedule {
  /** The charger, as registered. */
  readonly chargerId: string;
  readonly protocol: OcppProtocol;
  /** 2.x evseId, 1.6 connectorId; 0: the charger as a whole. */
  readonly evseId: number;
  readonly scheduleStart?: string;
  /** Seconds the schedule covers. */
  readonly duration?: number;
  readonly chargingRateUnit: 'A' | 'W';
  readonly chargingSchedulePeriod: readonly SchedulePeriod[];
  /** 1.6 only: the lowest rate the EV supports. */
  readonly minChargingRate?: number;
  readonly commandId: string;
  /** When the charger's answer arrived. */
  readonly reportedAt: string;
}

type ScheduleFacts = Omit<CompositeSchedule, 'chargerId' | 'protocol' | 'commandId' | 'reportedAt'>;

const from16 = (request: unknown, result: unknown): ScheduleFacts | undefined => {
  const { status, connectorId, scheduleStart, chargingSchedule: s } = result as Response16;
  if (status !== 'Accepted' || !s) return undefined;
  const start = scheduleStart ?? s.startSchedule;
  return {
    // The answer may leave the connector out: it is the one asked about.
    evseId: connectorId ?? (request as Request16).connectorId,
    ...(start !== undefined ? { scheduleStart: start } : {}),
    ...(s.duration !== undefined ? { duration: s.duration } : {}),
    chargingRateUnit: s.chargingRateUnit,
    chargingSchedulePeriod: s.chargingSchedulePeriod,
    ...(s.minChargingRate !== undefined ? { minChargingRate: s.minChargingRate } : {}),
  };
};

/** 2.0.1 and 2.1 answer alike (2.1's periods have more fields). */
const from2 = (_request: unknown, result: unknown): ScheduleFacts | undefined => {
  const { status, schedule: s } = result as Response2;
  if (status !== 'Accepted' || !s) return undefined;
  return { evseId: s.evseId, scheduleStart: s.scheduleStart, duration: s.duration, chargingRateUnit: s.chargingRateUnit, chargingSchedulePeriod: s.chargingSchedulePeriod };
};

export interface AnsweredSchedule {
  readonly chargerId: string;
  readonly protocol: OcppProtocol;
  readonly commandId: string;
  readonly payload: unknown;
  readonly result: unknown;
  readonly reportedAt: string;
}

/** The schedule an answered GetCompositeSchedule gives; none when the charger rejected it or sent no schedule. */
export const compositeScheduleOf = (answered: AnsweredSchedule): CompositeSchedule | undefined => {
  const facts = (answered.protocol === 'ocpp1.6' ? from16 : from2)(answered.payload, answered.result);
  if (!facts) return undefined;
  const { chargerId, protocol, commandId, reportedAt } = answered;
  return { chargerId, protocol, ...facts, commandId, reportedAt };
};
