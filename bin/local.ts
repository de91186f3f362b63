/**
 * `npm start`: the platform on this machine, no AWS account and no Docker. Data stays in .local/ across restarts.
 * Ctrl-C stops every host (connections close and run $disconnect, pollers finish their batch), then fauxqs and
 * DynamoDB Local.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { LocalRuntime, LocalRuntimeOptions } from './local/runtime.ts';

// fauxqs imports node:sqlite, which Node 22 announces as experimental on every start: noise for our users.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
  if (!String(warning).includes('SQLite is an experimental feature')) emitWarning(warning, ...rest);
}) as typeof process.emitWarning;

// Imported after the filter above is in place.
const { DEFAULT_DATA_DIR } = await import('./local/runtime-file.ts');
const { startLocalRuntime } = await import('./local/runtime.ts');

const USAGE = `Usage: npm start -- [options]

  -p, --port <n>               charger WebSocket / @connections port (default: env PORT, else 8080; 0 = any free port)
      --rest-port <n>          REST API port, when there are http routes (default: env REST_PORT, else 8081)
      --uploads-port <n>       HTTPS upload endpoint chargers send diagnostics and logs to (default: env UPLOADS_PORT, else 8084)
      --operators-port <n>     the operators' WebSocket API: live events (default: env OPERATORS_PORT, else 8082)
      --auth-port <n>          the Cognito stand-in: user pool API, JWKS, token endpoint (default: env AUTH_PORT, else 8083)
      --sftp-port <n>          the SFTP stand-in for Transfer Family, where chargers upload with one-time
                               tokens (default: env SFTP_PORT, else 2222)
      --firmware-http-port <n> the plain-HTTP firmware distribution (CloudFront on AWS) chargers that cannot do
                               HTTPS download firmware from (default: env FIRMWARE_HTTP_PORT, else 8085)
      --data-dir <dir>         where DynamoDB and SQS/S3 data are kept (default: .local)
      --in-memory              keep nothing: start from empty tables, lose them on exit
      --auto-register          let unknown chargers register themselves as pending, if their id matches
                               --auto-register-allow or their password is an enrolment code (default: env AUTO_REGISTER, else off)
      --auto-register-allow <patterns>
                               ids that may auto-register, comma-separated, * and ? wildcards, any case, e.g.
                               'SIM-*,TEST-??' (default: env AUTO_REGISTER_ALLOW, else none: enrolment codes only)
      --heartbeat-interval <s> heartbeat interval handed to chargers (default: env HEARTBEAT_INTERVAL_SECONDS, else 300)
      --log-retention-days <d> days the OCPP message log is kept (default: env MESSAGE_LOG_RETENTION_DAYS, else 30)
  -h, --help
`;

const number = (value: string | undefined, flag: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number, got "${value}"`);
  return n;
};

const options = (): LocalRuntimeOptions | undefined => {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      'rest-port': { type: 'string' },
      'auth-port': { type: 'string' },
      'operators-port': { type: 'string' },
      'uploads-port': { type: 'string' },
      'sftp-port': { type: 'string' },
      'firmware-http-port': { type: 'string' },
      'data-dir': { type: 'string' },
      'in-memory': { type: 'boolean' },
      'auto-register': { type: 'boolean' },
      'auto-register-allow': { type: 'string' },
      'heartbeat-interval': { type: 'string' },
      'log-retention-days': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const heartbeat = number(values['heartbeat-interval'], '--heartbeat-interval');
  const retention = number(values['log-retention-days'], '--log-retention-days');
  return {
    port: number(values.port ?? process.env.PORT, '--port') ?? 8080,
    restPort: number(values['rest-port'] ?? process.env.REST_PORT, '--rest-port') ?? 8081,
    operatorsPort: number(values['operators-port'] ?? process.env.OPERATORS_PORT, '--operators-port') ?? 8082,
    authPort: number(values['auth-port'] ?? process.env.AUTH_PORT, '--auth-port') ?? 8083,
    uploadsPort: number(values['uploads-port'] ?? process.env.UPLOADS_PORT, '--uploads-port') ?? 8084,
    sftpPort: number(values['sftp-port'] ?? process.env.SFTP_PORT, '--sftp-port') ?? 2222,
    firmwareHttpPort: number(values['firmware-http-port'] ?? process.env.FIRMWARE_HTTP_PORT, '--firmware-http-port') ?? 8085,
    ...(values['in-memory'] ? {} : { dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR }),
    ...(values['auto-register'] ? { autoRegister: true } : {}),
    ...(values['auto-register-allow'] !== undefined ? { autoRegisterAllow: values['auto-register-allow'] } : {}),
    ...(heartbeat === undefined ? {} : { heartbeatIntervalSeconds: heartbeat }),
    ...(retention === undefined ? {} : { messageLogRetentionDays: retention }),
  };
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const line = (label: string, value: string) => `  ${label.padEnd(16)} ${value}\n`;

/** How the banner names an endpoint, and what it adds to the URL. */
const ENDPOINT_LABELS: Readonly<Record<string, { readonly label: string; readonly show: (url: string) => string }>> = {
  restApi: { label: 'REST API', show: (url) => `${url}/<path>` },
  operatorsWebSocket: { label: 'Live events', show: (url) => `${url}   operators' WebSocket API (npm run cli -- watch CP-1)` },
  operatorsConnections: { label: '', show: (url) => `@connections ${url}` },
  uploads: { label: 'Uploads', show: (url) => `${url}/<chargeBoxId>/<token>[/<file name>]` },
  sftp: { label: 'SFTP uploads', show: (url) => `${url}   user: the charger id, password: its upload token` },
  metrics: { label: 'Metrics', show: (url) => `${url}   (JSON; or: npm run cli -- metrics)` },
  firmwareHttp: { label: 'Firmware (HTTP)', show: (url) => `${url}/firmware/<token>/<name>   (UpdateFirmware with "downloadVia":"http")` },
};

