/**
 * The one middleware stack every non-HTTP handler runs in: Powertools' Lambda context in each log line, and the
 * ColdStart metric (the domain's own metrics are emitted as they happen: functions/_common/metrics.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { coldStartMetric, metrics } from './metrics.ts';
import { logger } from './runtime.ts';

export const withCsms = <Event, Result>(handle: (event: Event, context: Context) => Promise<Result>) =>
  middy(handle).use(injectLambdaContext(logger)).use(coldStartMetric(metrics));
