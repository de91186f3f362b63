/**
 * S3 event notifications (event structure version 2.1) as S3 delivers them to a Lambda function.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
import { randomBytes } from 'node:crypto';
import type { S3Event } from 'aws-lambda';
import { awsId, LOCAL_ACCOUNT, LOCAL_REGION } from './ids.ts';

/**
 * S3 URL-encodes the key as HTML forms do (Java's URLEncoder): `/` kept, a space as `+`, and everything but letters,
 * digits and `-_.*` as `%XX` (`+` as `%2B`, `(` as `%28`).
 */
export const s3EventKey = (key: string): string =>
  key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');

/** One created object: `eventName` is `ObjectCreated:Put`, `:Post`, `:Copy` or `:CompleteMultipartUpload`. */
export interface CreatedObjectEvent {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** As S3 reports it in events: without quotes. */
  readonly eTag: string;
  readonly versionId?: string;
  readonly eventName: string;
  readonly at: Date;
  /** The notification configuration's id (the route's id and prefix here). */
  readonly configurationId: string;
}

export const s3Event = (created: CreatedObjectEvent): S3Event => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: LOCAL_REGION,
      eventTime: created.at.toISOString(),
      eventName: created.eventName,
      userIdentity: { principalId: `AWS:${LOCAL_ACCOUNT}` },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(), 'x-amz-id-2': awsId() },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: created.configurationId,
        bucket: { name: created.bucket, ownerIdentity: { principalId: LOCAL_ACCOUNT }, arn: `arn:aws:s3:::${created.bucket}` },
        object: {
          key: s3EventKey(created.key),
          size: created.size,
          eTag: created.eTag.replace(/"/g, ''),
          ...(created.versionId ? { versionId: created.versionId } : {}),
          // Orders events of one key: hex, growing with time.
          sequencer: created.at.getTime().toString(16).toUpperCase().padStart(16, '0'),
        },
      },
    },
  ],
});
