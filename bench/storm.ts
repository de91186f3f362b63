/**
 * A reconnect storm: every charger of a fleet connects at once (`parallel` at a time, as after a deploy or a
 * network blip), boots, and counts as back once its BootNotification is accepted. Clients behave like charger
 * firmware: a refused or timed-out upgrade is retried, after `Retry-After` when the server sends one. The figure
 * is the time until the whole fleet is back, with what the server answered on the way.
 */
import { WebSocket } from 'ws';
import type { SimCharger } from './ocpp-client.ts';
import { bootStep, freshState } from './scenario.ts';

export interface StormResult {
  chargers: number;
  parallel: number;
  /** Until the last charger's BootNotification was accepted. */
  seconds: number;
  /** Upgrade answers other than 101, by HTTP status ("timeout": the client gave up waiting). */
  refusals: Record<string, number>;
  /** Upgrades that had to be retried. */
  retries: number;
  /** Chargers that were not back when the storm's deadline passed. */
  notBack: number;
  /** From the whole fleet closing its connections at once until every `$disconnect` has run. */
  goneSeconds?: number;
  /** What the gateway counted: upgrades refused busy or abandoned by clients, `$disconnect`s that failed. */
  gateway?: { upgradesRefusedBusy: number; upgradesAbandoned: number; disconnectsFailed: number };
}

/** As charger firmware gives up on a silent handshake (the gateway refuses a waiting upgrade after 8 s). */
const HANDSHAKE_TIMEOUT_MS = 20_000;
const RETRY_WITHOUT_HINT_MS = 1_000;
const BOOT_TIMEOUT_MS = 15_000;

type Attempt = { readonly ws: WebSocket } | { readonly refused: string; readonly retryAfterMs: number };

const attempt = (url: string, c: SimCharger): Promise<Attempt> =>
  new Promise((resolve) => {
    const ws = new WebSocket(url, [c.protocol], {
      headers: { Authorization: `Basic ${Buffer.from(`${c.id}:${c.password}`).toString('base64')}` },
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      const hint = Number(res.headers['retry-after']);
      res.resume();
      ws.terminate();
      resolve({ refused: String(res.statusCode), retryAfterMs: Number.isFinite(hint) && hint > 0 ? hint * 1_000 : RETRY_WITHOUT_HINT_MS });
    });
    ws.once('error', (e) => resolve({ refused: /timed? ?out/i.test(e.message) ? 'timeout' : `error: ${e.message}`, retryAfterMs: RETRY_WITHOUT_HINT_MS }));
  });

/** One BootNotification; resolves with a problem, or undefined when accepted. */
const boot = (ws: WebSocket, c: SimCharger): Promise<string | undefined> =>
  new Promise((resolve) => {
    const step = bootStep(c.protocol);
    const state = freshState(c.id, c.id, Date.now());
    const timer = setTimeout(() => resolve('no BootNotification answer'), BOOT_TIMEOUT_MS);
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      const reply = JSON.parse(data.toString()) as unknown[];
      resolve(reply[0] === 3 ? step.check?.((reply[2] ?? {}) as Record<string, unknown>, state) : `answered ${data.toString().slice(0, 80)}`);
    });
    ws.send(JSON.stringify([2, 'boot-1', step.action, step.payload(state)]));
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the storm; the sockets stay open (close them with `closeStorm`). Gives up on a charger after `deadlineMs`. */
export const runStorm = async (
  url: (id: string) => string,
  fleet: readonly SimCharger[],
  parallel: number,
  deadlineMs = 120_000,
): Promise<{ result: StormResult; sockets: WebSocket[] }> => {
  const refusals: Record<string, number> = {};
  const sockets: WebSocket[] = [];
  let retries = 0;
  let notBack = 0;
  const queue = [...fleet];
  const started = performance.now();
  const deadline = started + deadlineMs;
  const bringBack = async (c: SimCharger) => {
    while (performance.now() < deadline) {
      const a = await attempt(url(c.id), c);
      if ('ws' in a) {
        const problem = await boot(a.ws, c);
        if (!problem) return void sockets.push(a.ws);
        a.ws.terminate();
        refusals[`boot: ${problem}`] = (refusals[`boot: ${problem}`] ?? 0) + 1;
      } else {
        refusals[a.refused] = (refusals[a.refused] ?? 0) + 1;
        await sleep(a.retryAfterMs);
      }
      retries += 1;
    }
    notBack += 1;
  };
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) await bringBack(c);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, fleet.length) }, worker));
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  return { result: { chargers: fleet.length, parallel, seconds, refusals, retries, notBack }, sockets };
};

export const closeStorm = async (sockets: readonly WebSocket[]) => {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close();
        }),
    ),
  );
};

/** What the storm lost (chargers not back, `$disconnect`s that failed), or undefined when it lost nothing. */
export const stormLosses = (s: StormResult): string | undefined => {
  const disconnectsFailed = s.gateway?.disconnectsFailed ?? 0;
  return s.notBack > 0 || disconnectsFailed > 0 ? `${s.notBack} not back, ${disconnectsFailed} $disconnects failed` : undefined;
};

export const stormMarkdown = (s: StormResult): string[] => {
  const refusals = Object.entries(s.refusals).map(([status, n]) => `${status}: ${n}`).join(', ') || 'none';
  return [
    '## Reconnect storm',
    '',
    `${s.chargers} chargers connect and boot at once, ${s.parallel} in parallel; refused or timed-out upgrades are retried (after Retry-After when given).`,
    '',
    '| chargers | parallel | all back after | refusals on the way | retries | not back |',
    '|---|---|---|---|---|---|',
    `| ${s.chargers} | ${s.parallel} | **${s.seconds} s** | ${refusals} | ${s.retries} | ${s.notBack} |`,
    '',
    s.gateway
      ? `Gateway: ${s.gateway.upgradesRefusedBusy} upgrades refused busy (503), ${s.gateway.upgradesAbandoned} abandoned by their clients.`
      : '',
    s.goneSeconds !== undefined
      ? `Then the fleet leaves at once: every \`$disconnect\` has run after ${s.goneSeconds} s, ${s.gateway?.disconnectsFailed ?? 0} failed (a failed one leaves its charger recorded as connected).`
      : '',
    '',
  ];
};
