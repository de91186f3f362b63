/** A bare WebSocket client for tests of the local runtime: open, refusals, next message, close. */
import { WebSocket } from 'ws';

export interface OpenOptions {
  readonly protocols?: readonly string[];
  /** `user:password`, sent as HTTP Basic `Authorization`. */
  readonly basic?: string;
}

const clientOptions = (o: OpenOptions) => ({
  headers: o.basic ? { Authorization: `Basic ${Buffer.from(o.basic).toString('base64')}` } : {},
});

/** Opens a connection; rejects with the HTTP status if the upgrade is refused. */
export const openSocket = (url: string, o: OpenOptions = {}): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [...(o.protocols ?? [])], clientOptions(o));
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });

/** The HTTP status an upgrade is refused with, and the response body; rejects if the upgrade succeeds. */
export const refusal = (url: string, o: OpenOptions = {}): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [...(o.protocols ?? [])], clientOptions(o));
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    ws.once('error', (e) => reject(e));
  });

/** The next text message on the socket. */
export const nextMessage = (ws: WebSocket): Promise<string> =>
  new Promise((resolve, reject) => {
    ws.once('message', (data: Buffer) => resolve(data.toString()));
    ws.once('close', (code) => reject(new Error(`closed with ${code} before a message arrived`)));
  });

/** Resolves with the close code and reason once the socket is closed. */
export const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  ws.readyState === WebSocket.CLOSED
    ? Promise.resolve({ code: 1005, reason: '' })
    : new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

/** Sends one frame (a raw string, or a value to JSON-encode) and returns the parsed reply frame. */
export const exchange = async (ws: WebSocket, frame: unknown): Promise<unknown[]> => {
  const reply = nextMessage(ws);
  ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  return JSON.parse(await reply) as unknown[];
};
