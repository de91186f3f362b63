/**
 * Meter values from every OCPP version, kept as the charger sent them (all measurands, phases, units,
 * contexts, signed values) plus one derived figure: the energy register in Wh, so billing never has to
 * guess units. One item per sampled-at timestamp, keyed by its content: chargers replay transaction
 * messages after a reconnect with new message ids, and the same reading must still be stored once.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../store/queries.ts';
import type { StoreDeps } from '../deps.ts';
import { contentKey, meterPk, transactionMetersPk, withoutKeys } from '../store/keys.ts';

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
    return value * scale * 10 ** (sv.unitOfMeasure?.multiplier ?? 0);
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

const BATCH = 25;

/**
 * The same reading is the same item, however often and in whichever message it arrives (a transaction's
 * readings may come in MeterValues and again in StopTransaction's transactionData).
 */
const readingId = (input: MeterValuesInput, sample: MeterSample): string =>
  contentKey(
    input.transactionId !== undefined
      ? ['tx', input.transactionId, sample.sampledValue]
      : [input.evseId, input.connectorId, sample.sampledValue],
  );

export const storeMeterValues = async (deps: StoreDeps, input: MeterValuesInput): Promise<void> => {
  const readings = input.samples.map((sample) => {
    const energyWh = energyRegisterWh(sample);
    const sk = `${sample.timestamp}#${readingId(input, sample)}`;
    return {
      pk: meterPk(input.chargerId),
      sk,
      type: 'MeterValue',
      chargerId: input.chargerId,
      source: input.source,
      timestamp: sample.timestamp,
      sampledValue: sample.sampledValue,
      ...(energyWh !== undefined ? { energyWh } : {}),
      ...(input.evseId !== undefined ? { evseId: input.evseId } : {}),
      ...(input.connectorId !== undefined ? { connectorId: input.connectorId } : {}),
      ...(input.transactionId !== undefined
        ? {
            transactionId: input.transactionId,
            gsi1pk: transactionMetersPk(input.chargerId, input.transactionId),
            gsi1sk: `METER#${sk}`,
          }
        : {}),
    };
  });
  // A message may repeat a reading; one batch must not name the same key twice.
  const items = [...new Map(readings.map((r) => [r.sk, r])).values()];
  for (let i = 0; i < items.length; i += BATCH) {
    let pending: Record<string, unknown>[] | undefined = items.slice(i, i + BATCH).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      if (attempt > 8) throw new Error(`meter values of ${input.chargerId} not written after ${attempt} attempts`);
      const out = await deps.db.send(new BatchWriteCommand({ RequestItems: { [deps.tables.csms]: pending as never } }));
      pending = out.UnprocessedItems?.[deps.tables.csms] as Record<string, unknown>[] | undefined;
    }
  }
};

const asMeterValues = (items: Record<string, unknown>[]) => items.map((i) => withoutKeys<StoredMeterValue>(i));

export const listTransactionMeterValues = async (deps: StoreDeps, chargerId: string, transactionId: string) =>
  asMeterValues(
    await queryAll(deps, { index: 'gsi1', pk: transactionMetersPk(chargerId, transactionId), beginsWith: 'METER#' }),
  );

export const listChargerMeterValues = async (deps: StoreDeps, chargerId: string, from: string, to: string) =>
  asMeterValues(
    await queryAll(deps, { pk: meterPk(chargerId), between: [from, `${to}~`] }),
  );
