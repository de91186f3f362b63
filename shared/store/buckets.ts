/**
 * The S3 buckets, as data. The CDK stack (lib/buckets.ts) and the local runtime (fauxqs) both create them from
 * these definitions. Routes reach a bucket through `access.buckets`.
 */
import { CHARGER_UPLOADS_PREFIX } from '../file/object-keys.ts';

/** Retention periods a deployment chooses (lib/stage-config.ts), by name: what an expiry rule's `days` may name. */
export type BucketRetentionName = 'fileRetentionDays';

/** Objects under `prefix` expire `days` after they were written (a retention the deployment chooses). */
export interface ObjectExpiry {
  readonly prefix: string;
  readonly days: BucketRetentionName;
}

export interface BucketDef {
  /** Logical name: the CDK construct id; lower-cased, the local bucket name. */
  readonly name: string;
  /** Environment variable through which handlers with access to the bucket receive its name. */
  readonly envVar: string;
  /** Prefixes whose objects expire; every other object is kept until deleted. @default none */
  readonly expire?: readonly ObjectExpiry[];
  /**
   * Days a replaced or deleted object's previous version is kept (buckets are versioned): the window in which a
   * mistaken delete can be undone. @default DEFAULT_NONCURRENT_VERSION_DAYS
   */
  readonly noncurrentVersionDays?: number;
}

export const DEFAULT_NONCURRENT_VERSION_DAYS = 7;
/** Of `fileRetentionDays`: how long diagnostics and logs stay in the files bucket. */
export const DEFAULT_FILE_RETENTION_DAYS = 90;

/**
 * Files chargers upload (diagnostics, logs: `chargers/<charger>/<file id>/<name>`) and firmware images they fetch
 * (`firmware/<file id>/<name>`): shared/file/object-keys.ts. Metadata and status live in the table.
 */
export const filesBucket = {
  name: 'Files',
  envVar: 'FILES_BUCKET',
  // What chargers uploaded expires; firmware images stay until an operator deletes them.
  expire: [{ prefix: CHARGER_UPLOADS_PREFIX, days: 'fileRetentionDays' }],
} as const satisfies BucketDef;

export const buckets = [filesBucket] as const satisfies readonly BucketDef[];
