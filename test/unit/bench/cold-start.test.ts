import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RouteDef } from '#functions/routes.ts';
import { ESM_REQUIRE_BANNER, measureColdStarts, spread } from '../../../bench/cold-start.ts';

const fixturesDir = fileURLToPath(new URL('./fixtures', import.meta.url));
const route: RouteDef = { kind: 'ws', api: 'chargers', id: 'Fixture', routeKey: '$default', entry: 'charger-id-handler.ts', access: {} };
const env = { FIXTURE_GREETING: 'hello' };

describe('spread', () => {
  it('gives min, median and max of unsorted values', () => {
    expect(spread([30, 10, 20])).toEqual({ min: 10, median: 20, max: 30 });
  });

  it('takes the mean of the two middle values for an even count', () => {
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
  });

  it('refuses an empty list', () => {
    expect(() => spread([])).toThrow(/no values/);
  });
});

describe('measureColdStarts', () => {
  let outDir: string;
  beforeEach(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'cold-start-test-'));
  });
  afterEach(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('bundles the entry with #shared imports resolved and times fresh-process cold starts', async () => {
    const [result, ...rest] = await measureColdStarts({
      routes: [route],
      env,
      events: { Fixture: { chargerId: 'CP-1' } },
      runs: 2,
      outDir,
      functionsDir: fixturesDir,
    });
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ routeId: 'Fixture', entry: 'charger-id-handler.ts' });
    const bundle = await readFile(path.join(outDir, 'Fixture', 'index.mjs'), 'utf8');
    expect(bundle.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(bundle).not.toContain('#shared/');
    expect(result!.bundleBytes).toBe(Buffer.byteLength(bundle));
    expect(result!.gzipBytes).toBeGreaterThan(0);
    for (const s of [result!.initMs, result!.firstInvokeMs]) {
      expect(s.min).toBeGreaterThanOrEqual(0);
      expect(s.min).toBeLessThanOrEqual(s.median);
      expect(s.median).toBeLessThanOrEqual(s.max);
    }
  });

  it('runs the child as a traced function: its SDK calls reach the stand-in X-Ray daemon', async () => {
    const tracedRoute: RouteDef = { ...route, id: 'Traced', entry: 'traced-call-handler.ts' };
    const [traced] = await measureColdStarts({ routes: [tracedRoute], env: {}, events: { Traced: {} }, runs: 1, outDir, functionsDir: fixturesDir });
    expect(traced?.tracedSdkCalls).toBe(1);
    // Without an SDK call, nothing is counted.
    const [plain] = await measureColdStarts({ routes: [route], env, events: { Fixture: { chargerId: 'CP-1' } }, runs: 1, outDir, functionsDir: fixturesDir });
    expect(plain?.tracedSdkCalls).toBe(0);
  });

  it('rejects with the child stderr when the first invocation throws', async () => {
    const run = measureColdStarts({ routes: [route], env, events: { Fixture: { chargerId: 'bad id!' } }, runs: 1, functionsDir: fixturesDir });
    await expect(run).rejects.toThrow(/cold start of Fixture failed \(exit 1\)[\s\S]*invalid charger id: bad id!/);
  });

  it('rejects when the env the handler needs at init is not passed to the child', async () => {
    const run = measureColdStarts({ routes: [route], env: {}, events: { Fixture: { chargerId: 'CP-1' } }, runs: 1, functionsDir: fixturesDir });
    await expect(run).rejects.toThrow(/FIXTURE_GREETING missing/);
  });

  it('refuses a route without a first-invocation event before bundling anything', async () => {
    await expect(measureColdStarts({ routes: [route], env, events: {}, functionsDir: fixturesDir })).rejects.toThrow(/route\(s\): Fixture/);
  });

  it('uses the same createRequire banner as the CDK function construct', async () => {
    const construct = await readFile(fileURLToPath(new URL('../../../lib/route-function.ts', import.meta.url)), 'utf8');
    expect(construct).toContain(JSON.stringify(ESM_REQUIRE_BANNER));
  });
});
