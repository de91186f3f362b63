/**
 * Watches the socket of an upgrade in progress: while the authorizer and `$connect` run (or the upgrade waits for
 * a slot), a client that closes or half-closes its side has given up. Node leaves an upgrade socket unread, so
 * without reading it a FIN goes unnoticed until `ws` refuses the socket at the end, after `$connect` has run.
 */
import type { Duplex } from 'node:stream';

export interface WatchedUpgrade {
  /** Fires once the client has closed or half-closed its side. */
  readonly gone: AbortSignal;
  /**
   * Stops watching and returns `head` with whatever the client sent meanwhile (nothing, from a conforming
   * client). Call it just before handing the socket on, in the same tick: it leaves the socket flowing.
   */
  release(head: Buffer): Buffer;
}

export const watchUpgrade = (socket: Duplex): WatchedUpgrade => {
  const controller = new AbortController();
  const early: Buffer[] = [];
  const onData = (chunk: Buffer) => early.push(chunk);
  const onGone = () => controller.abort();
  socket.on('data', onData);
  socket.on('end', onGone);
  socket.on('close', onGone);
  if (socket.destroyed || !socket.readable) controller.abort();
  return {
    gone: controller.signal,
    release: (head) => {
      socket.off('data', onData);
      socket.off('end', onGone);
      socket.off('close', onGone);
      return early.length ? Buffer.concat([head, ...early]) : head;
    },
  };
};
