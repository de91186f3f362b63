/**
 * A bare OCPP-J client on `ws` for load generation: one call in flight at a time (as a charger behaves), each
 * reply checked, latency measured. Deliberately no OCPP library, so the client costs little next to the server.
 */
import { WebSocket } from 'ws';

export type BenchProtocol = 'ocpp1.6' | 'ocpp2.0.1';

export interface SimCharger {
  id: string;
  password: string;
  protocol: BenchProtocol;
}

export interface CallOutcome {
  ok: boolean;
  ms: number;
  payload?: Record<string, unknown>;
  /** Why the reply was not a good CALLRESULT. */
  problem?: string;
  inBytes: number;
  outBytes: number;
}

const CALL_TIMEOUT_MS = 15_000;

/** The CALLRESULT payload for a CALL of the CSMS; told, with `performance.now()`, when it was sent. */
export interface CallAnswerer {
  answer(action: string, payload: unknown): object;
  sent?(messageId: string, action: string, at: number): void;
}

export class OcppBenchClient {
  private seq = 0;
  private pending?: { resolve: (raw: string) => void };
  private answerer?: CallAnswerer;
  private readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      const raw = data.toString();
      if (this.answerer && raw.startsWith('[2')) this.answerCall(this.answerer, raw);
      else this.pending?.resolve(raw);
    });
  }

  /** From now on, answers every CALL the CSMS sends (without one, a CALL would be taken for the reply awaited). */
  answerCalls(answerer: CallAnswerer): void {
    this.answerer = answerer;
  }

  private answerCall(answerer: CallAnswerer, raw: string): void {
    const [, messageId, action, payload] = JSON.parse(raw) as [2, string, string, unknown];
    this.ws.send(JSON.stringify([3, messageId, answerer.answer(action, payload)]));
    answerer.sent?.(messageId, action, performance.now());
  }

  static connect(url: string, charger: SimCharger): Promise<OcppBenchClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, [charger.protocol], {
        headers: { Authorization: `Basic ${Buffer.from(`${charger.id}:${charger.password}`).toString('base64')}` },
      });
      ws.once('open', () => resolve(new OcppBenchClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`${charger.id}: upgrade refused with ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  async call(action: string, payload: unknown): Promise<CallOutcome> {
    const id = `${++this.seq}`;
    const frame = JSON.stringify([2, id, action, payload]);
    const started = performance.now();
    const raw = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${action}: no reply in ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
      this.pending = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      this.ws.send(frame);
    }).catch((e: Error) => `ERROR:${e.message}`);
    const ms = performance.now() - started;
    this.pending = undefined;
    const sizes = { inBytes: Buffer.byteLength(frame), outBytes: Buffer.byteLength(raw) };
    if (raw.startsWith('ERROR:')) return { ok: false, ms, problem: raw.slice(6), ...sizes };
    let reply: unknown;
    try {
      reply = JSON.parse(raw);
    } catch {
      return { ok: false, ms, problem: `not JSON: ${raw.slice(0, 80)}`, ...sizes };
    }
    if (!Array.isArray(reply) || reply[0] !== 3 || reply[1] !== id || typeof reply[2] !== 'object') {
      return { ok: false, ms, problem: `${action}: ${raw.slice(0, 160)}`, ...sizes };
    }
    return { ok: true, ms, payload: reply[2] as Record<string, unknown>, ...sizes };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