/** The endpoints the hosts serve, beyond the charger ones printed first. */
const otherEndpoints = (rt: LocalRuntime): string =>
  (rt.restUrl ? '' : line('REST API', 'none yet (no http routes in functions/routes.ts)')) +
  Object.entries(rt.endpoints)
    .filter(([name]) => !['chargerWebSocket', 'chargerConnections', 'dynamodb', 'sqs', 's3', 'cognito'].includes(name))
    .map(([name, url]) => line(ENDPOINT_LABELS[name]?.label ?? name, ENDPOINT_LABELS[name]?.show(url) ?? url))
    .join('');

const routeSummary = (rt: LocalRuntime): string =>
  Object.entries(rt.routeCounts)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');

/** The CLI finds a lone runtime by itself; the flag names this one when several run. */
const cliFlag = (rt: LocalRuntime): string => {
  if (!rt.dataDir) return '--in-memory ';
  return rt.dataDir === DEFAULT_DATA_DIR.replace(/\/$/, '') ? '' : `--data-dir ${relative(process.cwd(), rt.dataDir) || '.'} `;
};

const chargerLines = (rt: LocalRuntime): string =>
  rt.wsUrl
    ? line('Charger URL', `${rt.wsUrl}/<chargeBoxId>   e.g. ${rt.chargerUrl('CP-1')}`) +
      line('', "subprotocols ocpp1.6, ocpp2.0.1, ocpp2.1; Basic auth as the charger's password says") +
      line('@connections', `${rt.managementEndpoint}/@connections/{connectionId}`)
    : '';

const userPoolLines = (rt: LocalRuntime): string =>
  line('Cognito', `${rt.userPool.endpoint}   user pool ${rt.userPool.id}, people client ${rt.userPool.peopleClientId}`) +
  line('', `issuer ${rt.userPool.issuer}; token endpoint ${rt.userPool.tokenUrl}`);

const standInLines = (rt: LocalRuntime): string => {
  const queues = Object.entries(rt.queues).map(([name, q]) => line(`  ${name}`, `${q.url}  (dead letters: ${q.deadLetterUrl})`));
  return (
    line('DynamoDB Local', `${rt.dynamodbEndpoint}   tables ${Object.values(rt.tables).join(', ')}`) +
    line('SQS + S3', `${rt.sqsS3Endpoint}   (fauxqs)`) +
    (queues.length ? line('SQS queues', '') + queues.join('') : '') +
    (Object.keys(rt.buckets).length ? line('S3 buckets', Object.values(rt.buckets).join(', ')) : '')
  );
};

