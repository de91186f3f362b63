/**
 * The command path's two queues (shared/store/queues.ts): the FIFO command queue, one message group per charger so
 * its commands go one at a time and in order, deduplicated by command id; and the standard queue of timeouts, whose
 * messages are delayed until a sent command's deadline.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CommandQueue, CommandRef, CommandTimers, SentCommandRef } from '../command/ports.ts';
import { chargerIdKey } from '../charger/charger-id.ts';
import { meterRequests } from './capacity-meter.ts';
import { awsClientConfig } from './client-config.ts';
import { traced } from './tracing.ts';
import { commandsQueue, commandTimeoutsQueue } from './queues.ts';

let client: SQSClient | undefined;
const sqs = (env: NodeJS.ProcessEnv): SQSClient => {
  if (client) return client;
  client = traced(new SQSClient(awsClientConfig('sqs', env)));
  if (env.CSMS_CAPACITY_METER === 'on') meterRequests(client);
  return client;
};

/** A queue URL from the environment, read on use: a function without access to the queue fails naming the variable. */
const urlOf = (env: NodeJS.ProcessEnv, envVar: string): string => {
  const url = env[envVar];
  if (!url) throw new Error(`${envVar} is not set: this function's route has no access to that queue`);
  return url;
};

const COMMANDS_QUEUE_ENV = commandsQueue.envVar;
const COMMAND_TIMEOUTS_QUEUE_ENV = commandTimeoutsQueue.envVar;

export const sqsCommandQueue = (env: NodeJS.ProcessEnv = process.env): CommandQueue => ({
  async enqueue(ref: CommandRef, deduplicationId = ref.commandId) {
    await sqs(env).send(
      new SendMessageCommand({
        QueueUrl: urlOf(env, COMMANDS_QUEUE_ENV),
        MessageBody: JSON.stringify(ref),
        // The charger id as stored (lower case): two spellings of one charger are one group.
        MessageGroupId: chargerIdKey(ref.chargerId),
        MessageDeduplicationId: deduplicationId,
      }),
    );
  },
});

/** SQS delays a message by at most 15 minutes, so a timeout can be no longer. */
export const MAX_TIMER_DELAY_SECONDS = 900;

export const sqsCommandTimers = (env: NodeJS.ProcessEnv = process.env): CommandTimers => ({
  async expireAfter(ref: SentCommandRef, seconds: number) {
    await sqs(env).send(
      new SendMessageCommand({
        QueueUrl: urlOf(env, COMMAND_TIMEOUTS_QUEUE_ENV),
        MessageBody: JSON.stringify(ref),
        DelaySeconds: Math.min(MAX_TIMER_DELAY_SECONDS, Math.max(0, Math.ceil(seconds))),
      }),
    );
  },
});

/** Hides a received command message for `seconds` (its turn has not come): it is received again after that. */
export const postponeCommandMessage = async (receiptHandle: string, seconds: number, env: NodeJS.ProcessEnv = process.env): Promise<void> => {
  await sqs(env).send(
    new ChangeMessageVisibilityCommand({ QueueUrl: urlOf(env, COMMANDS_QUEUE_ENV), ReceiptHandle: receiptHandle, VisibilityTimeout: Math.max(0, Math.ceil(seconds)) }),
  );
};
