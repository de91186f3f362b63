/**
 * What each hosted handler did, by its entry under functions/: invocations as Lambda bills them (counted when the
 * call has finished, so a measurement that waits for it also sees every request it made), billed milliseconds,
 * invocations still running, and for SQS consumers the requests Lambda's poller makes around each batch. Every
 * invocation runs in an async scope named after its entry, so the capacity meter (shared/store/capacity-meter.ts)
 * files each DynamoDB and SQS request under the handler that made it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { scopeRequests } from '#shared/store/capacity-meter.ts';
import type { HandlerModule } from '../bin/local/lambda.ts';

export interface HandlerUsage {
  invocations: number;
  /** Each invocation's wall time rounded up to the millisecond, as Lambda bills duration, summed. */
  billedMs: number;
  inFlight: number;
  /** SQS records delivered (SQS consumers only). */
  records: number;
  /**
   * Lambda's SQS poller (event source mapping), as bin/local/hosts/queue.ts does it: one ReceiveMessage that returned
   * the batch and one DeleteMessageBatch when some of it succeeded. Empty long polls are fleet-wide, not per message.
   */
  pollerRequests: { ReceiveMessage: number; DeleteMessageBatch: number };
}

type Handler = HandlerModule['handler'];

/** Records of an SQS batch; undefined for any other event. */
const sqsRecords = (event: unknown): unknown[] | undefined => {
  const records = (event as { Records?: { eventSource?: unknown }[] } | null)?.Records;
  return records?.[0]?.eventSource === 'aws:sqs' ? records : undefined;
};

const failuresOf = (result: unknown): number =>
  (result as { batchItemFailures?: unknown[] } | null | undefined)?.batchItemFailures?.length ?? 0;

export class HandlerMeter {
  private readonly scope = new AsyncLocalStorage<string>();
  private readonly usage = new Map<string, HandlerUsage>();
  private total = 0;

  constructor() {
    scopeRequests(() => this.scope.getStore() ?? '');
  }

  /** `handler` of functions/`entry`, metered. */
  wrap(entry: string, handler: Handler): Handler {
    return async (event, context) => {
      const usage = this.of(entry);
      const records = sqsRecords(event);
      usage.inFlight += 1;
      const started = performance.now();
      let failures = records?.length ?? 0;
      try {
        const result = await this.scope.run(entry, () => handler(event, context));
        failures = failuresOf(result);
        return result;
      } finally {
        usage.inFlight -= 1;
        usage.invocations += 1;
        usage.billedMs += Math.ceil(performance.now() - started);
        if (records?.length) {
          usage.records += records.length;
          usage.pollerRequests.ReceiveMessage += 1;
          if (failures < records.length) usage.pollerRequests.DeleteMessageBatch += 1;
        }
        this.total += 1;
      }
    };
  }

  /** Invocations of every handler so far. */
  invocations(): number {
    return this.total;
  }

  /** A copy of what functions/`entry` did so far. */
  snapshot(entry: string): HandlerUsage {
    const u = this.of(entry);
    return { ...u, pollerRequests: { ...u.pollerRequests } };
  }

  /** A copy of what every handler invoked so far did, by entry. */
  snapshotAll(): Record<string, HandlerUsage> {
    return Object.fromEntries([...this.usage.keys()].map((entry) => [entry, this.snapshot(entry)]));
  }

  /** Whether no invocation of these entries (by default: of any handler) is running. */
  idle(entries: readonly string[] = [...this.usage.keys()]): boolean {
    return entries.every((e) => this.of(e).inFlight === 0);
  }

  private of(entry: string): HandlerUsage {
    let u = this.usage.get(entry);
    if (!u) this.usage.set(entry, (u = { invocations: 0, billedMs: 0, inFlight: 0, records: 0, pollerRequests: { ReceiveMessage: 0, DeleteMessageBatch: 0 } }));
    return u;
  }
}
