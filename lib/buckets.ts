/**
 * The S3 buckets of shared/store/buckets.ts: no public access, TLS only, S3-managed encryption, versioned, and
 * server access logs in one log bucket. The local runtime creates the same buckets in fauxqs.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketDef } from '#shared/store/buckets.ts';

export interface BucketsProps {
  readonly buckets: readonly BucketDef[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Days the server access logs are kept. */
  readonly accessLogRetentionDays: number;
}

const SECURE = {
  encryption: BucketEncryption.S3_MANAGED,
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
} as const;

export class Buckets extends Construct {
  /** Buckets by logical name. */
  readonly byName: Readonly<Record<string, Bucket>>;

  constructor(scope: Construct, id: string, props: BucketsProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const byName: Record<string, Bucket> = {};
    const logs = props.buckets.length > 0 ? this.accessLogBucket(props.accessLogRetentionDays) : undefined;
    for (const def of props.buckets) {
      // Construct id = logical name: renaming a definition replaces its bucket.
      byName[def.name] = new Bucket(this, def.name, {
        ...SECURE,
        versioned: true,
        serverAccessLogsBucket: logs,
        serverAccessLogsPrefix: `${def.name}/`,
        removalPolicy,
      });
    }
    this.byName = byName;
  }

  private accessLogBucket(retentionDays: number): Bucket {
    const bucket = new Bucket(this, 'AccessLogs', {
      ...SECURE,
      // Server access logs arrive through the log-delivery ACL, which this app's CDK flags grant (not a bucket policy).
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(retentionDays) }],
      // Retained even in dev: a non-empty bucket would fail stack deletion; the lifecycle rule empties it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket itself; logging it to another bucket would only move the question.',
    });
    return bucket;
  }
}
