/**
 * The one middleware stack every handler (charger, REST, queue, stream, schedule) runs in: its X-Ray subsegment
 * (outermost, so it spans the rest), Powertools' Lambda context in each log line, and the ColdStart metric (the
 * domain's own metrics are emitted as they happen: functions/_common/metrics.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { coldStartMetric, metrics } from './metrics.ts';
import { logger } from './runtime.ts';
import { traceInvocation } from './tracer.ts';

export const withCsms = <Event, Result>(handle: (event: Event, context: Context) => Promise<Result>) =>
  middy(handle).use(traceInvocation()).use(injectLambdaContext(logger)).use(coldStartMetric(metrics));
