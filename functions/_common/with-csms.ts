/** The one middleware stack every charger-facing handler runs in: Powertools' Lambda context in each log line. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './runtime.ts';

export const withCsms = <Event, Result>(handle: (event: Event, context: Context) => Promise<Result>) =>
  middy(handle).use(injectLambdaContext(logger));
