/**
 * The FIFO command queue on an in-process fauxqs, for handler tests whose requests queue commands: the real SDK call
 * path of `sqsCommandQueue` (shared/store/command-queues.ts). Start it before the first handler sends: the queue's URL
 * and the SQS endpoint go into process.env, where the queue adapter reads them.
 */
import { startFauxqs } from 'fauxqs';
import type { CommandRef } from '#shared/command/ports.ts';
import { commandsQueue } from '#shared/store/queues.ts';

export interface LocalCommandQueue {
  /** What was queued so far, oldest first. */
  queued(): CommandRef[];
  stop(): Promise<void>;
}

export const startLocalCommandQueue = async (): Promise<LocalCommandQueue> => {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  const name = `${commandsQueue.name}.fifo`;
  const { queueUrl } = server.createQueue(name, { attributes: { FifoQueue: 'true' } });
  Object.assign(process.env, { AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${server.port}`, [commandsQueue.envVar]: queueUrl });
  return {
    queued: () => (server.inspectQueue(name)?.messages.ready ?? []).map((m) => JSON.parse(m.body) as CommandRef),
    stop: () => server.stop(),
  };
};
