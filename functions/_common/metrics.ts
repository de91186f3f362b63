/**
 * The domain's Metrics port (shared/metrics/catalog.ts) on Powertools Metrics: each record is one CloudWatch embedded
 * metric format line on stdout, emitted at once with its own dimensions, so no API call and nothing lost when an
 * invocation fails. The service dimension is the catalog's one value for every function.
 */
import type middy from '@middy/core';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE, type MetricsPort } from '#shared/metrics/catalog.ts';

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

const UNITS = { Count: MetricUnit.Count, Milliseconds: MetricUnit.Milliseconds } as const;

/**
 * Each record is added and published at once on the one instance (publishing clears its metrics and dimensions), all
 * synchronously: no other record can interleave. Not `singleMetric()`, which builds a new Metrics (environment read, a
 * new Console) per record, on the charger message path.
 */
export const metricsPort = (m: Metrics): MetricsPort => ({
  record(metric, value, dimensions) {
    const def = METRICS[metric];
    for (const name of def.dimensions) m.addDimension(name, (dimensions as Readonly<Record<string, string>>)[name] ?? 'Other');
    m.addMetric(def.name, UNITS[def.unit], value);
    m.publishStoredMetrics();
  },
});

/**
 * The ColdStart metric, once per container. Not Powertools' logMetrics middleware: it flushes stored metrics after
 * each invocation and warns when there are none, which here (every record is emitted at once) is every invocation.
 */
export const coldStartMetric = (m: Metrics): middy.MiddlewareObj<unknown, unknown, Error, Context> => ({
  before: (request) => m.captureColdStartMetric(request.context.functionName),
});
