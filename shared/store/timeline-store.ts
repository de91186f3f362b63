/**
 * A charger's timeline: notifications that are facts to keep (firmware / diagnostics / log status, security
 * events, NotifyEvent, DataTransfer), keyed by time and content so one sent again is stored once. Plain puts,
 * batched with the message; secrets in payloads are masked before they are stored.
 */
import type { TimelineEntry } from '../charger/timeline.ts';
import { redactPayload } from '../log/redact.ts';
import type { StoreContext } from './context.ts';
import { timelineKey, timelinePk, withoutKeys } from './keys.ts';
import { mapPage, queryPage, timeBetween, type Page, type PageOptions, type TimeRange } from './queries.ts';
import { expiresAfter } from './retention.ts';

export const timelineStore = (ctx: StoreContext) => ({
  record(entry: TimelineEntry): Promise<void> {
    const now = ctx.now();
    return ctx.puts.put(ctx.tables.Csms, {
      ...timelineKey(entry.chargerId, entry.at, [entry.kind, entry.payload]),
      type: 'TimelineEntry',
      ...entry,
      payload: redactPayload(entry.payload),
      receivedAt: now.toISOString(),
      expiresAt: expiresAfter(now, ctx.retention.timelineDays),
    });
  },

  /** Newest first unless asked otherwise. */
  list: async (chargerId: string, options: PageOptions & TimeRange = {}): Promise<Page<TimelineEntry>> => {
    const between = timeBetween(options);
    return mapPage(await queryPage(ctx, { pk: timelinePk(chargerId), ...(between ? { between } : {}) }, { newestFirst: true, ...options }), (i) => withoutKeys<TimelineEntry>(i));
  },
});

export type TimelineStore = ReturnType<typeof timelineStore>;
