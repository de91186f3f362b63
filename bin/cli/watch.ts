/**
 * `npm run cli -- watch <chargerId>... [--location <id>[,<id>]] [--kinds status,commands]`: follows live events
 * (docs/live-events.md) on the operators' WebSocket API and prints each on one line, until Ctrl-C. The token is
 * `--token`, else $TOKEN (as `export TOKEN=$(npm run -s cli -- user token alice)` sets it), else, locally, the
 * Cognito stand-in's token for `--as <username>`, as `user token` gets it. Locally the API is the running
 * `npm start`'s; with `--aws`, the stack output OperatorsWebSocketUrl given as `--url`.
 */
import { WebSocket } from 'ws';
import { bearerSubprotocol, LIVE_KINDS, LIVE_SUBPROTOCOL, type LiveEvent, type LiveKind } from '#shared/live/live-event.ts';
import { findRuntime, type RuntimeChoice } from '../local/runtime-file.ts';
import { type Options, UsageError } from './commands.ts';
import { tokenFrom } from './pool-target.ts';

export interface WatchRequest {
  readonly url: string;
  readonly token: string;
  readonly chargers: readonly string[];
  readonly locations: readonly string[];
  readonly kinds?: readonly LiveKind[];
}

const list = (value: unknown): string[] => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter((s) => s !== '') : []);

const kindsOf = (value: unknown): LiveKind[] | undefined => {
  const kinds = list(value);
  const unknown = kinds.filter((k) => !(LIVE_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new UsageError(`--kinds takes ${LIVE_KINDS.join(', ')}; not ${unknown.join(', ')}`);
  return kinds.length > 0 ? (kinds as LiveKind[]) : undefined;
};

/** Where and as whom to watch, from the options and the running runtime. */
export const watchRequest = async (chargers: readonly string[], o: Options, choice: RuntimeChoice): Promise<WatchRequest> => {
  const running = o.aws ? undefined : findRuntime(choice);
  const url = typeof o.url === 'string' ? o.url : running?.endpoints.operatorsWebSocket;
  if (!url) throw new UsageError(o.aws ? 'name the operators API with --url (stack output OperatorsWebSocketUrl)' : 'no local runtime with an operators API runs: start one with npm start');
  const as = typeof o.as === 'string' ? o.as : undefined;
  const given = typeof o.token === 'string' ? o.token : process.env.TOKEN;
  const pool = running?.userPool;
  const token = given ?? (as && pool ? await tokenFrom(pool.endpoint)(as) : undefined);
  if (!token) throw new UsageError('sign in first: export TOKEN=$(npm run -s cli -- user token <username>), or pass --token <access token> or --as <username>');
  const kinds = kindsOf(o.kinds);
  return { url, token, chargers, locations: list(o.location), ...(kinds ? { kinds } : {}) };
};

/** One line per event: time, charger, kind, then the data (JSON). */
export const eventLine = (e: LiveEvent): string =>
  `${e.at} ${e.chargerId}${e.locationId ? `@${e.locationId}` : ''} ${e.kind} ${JSON.stringify(e.data)}`;

/**
 * Connects, subscribes and hands each event line to `print` until the connection closes or `signal` aborts; says so
 * when the server closed it. Rejects when the API refuses the connection or the subscription.
 */
export const watch = (r: WatchRequest, print: (line: string) => void, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(r.url, [LIVE_SUBPROTOCOL, bearerSubprotocol(r.token)]);
    let closing = false; // by us (Ctrl-C, a refused subscription), not by the server
    const close = (code?: number) => {
      closing = true;
      ws.close(code);
    };
    signal?.addEventListener('abort', () => close(1000));
    ws.once('unexpected-response', (_req, res) => reject(new UsageError(`the operators API refused the connection (${res.statusCode}): is the token valid and unexpired?`)));
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ action: 'subscribe', chargers: r.chargers, locations: r.locations, ...(r.kinds ? { kinds: r.kinds } : {}) })));
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { type?: string; error?: string; targets?: string[] };
      if (message.type === 'event') print(eventLine(message as LiveEvent));
      else if (message.type === 'error') {
        close();
        reject(new UsageError(`the subscription was refused: ${message.error ?? ''}`));
      } else if (message.type === 'ack') console.error(`(watching ${message.targets?.join(', ') ?? ''}; Ctrl-C ends)`);
    });
    ws.once('close', (code: number) => {
      // Closed by the server (the fan-out drops a subscriber that falls behind; API Gateway ends connections at 2 hours).
      if (!closing) console.error(`(the server closed the connection, code ${code}: events may have been missed; watch again to resume)`);
      resolve();
    });
  });

export const watchUsage = `
  watch <chargerId>... [--location <id>[,<id>]] [--kinds status,meterValues,transactions,commands,files,boot]
                                          prints live events as they come, one line each, until Ctrl-C
                                          (token: --token, $TOKEN, or --as <username> locally; --aws --url <OperatorsWebSocketUrl>)`;
