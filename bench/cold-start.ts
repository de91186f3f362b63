/**
 * Cold start per Lambda (issue 4, point 4): each route's entry is bundled the way CDK's NodejsFunction
 * bundles it (lib/route-function.ts), then a fresh Node 22 process imports the bundle and runs one invocation.
 * Import time stands for the Lambda init phase; the first call includes lazy work (SDK clients, first connection).
 * The child has the environment of a function with active tracing, so the X-Ray SDK starts as on Lambda and the
 * first call pays for its subsegments; a UDP socket stands in for the daemon and counts the SDK calls traced.
 */
import { copyValidatorFiles, VALIDATORS_EXTERNAL } from '../lib/ocpp-validator-files.ts';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { RouteDef } from '#functions/routes.ts';
import { lambdaTracingEnv, startXrayDaemon, type XrayDaemon } from './xray-daemon.ts';

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface ColdStart {
  routeId: string;
  entry: string;
  bundleBytes: number;
  gzipBytes: number;
  /** Files shipped beside the bundle and loaded on use (the OCPP validators, one file per version). */
  sideFileBytes: Record<string, number>;
  initMs: Spread;
  firstInvokeMs: Spread;
  /** AWS SDK calls of the last run's first invocation that reached X-Ray (subsegments in the `aws` namespace). */
  tracedSdkCalls: number;
}

