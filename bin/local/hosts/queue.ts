/**
 * Host of `queue` routes: a poller per route on fauxqs with Lambda's SQS event source semantics.
 * - Long polls up to `batchSize` messages (with all attributes) and invokes the handler with the batch.
 * - Success deletes the batch. A thrown error or timeout deletes nothing: the messages reappear after the queue's
 *   visibility timeout, and once received `maxReceiveCount` times fauxqs moves them to the dead-letter queue.
 * - With `reportBatchItemFailures`, only the messages named in `batchItemFailures` stay; a malformed answer
 *   (an unknown or empty id) fails the whole batch, as on AWS.
 * - FIFO: fauxqs hands out one message per group at a time and keeps the group locked while it is in flight, so
 *   order holds per group.
 * One batch at a time per route (Lambda runs several concurrently); Ctrl-C lets the batch in flight finish.
 */
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { isQueueRoute, type QueueRoute, type RouteDef } from '#functions/routes.ts';
import { DEFAULT_QUEUE_BATCH_SIZE } from '#functions/_routes/rules.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { sqsEvent } from '../events/index.ts';
import { LOCAL_AWS_ENV } from '../handler-env.ts';
import type { LambdaFunction } from '../lambda.ts';
import type { LocalQueue } from '../queues.ts';
import { functionOf, type HostOptions, type Logger, type RouteHost, sleep } from './host.ts';

// SQS's longest long poll; stop() aborts it.
const WAIT_SECONDS = 20;

/** The messages to delete, or 'none' when the whole batch failed (they all come back). */
const succeeded = (route: QueueRoute, result: unknown, batch: readonly Message[]): readonly Message[] | 'none' => {
  if (!route.reportBatchItemFailures) return batch;
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return batch;
  if (!Array.isArray(failures)) return 'none';
  const ids = failures.map((f: { itemIdentifier?: unknown } | null) => f?.itemIdentifier);
  if (ids.some((id) => typeof id !== 'string' || !batch.some((m) => m.MessageId === id))) return 'none';
  return batch.filter((m) => !ids.includes(m.MessageId));
};

interface Poller {
  stop(): Promise<void>;
}

const poll = (route: QueueRoute, fn: LambdaFunction, queue: LocalQueue, sqs: SQSClient, logger: Logger): Poller => {
  const abort = new AbortController();
  const deliver = async (batch: Message[]) => {
    const out = await fn.invoke(sqsEvent(batch, queue.arn));
    if (!out.ok) logger.error(`[${route.id}] batch of ${batch.length} failed; it returns after the visibility timeout`, out.error);
    const done = out.ok ? succeeded(route, out.result, batch) : 'none';
    if (done === 'none' || done.length === 0) return;
    const Entries = done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' }));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries }));
  };
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: route.batchSize ?? DEFAULT_QUEUE_BATCH_SIZE,
            WaitTimeSeconds: WAIT_SECONDS,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        if (received.Messages?.length) await deliver(received.Messages);
      } catch (e) {
        if (abort.signal.aborted) break;
        logger.error(`[${route.id}] polling ${queue.def.name} failed`, e);
        await sleep(1_000, abort.signal);
      }
    }
  })();
  return {
    stop: async () => {
      abort.abort();
      await loop;
    },
  };
};

export const prepareQueueHost = async (routes: readonly RouteDef[], opts: HostOptions): Promise<RouteHost> => {
  const pollers: Poller[] = [];
  let sqs: SQSClient | undefined;
  return {
    endpoints: {},
    start: async (ctx) => {
      sqs = new SQSClient(awsClientConfig('sqs', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_SQS: ctx.endpoints.sqsAndS3 }));
      for (const route of routes.filter(isQueueRoute)) {
        const queue = ctx.resources.queues[route.queue];
        if (!queue) throw new Error(`${route.id}: queue ${route.queue} was not created`);
        pollers.push(poll(route, functionOf(ctx, route), queue, sqs, opts.logger));
      }
    },
    stop: async () => {
      await Promise.all(pollers.map((p) => p.stop()));
      sqs?.destroy();
    },
  };
};
