/**
 * The domain's Metrics port (shared/metrics/catalog.ts) on Powertools Metrics: each record is one CloudWatch embedded
 * metric format line on stdout, emitted at once (a single metric with its own dimensions), so no API call and nothing
 * lost when an invocation fails. The service dimension is the catalog's one value for every function.
 */
import type middy from '@middy/core';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE, type MetricsPort } from '#shared/metrics/catalog.ts';

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

const UNITS = { Count: MetricUnit.Count, Milliseconds: MetricUnit.Milliseconds } as const;

export const metricsPort = (m: Metrics): MetricsPort => ({
  record(metric, value, dimensions) {
    const def = METRICS[metric];
    const single = m.singleMetric();
    for (const name of def.dimensions) single.addDimension(name, (dimensions as Readonly<Record<string, string>>)[name] ?? 'Other');
    single.addMetric(def.name, UNITS[def.unit], value);
  },
});

/**
 * The ColdStart metric, once per container. Not Powertools' logMetrics middleware: it flushes stored metrics after
 * each invocation and warns when there are none, which here (every record is emitted at once) is every invocation.
 */
export const coldStartMetric = (m: Metrics): middy.MiddlewareObj<unknown, unknown, Error, Context> => ({
  before: (request) => m.captureColdStartMetric(request.context.functionName),
});
