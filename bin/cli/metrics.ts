/**
 * `npm run cli -- metrics [--json]`: the running local runtime's metrics since it started, from the embedded-metric
 * lines its handlers printed (bin/local/metrics.ts): counters, the latest value of gauges, and latency percentiles.
 */
import { findRuntime, type RuntimeChoice, RuntimeLookupError } from '../local/runtime-file.ts';
import type { MetricsSnapshot, MetricSummary } from '../local/metrics.ts';
import { METRICS_SERVICE } from '#shared/metrics/catalog.ts';

export const metricsUsage = `  metrics [--json]                              the running runtime's metrics since it started (counts, latest values, latency p50/p90/p99)`;

/** `Action=Reset Protocol=ocpp1.6`: the dimensions that tell series apart (the service one is the same for all). */
const dimensionsText = (m: MetricSummary): string =>
  Object.entries(m.dimensions)
    .filter(([name, value]) => !(name === 'service' && value === METRICS_SERVICE))
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');

const round = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** One line per series: a timing's percentiles, a gauge's latest value, a counter's total. */
export const metricLine = (m: MetricSummary): string => {
  const what =
    m.unit === 'Milliseconds'
      ? `n=${m.count}  p50 ${round(m.p50)} ms  p90 ${round(m.p90)} ms  p99 ${round(m.p99)} ms  max ${round(m.max)} ms`
      : m.name === 'ConnectedChargers'
        ? `now ${round(m.last)}`
        : `${round(m.sum)}`;
  return `${m.name.padEnd(20)} ${dimensionsText(m).padEnd(44)} ${what}`;
};

export const formatMetrics = (snapshot: MetricsSnapshot): string =>
  snapshot.metrics.length === 0
    ? `no metrics since ${snapshot.since} yet: connect a charger (npm run simulate) or call the API`
    : [`since ${snapshot.since}`, ...snapshot.metrics.map(metricLine)].join('\n');

export const metricsCommand = async (choice: RuntimeChoice, json: boolean): Promise<string> => {
  const running = findRuntime(choice);
  if (!running) throw new RuntimeLookupError('no npm start is running: metrics are those of a running runtime');
  const url = running.endpoints.metrics;
  if (!url) throw new RuntimeLookupError(`the runtime of process ${running.pid} serves no metrics: restart npm start`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`the runtime's metrics page answered ${res.status}`);
  const snapshot = (await res.json()) as MetricsSnapshot;
  return json ? JSON.stringify(snapshot, null, 2) : formatMetrics(snapshot);
};
