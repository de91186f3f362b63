/**
 * The files bucket on S3 (shared/file/objects.ts). Puts carry their SHA-256 so S3 checks the bytes on arrival and
 * keeps the checksum (HeadObject returns it with ChecksumMode ENABLED); presigned URLs are signed by the function's
 * own role, so they can do no more than it may.
 */
import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FileObjects, StoredObject } from '../file/objects.ts';
import { awsClientConfig } from './client-config.ts';
import { traced } from './tracing.ts';

const hexToBase64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');
const base64ToHex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');

const isMissing = (error: unknown): boolean =>
  error instanceof NotFound || error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404);

/** A checksum of a whole object is `<base64>`; one of a multipart upload is `<base64>-<parts>` and says nothing of the content. */
const wholeObjectSha256 = (checksum: string | undefined): string | undefined =>
  checksum !== undefined && !checksum.includes('-') ? base64ToHex(checksum) : undefined;

export const makeS3Client = (env: NodeJS.ProcessEnv = process.env): S3Client => traced(new S3Client(awsClientConfig('s3', env)), isMissing);

export const fileObjectStore = (s3: S3Client, bucket: string): FileObjects => ({
  async put(key, body, options = {}) {
    const sha256 = createHash('sha256').update(body).digest('hex');
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ChecksumSHA256: hexToBase64(sha256),
        ...(options.contentType ? { ContentType: options.contentType } : {}),
        ...(options.metadata ? { Metadata: { ...options.metadata } } : {}),
      }),
    );
    return { size: body.byteLength, sha256 };
  },

  async head(key) {
    try {
      const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      const sha256 = wholeObjectSha256(out.ChecksumSHA256);
      const found: StoredObject = {
        key,
        size: out.ContentLength ?? 0,
        ...(sha256 !== undefined ? { sha256 } : {}),
        ...(out.ContentType ? { contentType: out.ContentType } : {}),
        metadata: out.Metadata ?? {},
      };
      return found;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },

  async sha256Of(key) {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const hash = createHash('sha256');
      // The SDK's body is a Node stream in Node; reading it chunk by chunk keeps a large object out of memory.
      for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
      return hash.digest('hex');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },

  presignGet: (key, seconds, downloadName) =>
    getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(downloadName ? { ResponseContentDisposition: `attachment; filename="${downloadName.replace(/["\\]/g, '')}"` } : {}),
      }),
      { expiresIn: seconds },
    ),

  presignHead: (key, seconds) => getSignedUrl(s3, new HeadObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds }),

  async presignPut(key, seconds, options = {}) {
    const headers: Record<string, string> = {};
    if (options.sha256) headers['x-amz-checksum-sha256'] = hexToBase64(options.sha256);
    if (options.contentType) headers['content-type'] = options.contentType;
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(options.sha256 ? { ChecksumSHA256: headers['x-amz-checksum-sha256'] } : {}),
        ...(options.contentType ? { ContentType: options.contentType } : {}),
      }),
      // Signed, so a PUT without them (or with other values) is refused.
      { expiresIn: seconds, signableHeaders: new Set(Object.keys(headers)) },
    );
    return { url, headers };
  },

  async delete(key) {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  },
});
