/**
 * The S3 buckets of shared/store/buckets.ts: no public access, TLS only, S3-managed encryption, versioned, and
 * server access logs in one log bucket. The local runtime creates the same buckets in fauxqs.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accessLogBucket, SECURE_BUCKET } from './access-log-bucket.ts';
import type { BucketDef } from '#shared/store/buckets.ts';

export interface BucketsProps {
  readonly buckets: readonly BucketDef[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Days the server access logs are kept. */
  readonly accessLogRetentionDays: number;
}

export class Buckets extends Construct {
  /** Buckets by logical name. */
  readonly byName: Readonly<Record<string, Bucket>>;

  constructor(scope: Construct, id: string, props: BucketsProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const byName: Record<string, Bucket> = {};
    const logs = props.buckets.length > 0 ? accessLogBucket(this, props.accessLogRetentionDays) : undefined;
    for (const def of props.buckets) {
      // Construct id = logical name: renaming a definition replaces its bucket.
      byName[def.name] = new Bucket(this, def.name, {
        ...SECURE_BUCKET,
        versioned: true,
        serverAccessLogsBucket: logs,
        serverAccessLogsPrefix: `${def.name}/`,
        removalPolicy,
      });
    }
    this.byName = byName;
  }
}
