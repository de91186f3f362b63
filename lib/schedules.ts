/** `schedule` routes: one EventBridge rule each, invoking the route's function (UTC, EventBridge's expressions). */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ScheduleRoute } from '#functions/routes.ts';

export class Schedules extends Construct {
  /** Adds the rule of one route; construct id = route id. */
  add(route: ScheduleRoute, fn: IFunction): Rule {
    return new Rule(this, route.id, {
      description: `${route.id}: ${route.schedule}`,
      schedule: Schedule.expression(route.schedule),
      // EventBridge retries delivering a tick; Lambda retries a failed run twice (asynchronous invocation), and
      // the next tick comes anyway, so no dead-letter queue.
      targets: [new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });
  }
}
