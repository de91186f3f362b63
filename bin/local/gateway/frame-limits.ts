/**
 * API Gateway's frame limit: a single WebSocket frame may carry at most 32 KB; a message up to 128 KB arrives
 * only as fragments of at most 32 KB each. `ws` has one limit (`maxPayload`), which it applies to the message,
 * so the gateway reads frame headers itself, between the socket and `ws`, and closes with 1009 on the first
 * frame over the limit, as API Gateway does. `ws` never sees that frame.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** API Gateway's limit on one frame's payload. */
export const MAX_FRAME_BYTES = 32 * 1024;

/** Bytes of the frame header that starts with these bytes (RFC 6455 §5.2); 2 until the second byte is known. */
const headerLength = (b: readonly number[]): number => {
  if (b.length < 2) return 2;
  const len7 = b[1]! & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b[1]! & 0x80 ? 4 : 0);
};

const payloadLength = (b: readonly number[]): number => {
  const len7 = b[1]! & 0x7f;
  if (len7 === 126) return (b[2]! << 8) | b[3]!;
  if (len7 === 127) return b.slice(2, 10).reduce((n, byte) => n * 256 + byte, 0); // > 2^53 is "too big" anyway
  return len7;
};

/**
 * Follows frame boundaries across chunks. `scan(chunk)` returns the offset in `chunk` where a frame whose
 * payload exceeds `maxFrameBytes` begins (0 if its header began in an earlier chunk), or -1 if there is none.
 */
export const frameScanner = (maxFrameBytes: number) => {
  let header: number[] = [];
  let payloadLeft = 0;
  return (chunk: Buffer): number => {
    let i = 0;
    while (i < chunk.length) {
      if (payloadLeft > 0) {
        const n = Math.min(payloadLeft, chunk.length - i);
        payloadLeft -= n;
        i += n;
        continue;
      }
      const headerStart = i - header.length;
      while (i < chunk.length && header.length < headerLength(header)) header.push(chunk[i++]!);
      if (header.length < headerLength(header)) return -1;
      const length = payloadLength(header);
      header = [];
      if (length > maxFrameBytes) return Math.max(0, headerStart);
      payloadLeft = length;
    }
    return -1;
  };
};

/**
 * Puts the frame check between `socket` and the `ws` WebSocket that has just taken it over (call it in the
 * `handleUpgrade` callback, before any data flows): frames reach `ws` until one is too big; then `onTooBig` runs,
 * and everything after it is dropped, as `ws` drops what follows a frame it refuses.
 */
export const limitFrameSize = (ws: WebSocket, socket: Duplex, maxFrameBytes: number, onTooBig: () => void): void => {
  const toWs = socket.listeners('data') as ((this: Duplex, chunk: Buffer) => void)[];
  socket.removeAllListeners('data');
  const scan = frameScanner(maxFrameBytes);
  let stopped = false;
  // `ws` stops reading after a protocol error of its own (it removes its listener, which is no longer there).
  ws.on('error', () => void (stopped = true));
  socket.on('data', (chunk: Buffer) => {
    if (stopped) return;
    const tooBigAt = scan(chunk);
    const passed = tooBigAt < 0 ? chunk : chunk.subarray(0, tooBigAt);
    if (passed.length > 0) for (const listener of toWs) listener.call(socket, passed);
    if (tooBigAt >= 0) {
      stopped = true;
      onTooBig();
    }
  });
};
