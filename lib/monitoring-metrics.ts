/**
 * The metrics the dashboard and the alarms read, named in one place: the CSMS's own (shared/metrics/catalog.ts, with
 * the `service` dimension every one of them has) and the AWS ones of the stack's functions.
 */
import { Duration, Fn, Stack } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE, type MetricKey } from '#shared/metrics/catalog.ts';

/** One minute: the functions emit per invocation and the charger count every minute. */
export const FINE_PERIOD = Duration.minutes(1);

/** A catalog metric without dimensions of its own (only `service`), e.g. ConnectedChargers. */
export const csmsMetric = (key: MetricKey, options: MetricOptions = {}): Metric =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: METRICS[key].name,
    dimensionsMap: { service: METRICS_SERVICE },
    period: FINE_PERIOD,
    ...options,
  });

/**
 * Every series of a catalog metric, one per value of its dimensions: a SEARCH over exactly its dimension set
 * (`service` first, then the catalog's), so new actions, codes and reasons appear without a deploy. `filter` narrows
 * it, e.g. `{ Outcome: 'timedOut' }`. Dashboards only: alarms cannot use SEARCH.
 */
export const csmsSearch = (
  key: MetricKey,
  opts: { readonly statistic: string; readonly filter?: Readonly<Record<string, string>>; readonly perSecond?: boolean },
): MathExpression => {
  const def = METRICS[key];
  const schema = [METRICS_NAMESPACE, 'service', ...def.dimensions].join(',');
  const terms = [`MetricName="${def.name}"`, `service="${METRICS_SERVICE}"`, ...Object.entries(opts.filter ?? {}).map(([k, v]) => `${k}="${v}"`)];
  const search = `SEARCH('{${schema}} ${terms.join(' ')}', '${opts.statistic}', ${FINE_PERIOD.toSeconds()})`;
  // The SEARCH fixes its period, so a per-second rate is the sum over it divided by its length.
  return new MathExpression({
    expression: opts.perSecond ? `${search} / ${FINE_PERIOD.toSeconds()}` : search,
    // A dynamic label: each series is named by its own dimension values (`BootNotification ocpp2.0.1`).
    label: def.dimensions.map((d) => `\${PROP('Dim.${d}')}`).join(' '),
    period: FINE_PERIOD,
  });
};

/**
 * The function's name for metric dimensions. Outside the dashboard's stack (the REST routes' functions live in a
 * nested stack) it is cut out of the ARN, which the parent already receives as a nested-stack output: `functionName`
 * there would add one more output per function.
 */
const functionNameFor = (scope: Construct, fn: IFunction): string =>
  Stack.of(fn) === Stack.of(scope) ? fn.functionName : Fn.select(6, Fn.split(':', fn.functionArn));

/** The Lambda metrics of a function, from the function's own helpers, named so the dashboard's stack can read them. */
export const lambdaMetrics = (scope: Construct, label: string, fn: IFunction) => {
  const named = (metric: Metric): Metric => metric.with({ dimensionsMap: { FunctionName: functionNameFor(scope, fn) }, label, period: FINE_PERIOD });
  return {
    errors: named(fn.metricErrors({ statistic: 'Sum' })),
    throttles: named(fn.metricThrottles({ statistic: 'Sum' })),
    durationP99: named(fn.metricDuration({ statistic: 'p99' })),
    concurrency: named(fn.metric('ConcurrentExecutions', { statistic: 'Maximum' })),
  };
};
