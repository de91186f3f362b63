/**
 * `npm start` when its DynamoDB Local dies: a persistent store is restarted on the same port and data; an
 * in-memory one stops the runtime, and a stop that lost `$disconnect`s says so instead of reporting success.
 * These start their own DynamoDB Local (the run's shared one must not be killed).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { makeDeps } from '#functions/_common/deps.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { silentLog } from '#shared/log/logger.ts';
import { readDbOwner } from '../../../bin/local/db-lock.ts';
import { startLocalRuntime } from '../../../bin/local/runtime.ts';
import type { LocalRuntime } from '../../../bin/local/runtime.ts';
import { dynamoDataPath } from '../../../bin/local/runtime-file.ts';
import { openSocket } from '../../support/ws-client.ts';
import { fixtureRoutes, loadFixture } from './fixtures/host.ts';

process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';

let runtime: LocalRuntime | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

const recorder = () => {
  const lines: string[] = [];
  const keep = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  return { lines, logger: { info: keep, warn: keep, error: keep } };
};

const until = async (done: () => boolean, what: string, timeoutMs = 60_000) => {
  for (const deadline = Date.now() + timeoutMs; !done(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
};

const killJava = (pid: number | undefined) => {
  if (!pid) throw new Error('no DynamoDB Local pid recorded');
  process.kill(-pid, 'SIGKILL');
};

it('restarts a persistent DynamoDB Local that dies, on the same port and data, and says so', { timeout: 120_000 }, async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ddb-down-'));
  const log = recorder();
  const fatal: Error[] = [];
  runtime = await startLocalRuntime({
    dataDir,
    routes: fixtureRoutes,
    loadModule: loadFixture,
    idleTimeoutMs: 0,
    logger: log.logger,
    onFatal: (e) => void fatal.push(e),
  });
  killJava(readDbOwner(dynamoDataPath(dataDir))?.javaPid);
  await until(() => log.lines.some((l) => l.includes('DynamoDB Local is back')), 'the restart');
  expect(log.lines.some((l) => l.includes('DynamoDB Local exited unexpectedly (killed by SIGKILL'))).toBe(true);
  // The fixture $connect writes to DynamoDB: the upgrade succeeds only if the store is back.
  (await openSocket(runtime.chargerUrl('CP-AFTER'), { basic: 'any:secret', protocols: ['ocpp1.6'] })).close();
  expect(fatal).toEqual([]);
});

it('stops on a dead in-memory DynamoDB Local, and a stop that lost $disconnects is not clean', { timeout: 120_000 }, async () => {
  const log = recorder();
  const fatal: Error[] = [];
  runtime = await startLocalRuntime({ idleTimeoutMs: 0, logger: log.logger, onFatal: (e) => void fatal.push(e) });
  const deps = makeDeps({ ...process.env, ...runtime.env }, silentLog);
  await createCharger(deps, { chargerId: 'CP-DOWN', password: 'a-long-enough-password-1' });
  const ws = await openSocket(runtime.chargerUrl('CP-DOWN'), { basic: 'CP-DOWN:a-long-enough-password-1', protocols: ['ocpp1.6'] });
  killJava(findJava(runtime.dynamodbEndpoint));
  await until(() => fatal.length > 0, 'the runtime to give up');
  expect(fatal[0]?.message).toMatch(/in memory, which is gone/);
  const report = await runtime.stop();
  runtime = undefined;
  expect(report.problems).toEqual([expect.stringMatching(/^1 \$disconnect invocation\(s\) failed/)]);
  ws.terminate();
});

/** The Java process listening on the endpoint's port (an in-memory DynamoDB Local records no owner file). */
const findJava = (endpoint: string): number | undefined => {
  const port = new URL(endpoint).port;
  const out = execFileSync('sh', ['-c', `ps -eo pid,args | grep DynamoDBLocal | grep -- "-port ${port} " | grep -v grep`], { encoding: 'utf8' });
  return Number(out.trim().split(/\s+/)[0]) || undefined;
};
