/**
 * A per-charger message budget: a token bucket of `burst` messages refilled at `perMinute`. A charger over its
 * budget is answered without a single DynamoDB request (not even its message-log entry), so a flood costs
 * Lambda time and nothing else.
 *
 * Kept in memory, per warm container: counting in DynamoDB would add a request to every message, the cost the
 * budget exists to bound. So on AWS a charger whose frames are spread over N concurrent containers gets up to N
 * budgets; each container still bounds what it spends, and API Gateway's throttles bound the rest. Locally one
 * process hosts every handler, so the budget is exact.
 */
export interface MessageBudgetSettings {
  /** Sustained rate: tokens added per minute. */
  perMinute: number;
  /** Bucket size: messages a charger may send at once (after a reconnect it replays what it queued). */
  burst: number;
}

export interface MessageBudget {
  /** Takes one message's token; false when the charger has none left. */
  admit(chargerId: string, now: Date): boolean;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Chargers remembered per container; the oldest is forgotten first (it starts again with a full bucket). */
const MAX_CHARGERS = 10_000;

export const messageBudget = ({ perMinute, burst }: MessageBudgetSettings): MessageBudget => {
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;
  return {
    admit(chargerId, now) {
      const at = now.getTime();
      const bucket = buckets.get(chargerId) ?? { tokens: burst, at };
      // Re-inserted on every message, so the Map's order is least recently seen first.
      buckets.delete(chargerId);
      bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, at - bucket.at) * perMs);
      bucket.at = at;
      const admitted = bucket.tokens >= 1;
      if (admitted) bucket.tokens -= 1;
      buckets.set(chargerId, bucket);
      if (buckets.size > MAX_CHARGERS) buckets.delete(buckets.keys().next().value as string);
      return admitted;
    },
  };
};
