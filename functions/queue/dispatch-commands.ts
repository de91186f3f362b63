/**
 * Consumer of the FIFO command queue: sends each command to its charger (shared/command/dispatch.ts). A command whose
 * charger has a CALL in flight waits: its message is hidden for a few seconds and reported as a batch item failure,
 * and so is every later message of the same charger in the batch, so the group keeps its order.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dispatchCommand } from '#shared/command/dispatch.ts';
import type { CommandRef } from '#shared/command/ports.ts';
import { postponeCommandMessage, sqsCommandTimers } from '#shared/store/command-queues.ts';
import { commandsQueue } from '#shared/store/queues.ts';
import { chargerLink } from '../_common/connections.ts';
import { deps, env, logger } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';

const link = chargerLink(env.WS_MANAGEMENT_ENDPOINT ?? '');
const timers = sqsCommandTimers();

const refOf = (record: SQSRecord): CommandRef | undefined => {
  try {
    const body = JSON.parse(record.body) as Partial<CommandRef>;
    return typeof body.commandId === 'string' && typeof body.chargerId === 'string' ? { commandId: body.commandId, chargerId: body.chargerId } : undefined;
  } catch {
    return undefined;
  }
};

const dispatch = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const waiting = new Map<string, number>();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const group = record.attributes.MessageGroupId ?? '';
    const ref = refOf(record);
    if (!ref) {
      // Not ours to retry: nothing in it can ever become valid.
      logger.error('command message that is no command reference: dropped', { messageId: record.messageId });
      continue;
    }
    const behind = waiting.get(group);
    try {
      const result = behind === undefined ? await dispatchCommand({ ...deps, link, timers }, ref, Number(record.attributes.ApproximateReceiveCount)) : { done: false as const, retryInSeconds: behind };
      if (result.done) continue;
      waiting.set(group, result.retryInSeconds);
      await postponeCommandMessage(record.receiptHandle, result.retryInSeconds);
    } catch (error) {
      const lastTry = Number(record.attributes.ApproximateReceiveCount) >= commandsQueue.maxReceiveCount;
      logger.error(lastTry ? 'command dispatch failed for the last time; the message goes to the DLQ' : 'command dispatch failed; the message is delivered again', { ...ref, error });
      // SQS's redrive says nothing of why: the command record does.
      if (lastTry) await deps.stores.commands.failQueued(ref.commandId, { code: 'Undeliverable', detail: `dispatch kept failing: ${String(error)}` }).catch(() => false);
      waiting.set(group, 0);
    }
    batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures };
};

export const handler = withCsms(dispatch);
