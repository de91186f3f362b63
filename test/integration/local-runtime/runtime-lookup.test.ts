/**
 * The CLI reaches the running runtime whatever it was started with: in memory, or on a data directory. Every run
 * announces its endpoints; the lookup picks the one runtime, or the one asked for, and the real CLI writes into
 * that runtime's tables (before, it started its own DynamoDB Local on .local/ and chargers got 401).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ensureLocalDynamo, findRuntime, readRuntimeFile, RuntimeLookupError, runningRuntimes } from '../../../bin/local/runtime-file.ts';
import { startLocalRuntime, type LocalRuntime } from '../../../bin/local/runtime.ts';
import { checkPassword } from '#shared/charger/credentials.ts';
import { testDynamoEndpoint, uniquePrefix } from '../../support/dynamo.ts';
import { depsFor } from '../../support/e2e.ts';
import { fixtureRoutes, loadFixture } from './fixtures/host.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;

// This file's runtimes only: other test files' runtimes announce themselves in the run's directory.
const runtimes = mkdtempSync(join(tmpdir(), 'ov2x-lookup-'));
const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-lookup-data-'));
process.env.LOCAL_RUNTIMES_DIR = runtimes;

const start = (extra: { dataDir?: string }) =>
  startLocalRuntime({
    // The run's DynamoDB Local: the lookup, not DynamoDB Local's start, is under test.
    dynamodbEndpoint: testDynamoEndpoint(),
    tablePrefix: uniquePrefix('lookup'),
    routes: fixtureRoutes,
    loadModule: loadFixture,
    logger: quiet,
    ...extra,
  });

let inMemory: LocalRuntime | undefined;
let onDisk: LocalRuntime | undefined;

beforeAll(async () => {
  inMemory = await start({});
});

afterAll(async () => {
  await inMemory?.stop();
  await onDisk?.stop();
  rmSync(runtimes, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('one runtime, in memory', () => {
  it('announces every endpoint it serves', () => {
    expect(findRuntime()).toMatchObject({
      pid: process.pid,
      dataDir: null,
      port: inMemory?.port,
      dynamodbEndpoint: inMemory?.dynamodbEndpoint,
      tables: inMemory?.tables,
      endpoints: {
        chargerWebSocket: inMemory?.wsUrl,
        chargerConnections: `${inMemory?.managementEndpoint}/@connections/{connectionId}`,
        dynamodb: inMemory?.dynamodbEndpoint,
        sqs: inMemory?.sqsS3Endpoint,
        s3: inMemory?.sqsS3Endpoint,
        secretsManager: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      },
      // Ids only: the CLI reads the values from the stand-in, as the handlers do.
      secretIds: { passwordPepper: expect.stringMatching(/\/passwordPepper$/) },
    });
    expect(JSON.stringify(findRuntime())).not.toContain(inMemory?.secrets.passwordPepper);
  });

  it('is what the CLI’s lookup attaches to, with or without --in-memory', async () => {
    for (const choice of [{}, { inMemory: true }]) {
      const attached = await ensureLocalDynamo(choice);
      expect(attached).toMatchObject({ started: false, endpoint: inMemory?.dynamodbEndpoint, tables: inMemory?.tables });
      expect(attached.env.CSMS_TABLE).toBe(inMemory?.tables.Csms);
      await attached.stop(); // a no-op: the runtime owns DynamoDB
    }
  });

  it('receives what the real CLI writes, its password hashed under the runtime’s pepper', { timeout: 60_000 }, async () => {
    const cli = await run(join(ROOT, 'node_modules/.bin/tsx'), ['bin/cli.ts', 'charger', 'add', 'CP-LOOKUP'], {
      cwd: ROOT,
      env: { ...process.env, LOCAL_RUNTIMES_DIR: runtimes },
    });
    expect(cli.stderr).toContain(`the runtime of process ${process.pid}, in memory`);
    const deps = depsFor(inMemory as LocalRuntime);
    expect(await deps.stores.chargers.get('CP-LOOKUP')).toMatchObject({ chargerId: 'CP-LOOKUP' });
    const password = /shown once, store it in the charger\): (\S+)/.exec(cli.stderr)?.[1] ?? '';
    const stored = await deps.stores.chargers.getWithSecret('CP-LOOKUP');
    expect(await checkPassword(password, stored?.passwordHash ?? '', { passwordPepper: inMemory?.secrets.passwordPepper ?? '' })).toBe('match');
  });
});

describe('two runtimes: in memory and on a data directory', () => {
  beforeAll(async () => {
    onDisk = await start({ dataDir });
  });

  it('writes runtime.json into the data directory too', () => {
    expect(readRuntimeFile(dataDir)).toMatchObject({ pid: process.pid, dataDir, tables: onDisk?.tables });
  });

  it('asks which one when none is named, and finds each when named', async () => {
    expect(runningRuntimes()).toHaveLength(2);
    expect(() => findRuntime()).toThrow(RuntimeLookupError);
    expect(() => findRuntime()).toThrow(/2 local runtimes are running: .*in memory.*Pick one with --data-dir <dir> or --in-memory/);
    expect(findRuntime({ inMemory: true })?.tables).toEqual(inMemory?.tables);
    expect(findRuntime({ dataDir })?.tables).toEqual(onDisk?.tables);
    const attached = await ensureLocalDynamo({ dataDir });
    expect(attached).toMatchObject({ started: false, tables: onDisk?.tables });
  });

  it('forgets a runtime once it stops', async () => {
    await onDisk?.stop();
    onDisk = undefined;
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    expect(runningRuntimes().map((r) => r.dataDir)).toEqual([null]);
    await inMemory?.stop();
    inMemory = undefined;
    expect(runningRuntimes()).toEqual([]);
    await expect(ensureLocalDynamo({ inMemory: true })).rejects.toThrow(/no `npm start -- --in-memory` is running/);
  });
});
