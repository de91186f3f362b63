/**
 * What the REST API answers of a charger's reported state (reported-state-api.ts): its settings and composite
 * schedules, as documented in OpenAPI.
 */
import * as z from 'zod';

const protocol = z.enum(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']);
const iso = z.iso.datetime();

export const ChargerSettingSchema = z.object({
  chargerId: z.string(),
  protocol,
  /** 1.6: the configuration key. */
  key: z.string().optional(),
  /** 2.x: the component, variable and attribute. */
  component: z.object({ name: z.string(), instance: z.string().optional(), evse: z.object({ id: z.number().int(), connectorId: z.number().int().optional() }).optional() }).optional(),
  variable: z.object({ name: z.string(), instance: z.string().optional() }).optional(),
  attributeType: z.enum(['Actual', 'Target', 'MinSet', 'MaxSet']).optional(),
  /** `***` where `secret` is true: a charger password is never stored. */
  value: z.string().optional(),
  secret: z.literal(true).optional(),
  readonly: z.boolean().optional(),
  rebootRequired: z.literal(true).optional(),
  commandId: z.string(),
  action: z.string(),
  reportedAt: iso,
});

export const CompositeScheduleSchema = z.object({
  chargerId: z.string(),
  protocol,
  /** 2.x evseId, 1.6 connectorId; 0: the charger as a whole. */
  evseId: z.number().int(),
  scheduleStart: z.string().optional(),
  duration: z.number().int().optional(),
  chargingRateUnit: z.enum(['A', 'W']),
  chargingSchedulePeriod: z.array(z.looseObject({ startPeriod: z.number().int(), limit: z.number().optional(), numberPhases: z.number().int().optional() })),
  minChargingRate: z.number().optional(),
  commandId: z.string(),
  reportedAt: iso,
});
