/**
 * Event source mappings of `queue` and `stream` routes. The mapping grants the function what it needs on the
 * queue or stream (and on the failure destination), so those need no `access` entry.
 */
import { Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  DEFAULT_QUEUE_BATCH_SIZE,
  DEFAULT_STREAM_BATCH_SIZE,
  DEFAULT_STREAM_RETRY_ATTEMPTS,
} from '#functions/_routes/rules.ts';
import type { QueueRoute, StreamRoute } from '#functions/routes.ts';

/** SQS → Lambda: batches of up to 10; with `reportBatchItemFailures` only the failed messages come back. */
export const addQueueSource = (fn: IFunction, route: QueueRoute, queue: IQueue): void => {
  fn.addEventSource(
    new SqsEventSource(queue, {
      batchSize: route.batchSize ?? DEFAULT_QUEUE_BATCH_SIZE,
      reportBatchItemFailures: route.reportBatchItemFailures,
    }),
  );
};

/**
 * DynamoDB Streams → Lambda, only for items whose new image has one of the route's `type`s (other records are
 * dropped by Lambda's filter, never delivered). From the oldest record, so nothing written between the table's
 * and the mapping's creation is missed. A batch that still fails after the retries is described on `onFailure`.
 * Not bisected: the local runtime runs the same semantics, and a handler that can tell a bad record should not throw.
 */
export const addStreamSource = (fn: IFunction, route: StreamRoute, table: ITable, onFailure: IQueue): void => {
  fn.addEventSource(
    new DynamoEventSource(table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: route.batchSize ?? DEFAULT_STREAM_BATCH_SIZE,
      retryAttempts: route.retryAttempts ?? DEFAULT_STREAM_RETRY_ATTEMPTS,
      bisectBatchOnError: false,
      onFailure: new SqsDlq(onFailure),
      filters: [FilterCriteria.filter({ dynamodb: { NewImage: { type: { S: FilterRule.or(...route.types) } } } })],
    }),
  );
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'dynamodb:ListStreams, granted with the stream read, has no resource-level permission.',
  });
};
