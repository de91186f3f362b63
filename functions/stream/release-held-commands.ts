/**
 * Csms table stream, charger profiles: a boot that was accepted (the profile's `lastBootAt` moved, its registration
 * `accepted`) puts the charger's held commands back on its command queue (shared/command/dispatch.ts).
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { releaseHeldCommands } from '#shared/command/dispatch.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { deps, logger } from '../_common/runtime.ts';
import { itemChange } from '../_common/stream-events.ts';
import { withCsms } from '../_common/with-csms.ts';

const queue = sqsCommandQueue();

/** The charger whose accepted boot this change records, if it is one. */
export const bootedCharger = (change: ReturnType<typeof itemChange>): string | undefined => {
  const after = change.newImage;
  if (!after || after.registrationStatus !== 'accepted' || after.lastBootAt === undefined) return undefined;
  return after.lastBootAt === change.oldImage?.lastBootAt ? undefined : String(after.chargerId);
};

const release = async (event: DynamoDBStreamEvent): Promise<void> => {
  // In order: a failure throws, and the batch is retried, then described on the failure queue.
  for (const record of event.Records) {
    const chargerId = bootedCharger(itemChange(record));
    if (chargerId === undefined) continue;
    const released = await releaseHeldCommands({ ...deps, queue }, chargerId);
    if (released > 0) logger.info('held commands queued again after an accepted boot', { chargerId, released });
  }
};

export const handler = withCsms(release);
