/**
 * Host of `stream` routes: a poller per route on DynamoDB Local's stream with Lambda's DynamoDB event source
 * semantics.
 * - From the oldest record (TRIM_HORIZON) on first start, then from the position kept in
 *   `<data dir>/streams/<route id>.json`, so a restart does not deliver again what was delivered.
 * - Only records whose new image has one of the route's `types` (and its `withAttributes`) are delivered (Lambda's
 *   filter criteria); the others are skipped and count as processed.
 * - Records in shard order, `batchSize` at a time; parent shards before their children.
 * - A failed batch is retried `retryAttempts` times, holding the shard; then its description goes to the
 *   `onFailure` queue and the poller moves on.
 * Ctrl-C lets the batch in flight finish and keeps the position after it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_STREAM_BATCH_SIZE, DEFAULT_STREAM_RETRY_ATTEMPTS } from '#functions/_routes/rules.ts';
import { isStreamRoute, type RouteDef, type StreamRoute } from '#functions/routes.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { awsId, dynamodbStreamEvent, streamFailureRecord } from '../events/index.ts';
import { LOCAL_AWS_ENV } from '../handler-env.ts';
import type { LambdaFunction } from '../lambda.ts';
import { functionOf, type HostOptions, type Logger, type RouteHost, sleep } from './host.ts';

const IDLE_POLL_MS = 250;
const SHARD_REFRESH_MS = 5_000;

/** Per shard: the last sequence number processed, and whether the shard is closed and drained. */
type Positions = Record<string, { readonly after?: string; readonly done?: boolean }>;

/** Positions in memory, and in a file under the data directory when there is one. */
const positionStore = (dataDir: string | undefined, routeId: string) => {
  const file = dataDir && join(dataDir, 'streams', `${routeId}.json`);
  let positions: Positions = {};
  if (file) {
    try {
      positions = JSON.parse(readFileSync(file, 'utf8')) as Positions;
    } catch {
      positions = {};
    }
  }
  return {
    get: (shardId: string) => positions[shardId],
    set: (shardId: string, p: Positions[string]) => {
      positions = { ...positions, [shardId]: p };
      if (!file) return;
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(positions, null, 2));
      renameSync(`${file}.tmp`, file); // never a half-written file
    },
  };
};

interface Clients {
  readonly streams: DynamoDBStreamsClient;
  readonly sqs: SQSClient;
}

interface Target {
  readonly route: StreamRoute;
  readonly fn: LambdaFunction;
  readonly streamArn: string;
  readonly failureQueueUrl: string;
  readonly clients: Clients;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Start (performance.now()) of the last poll that read every shard, found nothing and so had nothing in flight. */
  readonly progress: { caughtUpFrom: number };
}

/** Lambda's filter of the route (lib/event-sources.ts): one of its types, each of its `withAttributes` a string. */
export const matches = (route: StreamRoute, r: StreamRecord): boolean => {
  const image = r.dynamodb?.NewImage;
  const type = image?.type?.S;
  return type !== undefined && route.types.includes(type) && (route.withAttributes ?? []).every((name) => image?.[name]?.S !== undefined);
};

/** Invokes with retries; after the last, describes the batch on the failure queue. Resolves once it is settled. */
const deliver = async (t: Target, shardId: string, batch: readonly StreamRecord[]) => {
  const attempts = 1 + (t.route.retryAttempts ?? DEFAULT_STREAM_RETRY_ATTEMPTS);
  let error: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const out = await t.fn.invoke(dynamodbStreamEvent(batch, t.streamArn));
    if (out.ok) return;
    error = out.error;
    t.logger.error(`[${t.route.id}] batch of ${batch.length} failed (attempt ${attempt} of ${attempts})`, error);
    if (attempt < attempts) await sleep(Math.min(2_000, 100 * 2 ** attempt));
  }
  const failure = streamFailureRecord({
    functionName: t.route.id,
    requestId: awsId(),
    attempts,
    error: String(error),
    shardId,
    streamArn: t.streamArn,
    records: batch,
  });
  await t.clients.sqs.send(new SendMessageCommand({ QueueUrl: t.failureQueueUrl, MessageBody: JSON.stringify(failure) }));
};

/** Processes one GetRecords page: matching records in batches, the position moved after each settled batch. */
const processPage = async (t: Target, shardId: string, records: readonly StreamRecord[], keep: (after: string) => void) => {
  const size = t.route.batchSize ?? DEFAULT_STREAM_BATCH_SIZE;
  let batch: StreamRecord[] = [];
  for (const [i, record] of records.entries()) {
    if (matches(t.route, record)) batch.push(record);
    const last = i === records.length - 1;
    if (batch.length === size || (last && batch.length > 0)) {
      await deliver(t, shardId, batch);
      batch = [];
    }
    // Skipped records count as processed, as with Lambda's filters; never move past an undelivered batch.
    if (batch.length === 0) keep(record.dynamodb?.SequenceNumber ?? '');
    if (t.signal.aborted && batch.length === 0) return false;
  }
  return true;
};

