/**
 * An in-process fauxqs serving S3 for store and handler tests, with one fresh bucket per call: the real SDK call path
 * against a real local S3 implementation (../shared/reference/local-emulators.md §3).
 */
import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { startFauxqs, type FauxqsServer } from 'fauxqs';

export interface LocalS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  readonly server: FauxqsServer;
  /** A new empty bucket's name. */
  bucket(): string;
  stop(): Promise<void>;
}

export const startLocalS3 = async (options: { readonly messageSpies?: boolean } = {}): Promise<LocalS3> => {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false, ...(options.messageSpies ? { messageSpies: true } : {}) });
  // An IP host keeps the SDK on path-style URLs.
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    endpoint,
    client,
    server,
    bucket: () => server.createBucket(`test-${randomUUID()}`).bucketName,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
};
