import * as z from 'zod';
/**
 * A route table with every kind of route, and registries with the queues and buckets it names: what the CDK
 * assertions and the local-runtime integration tests host until real routes of each kind exist. Entries under
 * `kinds/` are fixtures (test/cdk/fixtures/functions/kinds, test/integration/local-runtime/fixtures/kinds).
 */
import type { Registries } from '#functions/_routes/rules.ts';
import type { RouteDef } from '#functions/routes.ts';
import type { BucketDef } from '#shared/store/buckets.ts';
import { queues, type QueueDef } from '#shared/store/queues.ts';
import { tables } from '#shared/store/tables.ts';

export const fixtureQueues: readonly QueueDef[] = [
  // Short visibility timeouts, so a failed message comes back within a test.
  { name: 'Jobs', envVar: 'JOBS_QUEUE_URL', fifo: false, visibilityTimeoutSeconds: 2, maxReceiveCount: 2 },
  { name: 'Ordered', envVar: 'ORDERED_QUEUE_URL', fifo: true, contentBasedDeduplication: true, visibilityTimeoutSeconds: 2, maxReceiveCount: 3 },
  { name: 'StreamFailures', envVar: 'STREAM_FAILURES_QUEUE_URL', fifo: false, visibilityTimeoutSeconds: 30, maxReceiveCount: 5 },
];

export const fixtureBuckets: readonly BucketDef[] = [{ name: 'Files', envVar: 'FILES_BUCKET' }];

// The platform's queues too: its non-REST routes (the command dispatcher) run beside the fixtures.
export const fixtureRegistries: Registries = { tables, queues: [...queues, ...fixtureQueues], buckets: fixtureBuckets };

export const RESET_BODY = z.strictObject({ type: z.enum(['Hard', 'Soft']), delaySeconds: z.number().int().min(0).max(60).optional() });

export const kindRoutes: readonly RouteDef[] = [
  {
    kind: 'http',
    id: 'GetCharger',
    method: 'GET',
    path: '/chargers/{chargerId}',
    auth: { type: 'jwt', roles: ['viewer', 'admin'] },
    entry: 'kinds/http.ts',
    access: { tables: { Csms: { actions: ['GetItem', 'Query'] } } },
  },
  {
    kind: 'http',
    id: 'ResetCharger',
    method: 'POST',
    path: '/chargers/{chargerId}/reset',
    auth: { type: 'jwt', roles: ['admin'] },
    body: RESET_BODY,
    entry: 'kinds/http.ts',
    access: { queues: { Jobs: 'send' } },
  },
  // Told where chargers reach the file endpoints (the platform's uploads function URL runs beside the fixtures).
  { kind: 'http', id: 'Probe', method: 'GET', path: '/probe', auth: { type: 'none' }, entry: 'kinds/http.ts', access: { fileEndpoints: true } },
  {
    kind: 'queue',
    id: 'WorkJobs',
    queue: 'Jobs',
    batchSize: 5,
    reportBatchItemFailures: true,
    timeoutSeconds: 2,
    entry: 'kinds/queue.ts',
    access: { buckets: { Files: 'write' } },
  },
  { kind: 'queue', id: 'WorkOrdered', queue: 'Ordered', reportBatchItemFailures: true, timeoutSeconds: 2, entry: 'kinds/queue.ts', access: {} },
  {
    kind: 'stream',
    id: 'ChargerChanges',
    table: 'Csms',
    types: ['Charger'],
    batchSize: 10,
    retryAttempts: 1,
    onFailure: 'StreamFailures',
    entry: 'kinds/stream.ts',
    access: { manageConnections: { api: 'chargers', calls: ['PostToConnection'] } },
  },
  { kind: 'schedule', id: 'Tick', schedule: 'rate(1 minute)', entry: 'kinds/schedule.ts', access: { settings: ['chargers'] } },
  // Beside the platform's RecordLandedFiles (chargers/, firmware/) on the same bucket: prefixes that do not overlap.
  { kind: 'bucket', id: 'WatchDrops', bucket: 'Files', prefixes: ['drops/', 'inbox/'], entry: 'kinds/bucket.ts', access: { buckets: { Files: 'read' } } },
];
