/**
 * Creates the queues of shared/store/queues.ts (each with its dead-letter queue and redrive policy) and the buckets
 * of shared/store/buckets.ts in fauxqs, idempotently: the same definitions the CDK stack deploys. Queues go through
 * the SQS API, as on AWS; fauxqs applies the redrive policy itself (moves a message to the DLQ on the receive
 * after `maxReceiveCount`).
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { BucketDef } from '#shared/store/buckets.ts';
import type { QueueDef } from '#shared/store/queues.ts';

export interface LocalQueue {
  readonly def: QueueDef;
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
}

/** Local queue names: the logical name, `.fifo` for FIFO queues, as SQS requires. */
export const localQueueName = (def: QueueDef, suffix = ''): string => `${def.name}${suffix}${def.fifo ? '.fifo' : ''}`;

/** Local bucket names: S3 names are lower case. */
export const localBucketName = (def: BucketDef): string => def.name.toLowerCase();

const DEAD_LETTER_RETENTION_SECONDS = String(14 * 24 * 3600);

const createOrUpdate = async (sqs: SQSClient, QueueName: string, Attributes: Record<string, string>): Promise<string> => {
  try {
    return (await sqs.send(new CreateQueueCommand({ QueueName, Attributes }))).QueueUrl ?? '';
  } catch (e) {
    // Kept in the data directory from a run with other settings: bring it in line with the registry.
    if (!(e instanceof QueueNameExists)) throw e;
    const url = (await sqs.send(new CreateQueueCommand({ QueueName }))).QueueUrl ?? '';
    const { FifoQueue: _fixed, ...changeable } = Attributes;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changeable }));
    return url;
  }
};

const arnOf = async (sqs: SQSClient, url: string): Promise<string> =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';

const ensureQueue = async (sqs: SQSClient, def: QueueDef): Promise<LocalQueue> => {
  const fifo: Record<string, string> = def.fifo ? { FifoQueue: 'true' } : {};
  const deadLetterUrl = await createOrUpdate(sqs, localQueueName(def, '-dead-letters'), {
    ...fifo,
    MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
  });
  const url = await createOrUpdate(sqs, localQueueName(def), {
    ...fifo,
    ...(def.fifo ? { ContentBasedDeduplication: String(def.contentBasedDeduplication ?? false) } : {}),
    VisibilityTimeout: String(def.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(sqs, deadLetterUrl), maxReceiveCount: def.maxReceiveCount }),
  });
  return { def, url, arn: await arnOf(sqs, url), deadLetterUrl };
};

/** Creates every queue (and its DLQ); returns them by logical name. */
export const ensureQueues = async (sqs: SQSClient, defs: readonly QueueDef[]): Promise<Record<string, LocalQueue>> =>
  Object.fromEntries(await Promise.all(defs.map(async (d) => [d.name, await ensureQueue(sqs, d)] as const)));

/** Creates every bucket in fauxqs (a no-op for one that exists); returns local names by logical name. */
export const ensureBuckets = (s3: { createBucket(name: string): unknown }, defs: readonly BucketDef[]): Record<string, string> =>
  Object.fromEntries(
    defs.map((d) => {
      s3.createBucket(localBucketName(d));
      return [d.name, localBucketName(d)];
    }),
  );
