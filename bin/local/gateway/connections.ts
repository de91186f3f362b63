/**
 * One accepted WebSocket connection and API Gateway's clocks on it: the idle timeout (only data frames count,
 * either way; pings do not) and the maximum connection duration.
 */
import { WebSocket } from 'ws';
import type { ConnectionInfo } from '../events/index.ts';

export interface ConnectionLimits {
  /** Close after this long without a data frame; 0 = never. API Gateway: 10 minutes. */
  readonly idleTimeoutMs: number;
  /** Close this long after the upgrade; 0 = never. API Gateway: 2 hours. */
  readonly maxConnectionMs: number;
}

export const API_GATEWAY_LIMITS: ConnectionLimits = { idleTimeoutMs: 10 * 60_000, maxConnectionMs: 2 * 3_600_000 };

export interface LiveConnection {
  readonly info: ConnectionInfo;
  isOpen(): boolean;
  lastActiveAt(): number;
  /** Sends a text frame to the client; counts as activity. */
  send(text: string): Promise<void>;
  close(code: number, reason: string): void;
  /** Records inbound activity. */
  touch(): void;
  /** Stops the clocks (the socket is gone). */
  dispose(): void;
}

// API Gateway closes connections it times out with 1001 (going away).
const GOING_AWAY = 1001;

const timer = (ms: number, fire: () => void) => (ms > 0 ? setTimeout(fire, ms).unref() : undefined);

export const liveConnection = (socket: WebSocket, info: ConnectionInfo, limits: ConnectionLimits): LiveConnection => {
  let lastActive = Date.now();
  const close = (code: number, reason: string) => {
    if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
  };
  const idle = timer(limits.idleTimeoutMs, () => close(GOING_AWAY, 'Going away'));
  const max = timer(limits.maxConnectionMs, () => close(GOING_AWAY, 'Going away'));
  const touch = () => {
    lastActive = Date.now();
    idle?.refresh();
  };
  return {
    info,
    isOpen: () => socket.readyState === WebSocket.OPEN,
    lastActiveAt: () => lastActive,
    send: (text) =>
      new Promise<void>((resolve, reject) => {
        touch();
        socket.send(text, (err) => (err ? reject(err) : resolve()));
      }),
    close,
    touch,
    dispose: () => {
      clearTimeout(idle);
      clearTimeout(max);
    },
  };
};
