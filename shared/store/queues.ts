/**
 * The SQS queues, as data. The CDK stack (lib/queues.ts) and the local runtime (bin/local/queues.ts) both create
 * each queue and its dead-letter queue from these definitions, so redrive and visibility cannot drift.
 * Routes name a queue to consume it (`kind: 'queue'`), to send to it (`access.queues`), or as the failure
 * destination of a stream consumer.
 */
export interface QueueDef {
  /** Logical name: the CDK construct id and the local queue name (`.fifo` is appended for FIFO queues). */
  readonly name: string;
  /** Environment variable through which handlers with access to the queue receive its URL. */
  readonly envVar: string;
  /** FIFO: ordered and exactly-once per message group (`MessageGroupId`). */
  readonly fifo: boolean;
  /** FIFO only: a SHA-256 of the body stands in for a missing `MessageDeduplicationId`. @default false */
  readonly contentBasedDeduplication?: boolean;
  /**
   * How long a received message stays hidden. Lambda refuses to consume a queue whose visibility timeout is
   * below the function's timeout; both hosts check it. AWS advises six times the function timeout.
   */
  readonly visibilityTimeoutSeconds: number;
  /** Receives after which SQS moves a message to the queue's dead-letter queue. */
  readonly maxReceiveCount: number;
}

/**
 * CSMS-initiated commands, one message group per charger (shared/store/command-queues.ts). A command waiting for the
 * charger's CALL in flight is received again every few seconds until the slot frees (at the latest at the slot's
 * deadline, at most 300 s): at most about 64 receives, so `maxReceiveCount` leaves waiting out of the DLQ, which only
 * gets messages whose dispatch kept failing (the command is marked `failed: Undeliverable` on the last try).
 */
export const commandsQueue = {
  name: 'Commands',
  envVar: 'COMMANDS_QUEUE_URL',
  fifo: true,
  visibilityTimeoutSeconds: 180,
  maxReceiveCount: 100,
} as const satisfies QueueDef;

/** Delayed messages that arrive at sent commands' deadlines. */
export const commandTimeoutsQueue = {
  name: 'CommandTimeouts',
  envVar: 'COMMAND_TIMEOUTS_QUEUE_URL',
  fifo: false,
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
} as const satisfies QueueDef;

/** Where a stream consumer's batch that kept failing is described (Lambda's on-failure destination). */
export const changeFeedFailuresQueue = {
  name: 'ChangeFeedFailures',
  envVar: 'CHANGE_FEED_FAILURES_QUEUE_URL',
  fifo: false,
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
} as const satisfies QueueDef;

export const queues = [commandsQueue, commandTimeoutsQueue, changeFeedFailuresQueue] as const satisfies readonly QueueDef[];
