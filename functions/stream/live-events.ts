/**
 * Csms table stream → operators' live events (docs/live-events.md): each change that is an event
 * (shared/store/live-event-images.ts) goes to the operator connections subscribed to its charger, its location or
 * every charger. A post is never retried beyond the SDK's own retries: a subscriber whose post fails or times out is
 * dropped (its connection closed, its subscriptions forgotten), so one subscriber cannot hold the batch up and an open
 * connection misses nothing. Only a failure to read or forget subscribers throws, and the batch is delivered again
 * (ids repeat: at least once).
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { fanOut } from '#shared/live/fan-out.ts';
import type { LiveEvent } from '#shared/live/live-event.ts';
import { liveEventOf } from '#shared/store/live-event-images.ts';
import { operatorLink } from '../_common/connections.ts';
import { parseOperatorsManagementEnv } from '../_common/env.ts';
import { deps, logger } from '../_common/runtime.ts';
import { itemChange } from '../_common/stream-events.ts';
import { withCsms } from '../_common/with-csms.ts';

/** A post or disconnect slower than this is given up (API Gateway's @connections answers in tens of milliseconds). */
const CALL_TIMEOUT_MS = 2_000;

const endpoint = parseOperatorsManagementEnv().OPERATORS_WS_MANAGEMENT_ENDPOINT;
if (!endpoint) throw new Error('Invalid environment: OPERATORS_WS_MANAGEMENT_ENDPOINT is not set');
/** One connection's share of a batch (up to 100 events): a subscriber slower than this is dropped. Well under the 30 s timeout. */
const CONNECTION_BUDGET_MS = 10_000;

const ports = {
  subscribers: deps.stores.liveSubscriptions,
  link: operatorLink(endpoint),
  log: deps.log,
  callTimeoutMs: CALL_TIMEOUT_MS,
  connectionBudgetMs: CONNECTION_BUDGET_MS,
};

/**
 * The record's event, if it is one. A record that cannot be read is logged and skipped: failing the batch for it would
 * hold every other event of the shard back through the retries, and a retry would not read it better.
 */
const eventOf = (record: DynamoDBRecord): LiveEvent | undefined => {
  const written = record.dynamodb?.ApproximateCreationDateTime;
  const at = new Date(written === undefined ? Date.now() : written * 1000).toISOString();
  // The record's id: the same change delivered again carries the same one.
  const eventId = record.eventID ?? String(record.dynamodb?.SequenceNumber);
  try {
    return liveEventOf(itemChange(record), eventId, at);
  } catch (error) {
    logger.error('stream record not readable: no live event for it', { eventId, error });
    return undefined;
  }
};

const publish = async (event: DynamoDBStreamEvent): Promise<void> => {
  const events = event.Records.flatMap((r) => eventOf(r) ?? []);
  if (events.length === 0) return;
  const report = await fanOut(ports, events);
  // Each dropped subscriber is logged by the fan-out with its connection id and why.
  if (report.dropped > 0) logger.warn('live events partly delivered: subscribers dropped', { ...report });
  else if (report.gone > 0) logger.info('live events delivered; gone subscribers forgotten', { ...report });
  else logger.debug('live events delivered', { ...report });
};

export const handler = withCsms(publish);
