/**
 * The OCPP message log (its own table): every frame in and out, per charger, by time, expired by TTL. A
 * charger's frame and our reply are one item, a plain put batched with the facts the message records, so a
 * Heartbeat costs exactly this one write. The newest inbound item is also when the charger was last heard from.
 * Secrets a frame may carry are masked before it is stored.
 */
import { createHash } from 'node:crypto';
import { redactFrame } from '../log/redact.ts';
import { headOf, MAX_LOGGED_FRAME_BYTES, type FrameLogEntry, type StoredFrame } from '../log/message-log.ts';
import type { StoreContext } from './context.ts';
import { messageLogKey, messageLogPk, withoutKeys } from './keys.ts';
import { mapPage, queryPage, timeBetween, type Page, type PageOptions, type TimeRange } from './queries.ts';
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

/** A frame as logged: masked, and truncated with its size and hash when long; `name` prefixes the extra attributes. */
const loggedFrame = (raw: string, name: 'frame' | 'reply') => {
  const { frame, parsed } = redactFrame(raw);
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes <= MAX_LOGGED_FRAME_BYTES && Buffer.byteLength(frame, 'utf8') <= MAX_LOGGED_FRAME_BYTES) return { text: frame, parsed, extra: {} };
  return {
    text: headOf(frame, MAX_LOGGED_FRAME_BYTES),
    parsed,
    extra: { [`${name}Bytes`]: bytes, [`${name}Sha256`]: createHash('sha256').update(raw, 'utf8').digest('hex'), [`${name}Truncated`]: true },
  };
};

export const messageLogStore = (ctx: StoreContext) => ({
  async append(entry: FrameLogEntry): Promise<void> {
    const { text: frame, parsed, extra } = loggedFrame(entry.raw, 'frame');
    const reply = entry.reply && loggedFrame(entry.reply.raw, 'reply');
    const at = entry.at.toISOString();
    await ctx.puts.put(ctx.tables.MessageLog, {
      ...messageLogKey(entry.chargerId, at, entry.direction),
      chargerId: entry.chargerId,
      at,
      direction: entry.direction,
      connectionId: entry.connectionId,
      frame,
      ...extra,
      ...(entry.reply && reply ? { reply: reply.text, ...reply.extra, repliedAt: entry.reply.at.toISOString() } : {}),
      ...(entry.answers ? { answers: entry.answers } : {}),
      ...describe(parsed),
      // Dated by our clock, not the charger's: a charger that lies about time cannot keep its frames forever.
      expiresAt: expiresAfter(ctx.now(), ctx.retention.messageLogDays),
    });
  },

  list: async (chargerId: string, options: PageOptions & TimeRange = {}): Promise<Page<StoredFrame>> => {
    const between = timeBetween(options);
    return mapPage(await queryPage(ctx, { table: 'MessageLog', pk: messageLogPk(chargerId), ...(between ? { between } : {}) }, options), (i) => withoutKeys<StoredFrame>(i));
  },

  /** When the charger was last heard from: the time of its newest logged inbound frame. */
  async lastSeen(chargerId: string): Promise<string | undefined> {
    const newest = await queryPage(ctx, { table: 'MessageLog', pk: messageLogPk(chargerId) }, { newestFirst: true, limit: 5 });
    return (newest.items as { at?: string; direction?: string }[]).find((f) => f.direction === 'in')?.at;
  },
});

export type MessageLogStore = ReturnType<typeof messageLogStore>;
