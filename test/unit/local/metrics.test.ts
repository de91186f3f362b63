/**
 * The metrics path end to end in one process: the Metrics port on a real Powertools Metrics prints embedded-metric
 * lines that the local runtime's reader parses back into the catalog's names, units and dimensions; the collector
 * keeps totals, the latest value and percentiles; the CLI prints one line per series.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { metricsPort } from '#functions/_common/metrics.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/metrics/catalog.ts';
import { formatMetrics } from '../../../bin/cli/metrics.ts';
import { captureEmbeddedMetrics, MetricsCollector, parseEmfLine } from '../../../bin/local/metrics.ts';

const collected = (work: () => void): MetricsCollector => {
  const collector = new MetricsCollector();
  const restore = captureEmbeddedMetrics(collector);
  try {
    work();
  } finally {
    restore();
  }
  return collector;
};

describe('embedded metric lines', () => {
  it('the port prints what the reader parses back: name, unit, the service and the metric’s own dimensions', () => {
    const port = metricsPort(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE }));
    const snapshot = collected(() => {
      port.record('commandLatency', 120, { Action: 'Reset' });
      port.record('commandLatency', 80, { Action: 'Reset' });
      port.record('commandOutcomes', 1, { Action: 'Reset', Outcome: 'answered' });
      port.record('connectedChargers', 7, {});
      port.record('connectedChargers', 5, {});
    }).snapshot();
    expect(snapshot.metrics).toEqual([
      expect.objectContaining({ namespace: METRICS_NAMESPACE, name: 'CommandLatency', unit: 'Milliseconds', dimensions: { service: METRICS_SERVICE, Action: 'Reset' }, count: 2, sum: 200, min: 80, max: 120, p50: 80, p99: 120 }),
      expect.objectContaining({ name: 'CommandOutcomes', unit: 'Count', dimensions: { service: METRICS_SERVICE, Action: 'Reset', Outcome: 'answered' }, sum: 1 }),
      expect.objectContaining({ name: 'ConnectedChargers', dimensions: { service: METRICS_SERVICE }, last: 5 }),
    ]);
    const text = formatMetrics(snapshot);
    expect(text).toMatch(/CommandLatency\s+Action=Reset\s+n=2 {2}p50 80 ms {2}p90 120 ms {2}p99 120 ms {2}max 120 ms/);
    expect(text).toMatch(/ConnectedChargers\s+now 5/);
    expect(text).toMatch(/CommandOutcomes\s+Action=Reset Outcome=answered\s+1$/m);
  });

  it('reads only embedded-metric documents; other output passes through untouched', () => {
    expect(parseEmfLine('{"level":"INFO","message":"charger connected"}')).toEqual([]);
    expect(parseEmfLine('{"_aws": not json')).toEqual([]);
    expect(parseEmfLine('plain text')).toEqual([]);
    const written: string[] = [];
    const original = process.stdout.write;
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    try {
      collected(() => {
        process.stdout.write('a log line\n');
        process.stdout.write('{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["d"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"d":"x","M":1}\n');
      });
    } finally {
      process.stdout.write = original;
    }
    expect(written).toEqual(['a log line\n']);
  });
});
