/** Consumer of the command timeouts queue: each message arrives at a sent command's deadline (dispatch.ts). */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { expireCommand } from '#shared/command/dispatch.ts';
import type { SentCommandRef } from '#shared/command/ports.ts';
import { deps, logger } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';

const expire = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      let ref: SentCommandRef;
      try {
        ref = JSON.parse(record.body) as SentCommandRef;
      } catch {
        logger.error('timeout message that is not JSON: dropped', { messageId: record.messageId });
        return;
      }
      try {
        await expireCommand(deps, ref);
      } catch (error) {
        logger.error('command timeout failed; delivered again', { ...ref, error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures };
};

export const handler = withCsms(expire);
