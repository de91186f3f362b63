/**
 * Csms table stream, local list versions: a GetLocalListVersion answer telling a version other than the list we last
 * had accepted sends the charger a Full update at once (shared/local-list/local-list-sync.ts, `mismatchReported`).
 * On the stream, not in `$default` where the answer arrives: that handler stays without an SQS client.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mismatchReported, syncLocalList, type VersionItemImage } from '#shared/local-list/local-list-sync.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { deps, logger } from '../_common/runtime.ts';
import { itemChange } from '../_common/stream-events.ts';
import { withCsms } from '../_common/with-csms.ts';

const queue = sqsCommandQueue();

const resync = async (event: DynamoDBStreamEvent): Promise<void> => {
  // In order: a failure throws, and the batch is retried, then described on the failure queue.
  for (const record of event.Records) {
    const change = itemChange(record);
    const after = change.newImage as VersionItemImage | undefined;
    if (!mismatchReported(change.oldImage as VersionItemImage | undefined, after) || after?.chargerId === undefined) continue;
    const chargerId = after.chargerId;
    const synced = await syncLocalList({ ...deps, queue }, { chargerId, requestedBy: 'csms:version-mismatch' });
    if (!synced.ok) {
      // A sync already under way (conflict) sends what is missing; a charger gone meanwhile has nothing to sync.
      logger.warn('local list not synced after a version mismatch', { chargerId, reason: synced.reason, detail: synced.detail });
      continue;
    }
    logger.info('local list version mismatch: a Full update is on its way', { chargerId, reported: after.version, ours: after.entriesVersion, commands: synced.value.commands.length });
  }
};

export const handler = withCsms(resync);
