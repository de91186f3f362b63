/**
 * The cap on meter samples per message: each sample is one stored item, so without it one 128 KB MeterValues
 * (some 1,800 samples) costs 1,800 writes. A MeterValues over the cap is refused (OccurrenceConstraintViolation:
 * the message carries more of an element than we accept); the charger's data is not silently cut. A message that
 * ends or updates a transaction is never refused for its samples, since a refused StopTransaction would leave the
 * transaction open: it keeps its newest samples (the end reading is among the last) and the rest are logged as
 * dropped.
 */
import { fault, type Fault } from '../ocpp/faults.ts';

type OverCap = 'refuse' | 'keepNewest';

/** Where each action carries its samples (1.6 and 2.x action names do not overlap here). */
const SAMPLE_FIELDS: Readonly<Record<string, { field: string; over: OverCap }>> = {
  MeterValues: { field: 'meterValue', over: 'refuse' },
  StopTransaction: { field: 'transactionData', over: 'keepNewest' },
  TransactionEvent: { field: 'meterValue', over: 'keepNewest' },
};

export type CapOutcome =
  | { ok: true; payload: unknown; dropped?: number }
  | { ok: false; fault: Fault };

/** Applies the cap to a validated payload of `action`; the payload is copied, never changed. */
export const capSamples = (action: string, payload: unknown, maxSamples: number): CapOutcome => {
  const spec = Object.hasOwn(SAMPLE_FIELDS, action) ? SAMPLE_FIELDS[action] : undefined;
  const samples = spec && (payload as Record<string, unknown>)[spec.field];
  if (!spec || !Array.isArray(samples) || samples.length <= maxSamples) return { ok: true, payload };
  if (spec.over === 'refuse') {
    return { ok: false, fault: fault('OccurrenceConstraintViolation', `${spec.field} has ${samples.length} samples; at most ${maxSamples} per message`) };
  }
  const kept = samples.slice(-maxSamples);
  return { ok: true, payload: { ...(payload as object), [spec.field]: kept }, dropped: samples.length - kept.length };
};
