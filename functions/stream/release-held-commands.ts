/**
 * Csms table stream: a charger that is back gets its held commands put back on its command queue
 * (shared/command/dispatch.ts). Two routes deliver here: charger profiles (a boot that was accepted: `lastBootAt`
 * moved, registration `accepted`) and presence items that carry the mark of held commands (a charger connected
 * again, without booting, as a 1.6 charger does after a network outage).
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { releaseHeldCommands } from '#shared/command/dispatch.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { deps, logger } from '../_common/runtime.ts';
import { itemChange, type ItemChange } from '../_common/stream-events.ts';
import { withCsms } from '../_common/with-csms.ts';

const queue = sqsCommandQueue();

/** The charger whose accepted boot this change records, if it is one. */
export const bootedCharger = (change: ItemChange): string | undefined => {
  const after = change.newImage;
  if (!after || after.type !== 'Charger' || after.registrationStatus !== 'accepted' || after.lastBootAt === undefined) return undefined;
  return after.lastBootAt === change.oldImage?.lastBootAt ? undefined : String(after.chargerId);
};

/**
 * The charger this presence change finds connected with commands held, if it is one. The mark is set while the
 * charger is offline, so the change that finds it connected is its next connection (or a command held in the moment
 * it connected).
 */
export const reconnectedWithHeld = (change: ItemChange): string | undefined => {
  const after = change.newImage;
  if (!after || after.type !== 'Presence' || after.connected !== true || after.heldCommandsAt === undefined) return undefined;
  return String(after.chargerId);
};

const release = async (event: DynamoDBStreamEvent): Promise<void> => {
  // In order: a failure throws, and the batch is retried, then described on the failure queue.
  for (const record of event.Records) {
    const change = itemChange(record);
    const booted = bootedCharger(change);
    const reconnected = booted === undefined ? reconnectedWithHeld(change) : undefined;
    const chargerId = booted ?? reconnected;
    if (chargerId === undefined) continue;
    const released = await releaseHeldCommands({ ...deps, queue }, chargerId, reconnected !== undefined);
    if (released > 0) logger.info('held commands queued again', { chargerId, released, after: booted ? 'accepted boot' : 'connection' });
  }
};

export const handler = withCsms(release);