const banner = (rt: LocalRuntime): string => {
  const data = rt.dataDir ? `${relative(process.cwd(), rt.dataDir) || '.'}  (delete it to start afresh)` : 'in memory (nothing is kept)';
  const ddb = rt.startup.dynamodbMs === undefined ? '' : `; DynamoDB Local answered after ${seconds(rt.startup.dynamodbMs)}`;
  const allow = rt.env.AUTO_REGISTER_ALLOW ? `ids ${rt.env.AUTO_REGISTER_ALLOW} and` : 'only';
  const autoRegister =
    rt.env.AUTO_REGISTER === 'true'
      ? `on: ${allow} chargers with an enrolment code (npm run cli -- enrolment add) register as pending`
      : 'off (--auto-register to let unknown chargers register themselves)';
  const file = rt.dataDir ? relative(process.cwd(), `${rt.dataDir}/runtime.json`) : 'a file under .local/runtimes/';
  return [
    `\nO-V2X-MP local runtime is up (${seconds(rt.startup.totalMs)}${ddb})\n\n`,
    chargerLines(rt),
    otherEndpoints(rt),
    userPoolLines(rt),
    standInLines(rt),
    line('Routes', routeSummary(rt)),
    line('Data', data),
    line('Auto-register', autoRegister),
    line('Heartbeat', `every ${rt.env.HEARTBEAT_INTERVAL_SECONDS ?? 300} s`),
    `\nThese endpoints are also in ${file}, where the CLI and tests find them.\n`,
    `Create an operator first (in another terminal):  npm run cli -- ${cliFlag(rt)}user add alice --role admin\n`,
    `then get a token for scripts:                    npm run cli -- ${cliFlag(rt)}user token alice\n`,
    `Register a charger:                              npm run cli -- ${cliFlag(rt)}charger add CP-1\n`,
    'Press Ctrl-C to stop.\n',
  ].join('');
};

/**
 * Ctrl-C while starting exits at once (dynamo-local's exit hook kills Java); once up, it stops in order, and a
 * second Ctrl-C exits without waiting. tsx relays the terminal's SIGINT, so one Ctrl-C can arrive twice.
 * "Stopped cleanly" only when nothing was lost on the way (e.g. no `$disconnect` failed with DynamoDB down).
 */
const handleSignals = () => {
  let runtime: LocalRuntime | undefined;
  let stoppingSince: number | undefined;
  const stop = (why: string, failed: boolean) => {
    if (!runtime) return;
    stoppingSince = Date.now();
    process.stdout.write(`\n${why}: closing connections, finishing batches, stopping fauxqs and DynamoDB Local...\n`);
    runtime.stop().then(
      ({ problems }) => {
        if (problems.length === 0 && !failed) {
          process.stdout.write('Stopped cleanly.\n');
          process.exit(0);
        }
        process.stderr.write(`Stopped, but not cleanly:\n${problems.map((p) => `  - ${p}\n`).join('')}`);
        process.exit(1);
      },
      (e: unknown) => {
        process.stderr.write(`Error while stopping: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  const shutdown = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined && Date.now() - stoppingSince < 1_000) return; // the relayed copy
    if (!runtime || stoppingSince !== undefined) {
      process.stderr.write(`\n${signal}: exiting without waiting.\n`);
      process.exit(130);
    }
    stop(signal, false);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  return {
    started: (started: LocalRuntime) => {
      runtime = started;
    },
    /** The runtime cannot go on (its DynamoDB Local is gone for good): say so, stop, exit non-zero. */
    fatal: (e: Error) => {
      process.stderr.write(`\nnpm start cannot go on: ${e.message}\n`);
      if (!runtime) process.exit(1);
      if (stoppingSince === undefined) stop('Stopping', true);
    },
  };
};

const main = async () => {
  const opts = options();
  if (!opts) {
    process.stdout.write(USAGE);
    return;
  }
  const signals = handleSignals();
  const runtime = await startLocalRuntime({ ...opts, onFatal: signals.fatal });
  signals.started(runtime);
  process.stdout.write(banner(runtime));
};

const explain = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EADDRINUSE') return `${err.message}. Another npm start? Pick another port: npm start -- --port 8081`;
  return e instanceof Error ? e.message : String(e);
};

main().catch((e: unknown) => {
  process.stderr.write(`\nnpm start failed: ${explain(e)}\n`);
  process.exit(1);
});
