/**
 * Host of `bucket` routes: S3 event notifications to Lambda, for fauxqs, which keeps no notification configuration.
 * fauxqs's message spy reports every object it stores (PutObject, POST, CompleteMultipartUpload, and CopyObject's
 * destination) as `uploaded`; for each one in a route's bucket under one of its prefixes, the handler is invoked
 * with S3's event (key URL-encoded, size, ETag from a HeadObject), asynchronously as S3 invokes Lambda: a failed
 * invocation is retried twice, after 1 and 2 minutes, then the event is dropped (logged).
 * Differences: the spy does not tell a POST from a PUT (both are `ObjectCreated:Put`), an object gone before the
 * HeadObject is not delivered, and events are not kept across restarts (an object stored while the runtime was down
 * is never delivered). The spy's buffer is bounded (SPY_BUFFER_SIZE events, SQS messages included), so it cannot
 * grow with a long `npm start`.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { MessageSpyReader, S3SpyEvent, SpyMessage } from 'fauxqs';
import { type BucketRoute, isBucketRoute, type RouteDef } from '#functions/routes.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { s3Event } from '../events/index.ts';
import { LOCAL_AWS_ENV } from '../handler-env.ts';
import type { LambdaFunction } from '../lambda.ts';
import { functionOf, type HostOptions, type RouteHost, sleep, type StartContext } from './host.ts';

/** Events the spy keeps (oldest dropped first): enough for a burst between two of the host's reads. */
export const SPY_BUFFER_SIZE = 100;
const RETRY_DELAYS_MS = [60_000, 120_000];

interface Listener {
  readonly route: BucketRoute;
  readonly fn: LambdaFunction;
  /** The local name of the route's bucket. */
  readonly bucket: string;
}

const isUpload = (m: SpyMessage): m is S3SpyEvent => m.service === 's3' && m.status === 'uploaded';

/** CopyObject reports `uploaded` and right after it `copied` for the same key; a multipart ETag ends in `-<parts>`. */
const eventNameOf = (spy: MessageSpyReader, upload: S3SpyEvent, eTag: string): string => {
  const all = spy.getAllMessages();
  const at = all.indexOf(upload);
  const after = at < 0 ? undefined : all[at + 1];
  if (after?.service === 's3' && after.status === 'copied' && after.bucket === upload.bucket && after.key === upload.key) return 'ObjectCreated:Copy';
  return /-\d+"?$/.test(eTag) ? 'ObjectCreated:CompleteMultipartUpload' : 'ObjectCreated:Put';
};

export const prepareBucketHost = async (routes: readonly RouteDef[], opts: HostOptions): Promise<RouteHost> => {
  const mine = routes.filter(isBucketRoute);
  const abort = new AbortController();
  const deliveries = new Set<Promise<void>>();
  let spy: MessageSpyReader | undefined;
  let s3: S3Client | undefined;
  let listening: Promise<void> | undefined;

  /** Kept until it settles, so stop() can wait for it; a failure is logged, never unhandled. */
  const track = (work: Promise<void>) => {
    const settled = work.catch((e: unknown) => opts.logger.error('S3 event not delivered', e)).finally(() => deliveries.delete(settled));
    deliveries.add(settled);
  };

  const deliver = async (listener: Listener, event: object) => {
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length && !abort.signal.aborted; attempt++) {
      // Sped up with the schedules' clock (tests), as the schedule host's retries are.
      if (attempt > 0) await sleep((RETRY_DELAYS_MS[attempt - 1] as number) / opts.scheduleTimeScale, abort.signal);
      if (abort.signal.aborted) break;
      const out = await listener.fn.invoke(event);
      if (out.ok) return;
      opts.logger.error(`[${listener.route.id}] S3 event failed (attempt ${attempt + 1} of ${RETRY_DELAYS_MS.length + 1})`, out.error);
    }
    opts.logger.error(`[${listener.route.id}] S3 event dropped after its retries`);
  };

  const dispatch = async (reader: MessageSpyReader, client: S3Client, listeners: readonly Listener[], upload: S3SpyEvent) => {
    const interested = listeners.filter((l) => l.bucket === upload.bucket && l.route.prefixes.some((p) => upload.key.startsWith(p)));
    if (interested.length === 0) return;
    const head = await client.send(new HeadObjectCommand({ Bucket: upload.bucket, Key: upload.key })).catch(() => undefined);
    if (!head) return; // removed already: nothing left to describe
    const eTag = head.ETag ?? '';
    for (const listener of interested) {
      const prefix = listener.route.prefixes.find((p) => upload.key.startsWith(p)) ?? '';
      const event = s3Event({
        bucket: upload.bucket,
        key: upload.key,
        size: head.ContentLength ?? 0,
        eTag,
        ...(head.VersionId ? { versionId: head.VersionId } : {}),
        eventName: eventNameOf(reader, upload, eTag),
        at: new Date(upload.timestamp),
        configurationId: `${listener.route.id}-${prefix}`,
      });
      track(deliver(listener, event));
    }
  };

  /** Reads the spy's uploads in order, each once: a waiter for the first one not yet seen, again and again. */
  const listen = async (reader: MessageSpyReader, client: S3Client, listeners: readonly Listener[]) => {
    const seen = new WeakSet<SpyMessage>();
    const buckets = new Set(listeners.map((l) => l.bucket));
    while (!abort.signal.aborted) {
      let upload: S3SpyEvent;
      try {
        upload = (await reader.waitForMessage((m) => isUpload(m) && buckets.has(m.bucket) && !seen.has(m))) as S3SpyEvent;
      } catch {
        return; // the spy was cleared: stopping
      }
      seen.add(upload);
      track(dispatch(reader, client, listeners, upload));
    }
  };

  return {
    endpoints: {},
    async start(ctx: StartContext) {
      if (!ctx.s3Events) throw new Error('bucket routes need fauxqs started with its message spy');
      spy = ctx.s3Events;
      s3 = new S3Client(awsClientConfig('s3', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_S3: ctx.endpoints.sqsAndS3 }));
      const listeners = mine.map((route) => {
        const bucket = ctx.resources.buckets[route.bucket];
        if (!bucket) throw new Error(`${route.id}: bucket ${route.bucket} was not created`);
        return { route, fn: functionOf(ctx, route), bucket };
      });
      listening = listen(spy, s3, listeners);
    },
    async stop() {
      abort.abort();
      // Rejects the listener's pending wait (and empties the buffer): nothing else reads this spy.
      spy?.clear();
      await listening;
      await Promise.allSettled([...deliveries]);
      s3?.destroy();
    },
  };
};