const iteratorFor = async (t: Target, shardId: string, after: string | undefined): Promise<string | undefined> => {
  const from = after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' as const };
  try {
    return (await t.clients.streams.send(new GetShardIteratorCommand({ StreamArn: t.streamArn, ShardId: shardId, ...from }))).ShardIterator;
  } catch (e) {
    if (!(e instanceof TrimmedDataAccessException) || !after) throw e;
    t.logger.warn(`[${t.route.id}] position in ${shardId} is gone (trimmed); reading from the oldest record`);
    return iteratorFor(t, shardId, undefined);
  }
};

/** Shards to read now: not drained, and whose parent (if still listed) is drained. */
const readable = (shards: readonly Shard[], done: (id: string) => boolean) =>
  shards.filter((s) => s.ShardId && !done(s.ShardId) && !(s.ParentShardId && shards.some((p) => p.ShardId === s.ParentShardId) && !done(s.ParentShardId)));

const run = async (t: Target, positions: ReturnType<typeof positionStore>) => {
  const iterators = new Map<string, string>();
  let shards: Shard[] = [];
  let refreshedAt = 0;
  const done = (id: string) => positions.get(id)?.done === true;
  while (!t.signal.aborted) {
    const pollStarted = performance.now();
    if (Date.now() - refreshedAt > SHARD_REFRESH_MS) {
      shards = (await t.clients.streams.send(new DescribeStreamCommand({ StreamArn: t.streamArn }))).StreamDescription?.Shards ?? [];
      refreshedAt = Date.now();
    }
    let busy = false;
    let readAll = true;
    for (const shard of readable(shards, done)) {
      const id = shard.ShardId as string;
      const iterator = iterators.get(id) ?? (await iteratorFor(t, id, positions.get(id)?.after));
      const page = await t.clients.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 })).catch((e: unknown) => {
        // Re-created from the position next round (a trimmed one from the oldest record: iteratorFor).
        if (e instanceof ExpiredIteratorException || e instanceof TrimmedDataAccessException) return undefined;
        throw e;
      });
      if (!page) {
        iterators.delete(id);
        readAll = false;
        continue;
      }
      const records = page.Records ?? [];
      busy ||= records.length > 0;
      const finished = await processPage(t, id, records, (after) => positions.set(id, { after }));
      if (!finished) return;
      if (page.NextShardIterator) iterators.set(id, page.NextShardIterator);
      else {
        iterators.delete(id);
        positions.set(id, { ...positions.get(id), done: true }); // closed and drained: children may start
      }
    }
    // Deliveries are awaited within the poll: an empty one means what was written before it began has been handled.
    if (!busy && readAll) t.progress.caughtUpFrom = pollStarted;
    if (!busy) await sleep(IDLE_POLL_MS, t.signal);
  }
};

/** Keeps a poller going: after a failure of the stand-in it starts again from the kept position. */
const supervise = async (t: Target, positions: ReturnType<typeof positionStore>) => {
  while (!t.signal.aborted) {
    try {
      await run(t, positions);
    } catch (e) {
      if (t.signal.aborted) return;
      t.logger.error(`[${t.route.id}] reading the stream failed; retrying`, e);
      await sleep(1_000, t.signal);
    }
  }
};

export const prepareStreamHost = async (routes: readonly RouteDef[], opts: HostOptions): Promise<RouteHost> => {
  const abort = new AbortController();
  const loops: Promise<void>[] = [];
  const pollers: Target['progress'][] = [];
  let clients: Clients | undefined;
  return {
    endpoints: {},
    caughtUp: (since) => pollers.every((p) => p.caughtUpFrom >= since),
    start: async (ctx) => {
      const env = { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: ctx.endpoints.dynamodb, AWS_ENDPOINT_URL_SQS: ctx.endpoints.sqsAndS3 };
      const started: Clients = {
        streams: new DynamoDBStreamsClient(awsClientConfig('dynamodb', env)),
        sqs: new SQSClient(awsClientConfig('sqs', env)),
      };
      clients = started;
      const db = new DynamoDBClient(awsClientConfig('dynamodb', env));
      try {
        for (const route of routes.filter(isStreamRoute)) {
          const table = ctx.resources.tables[route.table] ?? route.table;
          const streamArn = (await db.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn;
          const failure = ctx.resources.queues[route.onFailure];
          if (!streamArn || !failure) throw new Error(`${route.id}: table ${table} has no stream, or queue ${route.onFailure} is missing`);
          const progress = { caughtUpFrom: Number.NEGATIVE_INFINITY };
          pollers.push(progress);
          const target: Target = { route, fn: functionOf(ctx, route), streamArn, failureQueueUrl: failure.url, clients: started, logger: opts.logger, signal: abort.signal, progress };
          loops.push(supervise(target, positionStore(opts.dataDir, route.id)));
        }
      } finally {
        db.destroy();
      }
    },
    stop: async () => {
      abort.abort();
      await Promise.all(loops);
      clients?.streams.destroy();
      clients?.sqs.destroy();
    },
  };
};
