/**
 * The OCPP message log (its own table): every frame in and out, per charger, by time, expired by TTL. A
 * charger's frame and our reply are one item, a plain put batched with the facts the message records, so a
 * Heartbeat costs exactly this one write. The newest inbound item is also when the charger was last heard from.
 * Secrets a frame may carry are masked before it is stored.
 */
import { redactFrame } from '../log/redact.ts';
import type { FrameLogEntry, StoredFrame } from '../log/message-log.ts';
import type { StoreContext } from './context.ts';
import { messageLogKey, messageLogPk, withoutKeys } from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';
import { expiresAfter } from './retention.ts';

/** Message type, id and action of a parsed frame, for reading the log without parsing every frame. */
const describe = (parsed: unknown[] | undefined) => {
  if (!parsed) return {};
  const [type, messageId, action] = parsed;
  return {
    ...(typeof type === 'number' ? { messageType: type } : {}),
    ...(typeof messageId === 'string' ? { messageId } : {}),
    ...((type === 2 || type === 6) && typeof action === 'string' ? { action } : {}),
  };
};

export const messageLogStore = (ctx: StoreContext) => ({
  append(entry: FrameLogEntry): Promise<void> {
    const { frame, parsed } = redactFrame(entry.raw);
    const at = entry.at.toISOString();
    return ctx.puts.put(ctx.tables.MessageLog, {
      ...messageLogKey(entry.chargerId, at, entry.direction),
      chargerId: entry.chargerId,
      at,
      direction: entry.direction,
      connectionId: entry.connectionId,
      frame,
      ...(entry.reply ? { reply: redactFrame(entry.reply.raw).frame, repliedAt: entry.reply.at.toISOString() } : {}),
      ...(entry.answers ? { answers: entry.answers } : {}),
      ...describe(parsed),
      // Dated by our clock, not the charger's: a charger that lies about time cannot keep its frames forever.
      expiresAt: expiresAfter(ctx.now(), ctx.retention.messageLogDays),
    });
  },

  list: async (chargerId: string, options: PageOptions = {}): Promise<Page<StoredFrame>> =>
    mapPage(await queryPage(ctx, { table: 'MessageLog', pk: messageLogPk(chargerId) }, options), (i) => withoutKeys<StoredFrame>(i)),

  /** When the charger was last heard from: the time of its newest logged inbound frame. */
  async lastSeen(chargerId: string): Promise<string | undefined> {
    const newest = await queryPage(ctx, { table: 'MessageLog', pk: messageLogPk(chargerId) }, { newestFirst: true, limit: 5 });
    return (newest.items as { at?: string; direction?: string }[]).find((f) => f.direction === 'in')?.at;
  },
});

export type MessageLogStore = ReturnType<typeof messageLogStore>;
