/**
 * The bucket AWS services deliver access logs to (CloudFront standard logs, S3 server access logs), and the
 * settings every bucket of the app shares. Created as `<scope>/AccessLogs`.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Encrypted, never public, TLS only. */
export const SECURE_BUCKET = {
  encryption: BucketEncryption.S3_MANAGED,
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
} as const;

export const accessLogBucket = (scope: Construct, retentionDays: number): Bucket => {
  const bucket = new Bucket(scope, 'AccessLogs', {
    ...SECURE_BUCKET,
    // Access logs arrive through the log-delivery ACL (CloudFront and S3 both deliver that way), not a bucket policy.
    objectOwnership: ObjectOwnership.OBJECT_WRITER,
    lifecycleRules: [{ expiration: Duration.days(retentionDays) }],
    // Retained even in dev: a non-empty bucket would fail stack deletion; the lifecycle rule empties it.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This is the access-log bucket itself; logging it to another bucket would only move the question.',
  });
  return bucket;
};
