/**
 * Event source mappings of `queue` and `stream` routes, and the S3 event notifications of `bucket` routes. The
 * mapping grants the function what it needs on the queue or stream (and on the failure destination), so those need
 * no `access` entry; S3 needs only the invoke permission the notification adds (the handler's own reads of the
 * objects are in its `access`).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import {
  DEFAULT_QUEUE_BATCH_SIZE,
  DEFAULT_STREAM_BATCH_SIZE,
  DEFAULT_STREAM_RETRY_ATTEMPTS,
} from '#functions/_routes/rules.ts';
import type { BucketRoute, QueueRoute, StreamRoute } from '#functions/routes.ts';

/** SQS → Lambda: batches of up to 10; with `reportBatchItemFailures` only the failed messages come back. */
export const addQueueSource = (fn: IFunction, route: QueueRoute, queue: IQueue): void => {
  fn.addEventSource(
    new SqsEventSource(queue, {
      batchSize: route.batchSize ?? DEFAULT_QUEUE_BATCH_SIZE,
      reportBatchItemFailures: route.reportBatchItemFailures,
    }),
  );
};

/** The new-image pattern of a stream route: one of its `types`, and each of its `withAttributes` present (as a string). */
const streamImageFilter = (route: StreamRoute) => ({
  type: { S: FilterRule.or(...route.types) },
  ...Object.fromEntries((route.withAttributes ?? []).map((name) => [name, { S: FilterRule.exists() }])),
});

/**
 * DynamoDB Streams → Lambda, only for items whose new image has one of the route's `type`s and its `withAttributes`
 * (other records are dropped by Lambda's filter, never delivered). From the oldest record, so nothing written between the table's
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
      filters: [FilterCriteria.filter({ dynamodb: { NewImage: streamImageFilter(route) } })],
    }),
  );
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'dynamodb:ListStreams, granted with the stream read, has no resource-level permission.',
  });
};

/** The construct id CDK gives the one function per stack that writes buckets' notification configurations. */
const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/**
 * S3 → Lambda: `s3:ObjectCreated:*` (put, post, copy, completed multipart upload) under each of the route's prefixes,
 * one notification configuration per prefix. S3 invokes the function asynchronously; Lambda retries a failed event
 * twice. The bucket and the function must be in one stack (a route function outside the nested REST stack is):
 * CDK's notification resource names the function, and the function's invoke permission names the bucket.
 */
export const addBucketSource = (fn: IFunction, route: BucketRoute, bucket: IBucket): void => {
  for (const prefix of route.prefixes) bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { prefix });
  const handler = Stack.of(bucket).node.tryFindChild(NOTIFICATIONS_HANDLER_ID);
  if (!handler) return;
  // CDK's own custom resource (a Lambda with an inline Python handler) that calls PutBucketNotificationConfiguration
  // on deploy; its role and runtime are CDK's, not ours.
  Validations.of(handler).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "CDK's BucketNotificationsHandler role: the managed policy only lets it write its own logs.",
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: "CDK's BucketNotificationsHandler grants s3:PutBucketNotification on *; it only runs on deploy, for this stack's buckets.",
    },
  );
};
