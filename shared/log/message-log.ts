/**
 * The OCPP message log: every frame in and out, per charger, by time (shared/store/message-log-store.ts).
 * A charger's frame and our reply to it are one entry; the newest entry is also when the charger was last heard
 * from, so no other write is needed to keep "last seen". Secrets a frame may carry are masked (redact.ts); a
 * frame over 16 KB keeps its first 16 KB, its size and its hash (shared/store/message-log-store.ts).
 */
export type FrameDirection = 'in' | 'out';

/**
 * Frames longer than this are logged truncated: a 128 KB frame would cost 128 write units per log entry. The
 * entry keeps the whole frame's size in bytes and its SHA-256 (of the frame as received), so a copy the charger
 * or its vendor kept can be matched to it. The facts a frame carries are stored in full where they belong
 * (meter values, reports).
 */
export const MAX_LOGGED_FRAME_BYTES = 16 * 1024;

/** The first `max` bytes of `text`, not splitting a character. */
export const headOf = (text: string, max: number): string =>
  Buffer.from(text, 'utf8').subarray(0, max).toString('utf8').replace(/\uFFFD+$/, '');

export interface FrameLogEntry {
  chargerId: string;
  connectionId: string;
  /** `in`: a frame from the charger (with our reply, if any); `out`: a call we started. */
  direction: FrameDirection;
  raw: string;
  at: Date;
  reply?: { raw: string; at: Date };
  /** For a charger's CALLRESULT / CALLERROR: the action of our CALL it answers, when known. */
  answers?: string;
}

export interface StoredFrame {
  chargerId: string;
  at: string;
  direction: FrameDirection;
  connectionId: string;
  /** As received, secrets masked; only its first MAX_LOGGED_FRAME_BYTES when `frameTruncated`. */
  frame: string;
  /** Set on a truncated frame: its whole size in bytes and the SHA-256 (hex) of the frame as received. */
  frameTruncated?: true;
  frameBytes?: number;
  frameSha256?: string;
  reply?: string;
  replyTruncated?: true;
  replyBytes?: number;
  replySha256?: string;
  repliedAt?: string;
  messageType?: number;
  messageId?: string;
  action?: string;
  answers?: string;
}
