/**
 * The OCPP message log: every frame in and out, per charger, by time, expired by DynamoDB TTL. A charger's
 * frame and our reply to it are one item (one write per exchange). The newest item is also when the charger
 * was last heard from, so no other write is needed to keep "last seen".
 * Secrets a frame may carry are masked before the frame is stored (see redact.ts).
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mapPage, queryPage, type Page, type PageOptions } from '../store/queries.ts';
import type { StoreDeps } from '../deps.ts';
import { epochSeconds, withoutKeys } from '../store/keys.ts';
import { redactFrame } from './redact.ts';

export { redactFrame };

export type FrameDirection = 'in' | 'out';

export interface FrameLogEntry {
  chargerId: string;
  connectionId: string;
  /** `in`: a frame from the charger (with our reply, if any); `out`: a call we started. */
  direction: FrameDirection;
  raw: string;
  at: Date;
  reply?: { raw: string; at: Date };
}

export interface StoredFrame {
  chargerId: string;
  at: string;
  direction: FrameDirection;
  connectionId: string;
  frame: string;
  reply?: string;
  repliedAt?: string;
  messageType?: number;
  messageId?: string;
  action?: string;
}

const describe = (parsed: unknown[] | undefined) => {
  if (!parsed) return {};
  const [type, messageId, action] = parsed;
  return {
    ...(typeof type === 'number' ? { messageType: type } : {}),
    ...(typeof messageId === 'string' ? { messageId } : {}),
    ...((type === 2 || type === 6) && typeof action === 'string' ? { action } : {}),
  };
};

export const logFrame = async (deps: StoreDeps, retentionDays: number, entry: FrameLogEntry): Promise<void> => {
  const { frame, parsed } = redactFrame(entry.raw);
  const at = entry.at.toISOString();
  await deps.db.send(
    new PutCommand({
      TableName: deps.tables.messageLog,
      Item: {
        pk: entry.chargerId,
        // The random tail keeps two frames of the same millisecond apart.
        sk: `${at}#${entry.direction}#${randomUUID().slice(0, 8)}`,
        chargerId: entry.chargerId,
        at,
        direction: entry.direction,
        connectionId: entry.connectionId,
        frame,
        ...(entry.reply ? { reply: redactFrame(entry.reply.raw).frame, repliedAt: entry.reply.at.toISOString() } : {}),
        ...describe(parsed),
        expiresAt: epochSeconds(entry.at) + retentionDays * 86_400,
      },
    }),
  );
};

export const listFrames = async (deps: StoreDeps, chargerId: string, options: PageOptions = {}): Promise<Page<StoredFrame>> =>
  mapPage(await queryPage(deps, { table: 'messageLog', pk: chargerId }, options), (i) => withoutKeys<StoredFrame>(i));

/** When the charger was last heard from: the time of its newest logged frame. */
export const lastSeen = async (deps: StoreDeps, chargerId: string): Promise<string | undefined> => {
  const newest = await queryPage(deps, { table: 'messageLog', pk: chargerId }, { newestFirst: true, limit: 5 });
  return (newest.items as { at?: string; direction?: string }[]).find((f) => f.direction === 'in')?.at;
};
