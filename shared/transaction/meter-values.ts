/**
 * Meter values from every OCPP version, kept as the charger sent them (all measurands, phases, units,
 * contexts, signed values) plus one derived figure: the energy register in Wh, so billing never has to
 * guess units. Stored one item per sampled-at timestamp, keyed by its content (shared/store/meter-value-store.ts):
 * chargers replay transaction messages after a reconnect with new message ids, and the same reading must
 * still be stored once.
 */
import { isStorableNumber } from '../ocpp/bounds.ts';

export interface SampledValue {
  /** 1.6 sends a string (possibly signed data), 2.x a number. */
  value: string | number;
  context?: string;
  format?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  /** 1.6 unit. */
  unit?: string;
  /** 2.x unitOfMeasure. */
  unitOfMeasure?: { unit?: string; multiplier?: number };
  signedMeterValue?: unknown;
}

export interface MeterSample {
  timestamp: string;
  sampledValue: SampledValue[];
  /** What the charger sent as the time, when it was out of bounds and `timestamp` is the receive time. */
  chargerTimestamp?: string;
}

const ENERGY_REGISTER = 'Energy.Active.Import.Register';
/** Scale to Wh of the energy units OCPP allows. */
const TO_WH: Record<string, number> = { wh: 1, kwh: 1000 };

/**
 * The total (not per-phase) active import energy register in Wh, if the sample has one. OCPP 1.6 §7.31 and
 * 2.0.1 default the measurand to the energy register and the unit to Wh when they are absent.
 */
export const energyRegisterWh = (sample: MeterSample): number | undefined => {
  for (const sv of sample.sampledValue) {
    if ((sv.measurand ?? ENERGY_REGISTER) !== ENERGY_REGISTER || sv.phase) continue;
    if (sv.format === 'SignedData') continue;
    const unit = (sv.unitOfMeasure?.unit ?? sv.unit ?? 'Wh').toLowerCase();
    const scale = TO_WH[unit];
    const value = typeof sv.value === 'number' ? sv.value : Number(sv.value);
    if (scale === undefined || !Number.isFinite(value)) continue;
    const wh = value * scale * 10 ** (sv.unitOfMeasure?.multiplier ?? 0);
    // A 1.6 text, a unit or a multiplier can make a figure the store refuses ("1e30", 10^40): it is no reading.
    if (!isStorableNumber(wh)) continue;
    return wh;
  }
  return undefined;
};

export interface MeterValuesInput {
  chargerId: string;
  samples: MeterSample[];
  source: 'MeterValues' | 'StopTransaction' | 'TransactionEvent';
  transactionId?: string;
  evseId?: number;
  connectorId?: number;
}

export interface StoredMeterValue extends MeterSample {
  chargerId: string;
  transactionId?: string;
  evseId?: number;
  connectorId?: number;
  energyWh?: number;
  source: MeterValuesInput['source'];
}
