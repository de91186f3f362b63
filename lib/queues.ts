/**
 * The SQS queues of shared/store/queues.ts, each with its own dead-letter queue: SQS-managed encryption, TLS
 * only, FIFO (with content-based deduplication where declared) and the registry's visibility timeout and
 * max receives. The local runtime creates the same pairs in fauxqs (bin/local/queues.ts).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueDef } from '#shared/store/queues.ts';

export interface QueuesProps {
  readonly queues: readonly QueueDef[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

// The longest SQS keeps a message: a dead letter waits for a person.
const DEAD_LETTER_RETENTION = Duration.days(14);

export class Queues extends Construct {
  /** Queues by logical name. */
  readonly byName: Readonly<Record<string, Queue>>;
  /** Each queue's dead-letter queue, by the queue's logical name. */
  readonly deadLetters: Readonly<Record<string, Queue>>;

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const byName: Record<string, Queue> = {};
    const deadLetters: Record<string, Queue> = {};
    for (const def of props.queues) {
      const common = {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy,
        ...(def.fifo ? { fifo: true } : {}),
      };
      // Construct ids = logical name: renaming a definition replaces its queues.
      const dlq = new Queue(this, `${def.name}DeadLetters`, { ...common, retentionPeriod: DEAD_LETTER_RETENTION });
      byName[def.name] = new Queue(this, def.name, {
        ...common,
        ...(def.fifo && def.contentBasedDeduplication ? { contentBasedDeduplication: true } : {}),
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
      });
      deadLetters[def.name] = dlq;
    }
    this.byName = byName;
    this.deadLetters = deadLetters;
  }
}
