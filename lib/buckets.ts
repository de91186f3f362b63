/**
 * The S3 buckets of shared/store/buckets.ts: no public access, TLS only, encrypted (S3-managed keys, or the stage's
 * customer-managed key with S3 Bucket Keys), versioned, server access logs in one log bucket, and the lifecycle
 * their definitions ask for. The local runtime creates the same buckets in fauxqs.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket, BucketEncryption, type LifecycleRule } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accessLogBucket, SECURE_BUCKET } from './access-log-bucket.ts';
import { DEFAULT_NONCURRENT_VERSION_DAYS, type BucketDef, type BucketRetentionName } from '#shared/store/buckets.ts';

/** A multipart upload a client abandoned (a charger that lost power mid-upload) stops costing after a day. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 1;

export interface BucketsProps {
  readonly buckets: readonly BucketDef[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Days the server access logs are kept. */
  readonly accessLogRetentionDays: number;
  /** The days each retention named by a bucket's expiry rules stands for (the stage config's). */
  readonly retentionDays: Readonly<Record<BucketRetentionName, number>>;
  /** Encrypt the buckets with this key instead of S3-managed keys (the access-log bucket keeps S3's: log delivery needs it). */
  readonly encryptionKey?: IKey;
}

/**
 * The lifecycle of one bucket: each expiry rule of its definition, and for every bucket noncurrent versions removed
 * after the definition's days (a deleted or expired object's bytes are really gone then), delete markers left
 * without versions removed, and abandoned multipart uploads aborted.
 */
export const lifecycleRules = (def: BucketDef, retentionDays: Readonly<Record<BucketRetentionName, number>>): LifecycleRule[] => [
  ...(def.expire ?? []).map((rule) => ({ id: `expire-${rule.prefix.replace(/[^A-Za-z0-9-]/g, '')}`, prefix: rule.prefix, expiration: Duration.days(retentionDays[rule.days]) })),
  {
    id: 'versions-and-uploads',
    noncurrentVersionExpiration: Duration.days(def.noncurrentVersionDays ?? DEFAULT_NONCURRENT_VERSION_DAYS),
    expiredObjectDeleteMarker: true,
    abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOAD_DAYS),
  },
];

export class Buckets extends Construct {
  /** Buckets by logical name. */
  readonly byName: Readonly<Record<string, Bucket>>;

  constructor(scope: Construct, id: string, props: BucketsProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const byName: Record<string, Bucket> = {};
    const logs = props.buckets.length > 0 ? accessLogBucket(this, props.accessLogRetentionDays) : undefined;
    // Bucket Keys: S3 asks KMS for a bucket-level key now and then instead of once per object (cost, KMS quotas).
    const encryption = props.encryptionKey ? { encryption: BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true } : {};
    for (const def of props.buckets) {
      // Construct id = logical name: renaming a definition replaces its bucket.
      byName[def.name] = new Bucket(this, def.name, {
        ...SECURE_BUCKET,
        ...encryption,
        versioned: true,
        lifecycleRules: lifecycleRules(def, props.retentionDays),
        serverAccessLogsBucket: logs,
        serverAccessLogsPrefix: `${def.name}/`,
        removalPolicy,
      });
    }
    this.byName = byName;
  }
}
