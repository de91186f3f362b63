/**
 * S3 event notifications as the handlers of `bucket` routes read them. S3 writes an object key URL-encoded the way
 * HTML forms are (a space as `+`, a `+` as `%2B`), so it is decoded before anything compares it with a key we made.
 */
import type { S3EventRecord } from 'aws-lambda';

/** The object key of an S3 event record, decoded. */
export const decodeS3EventKey = (encoded: string): string => decodeURIComponent(encoded.replace(/\+/g, ' '));

/** What a `bucket` route's handler needs of one record: the decoded key and when it landed. */
export interface CreatedObject {
  readonly bucket: string;
  readonly key: string;
  readonly eventName: string;
  readonly at: string;
}

/** Throws (URIError) on a key that is not valid URL encoding, which S3 never sends. */
export const createdObject = (r: S3EventRecord): CreatedObject => ({
  bucket: r.s3.bucket.name,
  key: decodeS3EventKey(r.s3.object.key),
  eventName: r.eventName,
  at: r.eventTime,
});