export interface ColdStartOptions {
  readonly routes: readonly RouteDef[];
  /** The child's whole environment (plus PATH): table names, endpoints, secrets, credentials. */
  readonly env: Record<string, string>;
  /** First-invocation event per route id; every route needs one. */
  readonly events: Record<string, unknown>;
  /** Fresh processes per route. @default 5 */
  readonly runs?: number;
  /** Where bundles go. @default a temp dir, removed afterwards */
  readonly outDir?: string;
  /** Directory that route entries are relative to. @default <repo>/functions */
  readonly functionsDir?: string;
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_RUNS = 5;
const CHILD_TIMEOUT_MS = 60_000;
const RESULT_MARKER = '@@cold-start@@';

/** Same string as lib/route-function.ts (not exported there, and importing it would pull in aws-cdk-lib). */
export const ESM_REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

/** RouteFunction sets this on every function, so the deployed init pays for reading the source map. */
const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/** min / median / max; the median of an even count is the mean of the two middle values. */
export const spread = (values: readonly number[]): Spread => {
  if (values.length === 0) throw new Error('spread of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
};

/**
 * esbuild with the arguments CDK passes for our bundling props: ESM, node22, minify, external source map
 * without sources, module-first main fields, the createRequire banner, and no externals (`bundleAwsSDK: true`).
 * Run from the repo root so package.json `imports` (#shared/*, #functions/*) resolve.
 */
export const bundleEntry = async (entryPath: string, outFile: string, ocppValidators = false): Promise<void> => {
  await build({
    ...(ocppValidators ? { external: [VALIDATORS_EXTERNAL] } : {}),
    entryPoints: [entryPath],
    outfile: outFile,
    absWorkingDir: projectRoot,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent',
  });
  if (ocppValidators) copyValidatorFiles(projectRoot, path.dirname(outFile));
};

// Plain .mjs run by the child: times the import (init) and the first call, then exits even if the
// handler left sockets open (SDK keep-alive). The result goes on its own marked line because handlers log to stdout.
const DRIVER = `import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundlePath, eventPath, functionName] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventPath, 'utf8'));
const context = {
  functionName, functionVersion: '$LATEST', memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:' + functionName,
  awsRequestId: 'cold-start-' + process.pid, logGroupName: '/aws/lambda/' + functionName, logStreamName: 'cold-start',
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 10000,
  done() {}, fail() {}, succeed() {},
};
const t0 = performance.now();
const { handler } = await import(pathToFileURL(bundlePath).href);
const t1 = performance.now();
await handler(event, context);
const t2 = performance.now();
// Lets the X-Ray subsegments sent during the call leave before the exit (after the timing).
await new Promise((resolve) => setTimeout(resolve, 20));
process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify({ initMs: t1 - t0, firstInvokeMs: t2 - t1 }) + '\\n', () => process.exit(0));
`;

interface RunTiming {
  initMs: number;
  firstInvokeMs: number;
}

const assertNode22 = (): void => {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 22) throw new Error(`cold starts must run on Node 22 (the Lambda runtime), this is ${process.version}; run through npm`);
};

const parseTiming = (stdout: string): RunTiming => {
  const line = stdout.split('\n').findLast((l) => l.startsWith(RESULT_MARKER));
  if (line === undefined) throw new Error(`no result line in the child's output:\n${stdout}`);
  return JSON.parse(line.slice(RESULT_MARKER.length)) as RunTiming;
};

const runOnce = async (files: { driver: string; bundle: string; event: string }, routeId: string, env: Record<string, string>): Promise<RunTiming> => {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [files.driver, files.bundle, files.event, routeId], {
      env,
      timeout: CHILD_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    return parseTiming(stdout);
  } catch (err) {
    // execFile's error carries the child's exit code/signal and stderr.
    const e = err as { code?: unknown; signal?: unknown; stderr?: string; message: string };
    const why = e.signal ? `killed by ${String(e.signal)}` : `exit ${String(e.code)}`;
    throw new Error(`cold start of ${routeId} failed (${why}):\n${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
};

/** Sizes of the .js files in subfolders of a bundle's folder (what ships beside index.mjs). */
const sideFiles = async (dir: string): Promise<Record<string, number>> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.js') && e.parentPath !== dir);
  return Object.fromEntries(await Promise.all(files.map(async (f) => [f.name, (await readFile(path.join(f.parentPath, f.name))).byteLength] as const)));
};

const measureRoute = async (route: RouteDef, dir: string, opts: ColdStartOptions & { driver: string; runs: number; daemon: XrayDaemon }): Promise<ColdStart> => {
  const bundle = path.join(dir, route.id, 'index.mjs');
  const event = path.join(dir, route.id, 'event.json');
  await bundleEntry(path.join(opts.functionsDir ?? path.join(projectRoot, 'functions'), route.entry), bundle, route.ocppValidators === true);
  await writeFile(event, JSON.stringify(opts.events[route.id]));
  const code = await readFile(bundle);
  // One invocation in a fresh process, as on-demand Lambda runs it: not the local runtime's concurrent mode, whose
  // per-invocation store (InvokeStore) this driver does not provide.
  const { AWS_LAMBDA_MAX_CONCURRENCY: _concurrent, ...lambdaEnv } = opts.env;
  const env = { PATH: process.env.PATH ?? '', NODE_OPTIONS: LAMBDA_NODE_OPTIONS, ...lambdaTracingEnv(opts.daemon, path.dirname(bundle)), ...lambdaEnv };
  const timings: RunTiming[] = [];
  let tracedSdkCalls = 0;
  // One at a time: concurrent children would compete for the CPU and inflate each other's figures.
  for (let i = 0; i < opts.runs; i++) {
    const before = opts.daemon.segments.length;
    timings.push(await runOnce({ driver: opts.driver, bundle, event }, route.id, env));
    // SDK calls are the subsegments in the `aws` namespace.
    tracedSdkCalls = opts.daemon.segments.slice(before).filter((s) => s.namespace === 'aws').length;
  }
  return {
    routeId: route.id,
    entry: route.entry,
    bundleBytes: code.byteLength,
    gzipBytes: gzipSync(code).byteLength,
    sideFileBytes: await sideFiles(path.dirname(bundle)),
    initMs: spread(timings.map((t) => t.initMs)),
    firstInvokeMs: spread(timings.map((t) => t.firstInvokeMs)),
    tracedSdkCalls,
  };
};

/** Bundles every route and measures `runs` fresh-process cold starts of each, in route order. */
export const measureColdStarts = async (opts: ColdStartOptions): Promise<ColdStart[]> => {
  assertNode22();
  const runs = opts.runs ?? DEFAULT_RUNS;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runs}`);
  const missing = opts.routes.filter((r) => !(r.id in opts.events)).map((r) => r.id);
  if (missing.length > 0) throw new Error(`no first-invocation event for route(s): ${missing.join(', ')}`);

  const dir = opts.outDir ?? (await mkdtemp(path.join(tmpdir(), 'cold-start-')));
  const daemon = await startXrayDaemon();
  try {
    await Promise.all(opts.routes.map((r) => mkdir(path.join(dir, r.id), { recursive: true })));
    const driver = path.join(dir, 'driver.mjs');
    await writeFile(driver, DRIVER);
    const results: ColdStart[] = [];
    for (const route of opts.routes) results.push(await measureRoute(route, dir, { ...opts, driver, runs, daemon }));
    return results;
  } finally {
    daemon.close();
    if (opts.outDir === undefined) await rm(dir, { recursive: true, force: true });
  }
};
