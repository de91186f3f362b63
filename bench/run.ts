/**
 * `npm run bench -- [options]` (`--help` lists them: USAGE below).
 *
 * Measures the local runtime under many simulated chargers beside an in-memory baseline, what every message
 * costs in DynamoDB capacity, Lambda invocations and @connections calls, each Lambda's bundle and cold start,
 * and the resulting cost per charger per month on AWS, and how long a reconnect storm takes (bench/storm.ts), and what a
 * command's round trip takes and costs (bench/command-round-trip.ts). Prints a Markdown report and writes it, with the raw
 * figures as JSON, to bench/results/. Figures only: nothing here passes or fails on time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE =
  'usage: npm run bench -- [--smoke] [--chargers 200] [--duration 30] [--warmup 10] [--ramp] [--p99 50] [--cold-runs 5] [--no-baseline]\n'
  + '         [--storm 1000] [--storm-parallel 250] [--storm-only] [--command-chargers 10] [--commands 10] [--out bench/results]';
const NUMERIC_OPTIONS = ['chargers', 'duration', 'warmup', 'p99', 'cold-runs', 'storm', 'storm-parallel', 'command-chargers', 'commands'] as const;

/** The options, parsed before the runtime loads: `--help` prints the usage (exit 0), a wrong option says what was wrong (exit 2). */
const parseOptions = () => {
  const fail = (problem: string): never => {
    console.error(`${problem}\n${USAGE}`);
    return process.exit(2);
  };
  try {
    const { values } = parseArgs({
      options: {
        smoke: { type: 'boolean' },
        chargers: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        ramp: { type: 'boolean' },
        p99: { type: 'string', default: '50' },
        'cold-runs': { type: 'string' },
        'no-baseline': { type: 'boolean' },
        storm: { type: 'string' },
        'storm-parallel': { type: 'string' },
        'storm-only': { type: 'boolean' },
        'command-chargers': { type: 'string' },
        commands: { type: 'string' },
        out: { type: 'string', default: 'bench/results' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      console.log(USAGE);
      process.exit(0);
    }
    // A figure mistyped must not become NaN seconds or NaN chargers in a report that looks measured.
    for (const name of NUMERIC_OPTIONS) {
      const given = values[name];
      if (given !== undefined && !/^\d+$/.test(given)) fail(`--${name} takes a whole number, not '${given}'`);
    }
    return values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
};
const values = parseOptions();

// Before any handler or client loads: meter DynamoDB capacity, keep the handlers' logs quiet.
process.env.CSMS_CAPACITY_METER = 'on';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const { routes, isScheduleRoute, isFunctionUrlRoute, isSftpIdentityRoute, isBucketRoute } = await import('#functions/routes.ts');
const { functionUrlEvent, transferLoginEvent, s3Event } = await import('../bin/local/events/index.ts');
const { scheduledEvent } = await import('../bin/local/events/scheduled.ts');
const { restProxyEvent } = await import('../bin/local/events/rest.ts');
const { createCharger } = await import('#shared/charger/registry.ts');
const { createIdToken } = await import('#shared/token/id-tokens.ts');
const { makeDocumentClient } = await import('#shared/store/dynamo.ts');
const { makeDeps } = await import('#functions/_common/deps.ts');
const { createSecretReader, passwordKeys } = await import('#functions/_common/secrets.ts');
const { capacitySnapshot, operationsSnapshot } = await import('#shared/store/capacity-meter.ts');
const { silentLog } = await import('#shared/log/logger.ts');
const { startLocalRuntime } = await import('../bin/local/runtime.ts');
const { importFromFunctionsDir } = await import('../bin/local/lambda.ts');
const { connectAll, runLoad, rampLoad, closeAll } = await import('./load.ts');
const { startBaselineServer } = await import('./baseline-server.ts');
const { measurePerMessageCost, asActionCosts, messageHandlersOf, requestsByFunction } = await import('./per-message-cost.ts');
const { measureDynamoCeiling } = await import('./dynamo-ceiling.ts');
const { measureColdStarts } = await import('./cold-start.ts');
const { costPerChargerMonth } = await import('./cost-model.ts');
const { WORKLOADS } = await import('./pricing.ts');
const { toMarkdown } = await import('./report.ts');
const { runStorm, closeStorm, stormLosses, stormMarkdown } = await import('./storm.ts');
const { HandlerMeter } = await import('./handler-meter.ts');
const { measureCommandRoundTrip } = await import('./command-round-trip.ts');
const { signIn } = await import('../test/support/operator-tokens.ts');
const { DEFAULT_MEMORY_MB } = await import('#functions/_routes/rules.ts');
type StormResult = import('./storm.ts').StormResult;
type BenchReport = import('./report.ts').BenchReport;
type SimCharger = import('./ocpp-client.ts').SimCharger;
type RouteDef = import('#functions/routes.ts').RouteDef;

const smoke = values.smoke === true;
const settings = {
  chargers: Number(values.chargers ?? (smoke ? 6 : 200)),
  durationS: Number(values.duration ?? (smoke ? 3 : 30)),
  warmupS: Number(values.warmup ?? (smoke ? 1 : 10)),
  ramp: values.ramp === true,
  p99ThresholdMs: Number(values.p99),
  coldRuns: Number(values['cold-runs'] ?? (smoke ? 1 : 5)),
  costRounds: smoke ? 1 : 3,
  baseline: values['no-baseline'] !== true,
  stormChargers: Number(values.storm ?? (smoke ? 30 : 1000)),
  stormParallel: Number(values['storm-parallel'] ?? (smoke ? 10 : 250)),
  commandChargers: Number(values['command-chargers'] ?? (smoke ? 2 : 10)),
  /** Per charger and action; 0 leaves the command stage out. */
  commandsPerCharger: Number(values.commands ?? (smoke ? 2 : 10)),
  commandTimeoutS: smoke ? 5 : 10,
};
const log = (message: string) => console.error(`[bench] ${message}`);

// Count Lambda invocations as Lambda bills them, per handler, and file every DynamoDB and SQS request under the
// handler that made it (bench/handler-meter.ts).
const meter = new HandlerMeter();
const runtime = await startLocalRuntime({
  logger: { info: () => undefined, warn: () => undefined, error: console.error },
  idleTimeoutMs: 0,
  // A closed loop sends as fast as answers come, far past a real charger's message budget: measure the platform.
  messageBudgetPerMinute: 1_000_000,
  messageBudgetBurst: 1_000_000,
  loadModule: async (entry) => {
    const mod = await importFromFunctionsDir(entry);
    return { handler: meter.wrap(entry, mod.handler) };
  },
});
const runtimeEnv = { ...process.env, ...runtime.env };
// With the pepper as the $connect functions read it (the runtime's Secrets Manager stand-in).
const deps = { ...makeDeps(runtimeEnv, silentLog), ...(await passwordKeys(createSecretReader({ env: runtimeEnv }))) };

try {
  log(`local runtime up in ${runtime.startup.totalMs} ms`);
  const password = 'bench-password-0123456789';
  const tagOf = (c: SimCharger) => `B-${c.id}`.slice(0, 20);
  const simulated = (prefix: string, n: number): SimCharger[] =>
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, password, protocol: i % 2 === 0 ? 'ocpp1.6' : 'ocpp2.0.1' }));
  /** Registers a fleet of its own, then lets it reconnect all at once; undefined with --storm 0. */
  const measureStorm = async (): Promise<StormResult | undefined> => {
    if (settings.stormChargers <= 0) return undefined;
    log(`storm: registering ${settings.stormChargers} chargers`);
    // Passwords generated by the CSMS, as `charger add` gives a fleet: checked with the peppered HMAC, not scrypt.
    const stormFleet: SimCharger[] = [];
    const toRegister = simulated('ST', settings.stormChargers);
    const register = async () => {
      for (let c = toRegister.shift(); c; c = toRegister.shift()) {
        const created = await createCharger(deps, { chargerId: c.id });
        if (!created.created) throw new Error(`storm charger ${c.id} not created: ${created.reason}`);
        stormFleet.push({ ...c, password: created.password });
      }
    };
    await Promise.all(Array.from({ length: 8 }, register));
    log(`storm: ${settings.stormChargers} chargers reconnect at once, ${settings.stormParallel} in parallel`);
    const before = runtime.gatewayStats();
    const { result, sockets } = await runStorm(runtime.chargerUrl, stormFleet, settings.stormParallel);
    const after = runtime.gatewayStats();
    log(`storm: ${sockets.length} chargers leave at once`);
    const leaving = performance.now();
    await closeStorm(sockets);
    // Gone once every $disconnect has run: the fleet is recorded offline (or a failure was counted).
    while (runtime.gatewayStats().disconnectsPending > 0) await new Promise((r) => setTimeout(r, 50));
    const gone = runtime.gatewayStats();
    return {
      ...result,
      goneSeconds: Math.round((performance.now() - leaving) / 100) / 10,
      gateway: {
        upgradesRefusedBusy: after.upgradesRefusedBusy - before.upgradesRefusedBusy,
        upgradesAbandoned: after.upgradesAbandoned - before.upgradesAbandoned,
        disconnectsFailed: gone.disconnectsFailed - before.disconnectsFailed,
      },
    };
  };
  if (values['storm-only']) {
    const storm = await measureStorm();
    const markdown = storm ? stormMarkdown(storm).join('\n') : 'no storm (--storm 0)';
    mkdirSync(values.out, { recursive: true });
    writeFileSync(join(values.out, 'storm-latest.json'), `${JSON.stringify({ startedAt: new Date().toISOString(), cpus: cpus().length, storm }, null, 2)}\n`);
    console.log(markdown);
    const losses = storm && stormLosses(storm);
    if (losses) console.error(`\n!!! THE STORM LOST CHARGERS: ${losses}. !!!\n`);
    if (!storm || losses || Object.keys(storm.refusals).some((k) => k.startsWith('5') && k !== '503')) process.exitCode = 1;
  } else {
    log(`registering ${settings.chargers} chargers`);
    const fleet = simulated('LD', settings.chargers);
    const costChargers = simulated('COST', 2);
    for (const c of [...fleet, ...costChargers]) {
      await createCharger(deps, { chargerId: c.id, password });
      await createIdToken(deps, { value: tagOf(c) });
    }

    log('measuring what each message costs');
    const messageHandlers = messageHandlersOf(routes, DEFAULT_MEMORY_MB);
    const counters = {
      handlers: () => meter.snapshotAll(),
      managementCalls: () => runtime.managementCalls(),
      // The stream pollers delivered what was written, and no handler (a queue consumer among them) runs.
      caughtUp: (since: number) => runtime.streamsCaughtUp(since) && meter.idle(),
    };
    const perMessage: BenchReport['perMessage'] = {};
    for (const c of costChargers) {
      perMessage[c.protocol] = await measurePerMessageCost(runtime.chargerUrl(c.id), c, tagOf(c), counters, messageHandlers, settings.costRounds);
    }

    let commandRoundTrip: BenchReport['commandRoundTrip'];
    if (settings.commandsPerCharger > 0 && settings.commandChargers > 0) {
      log(`command round trip: ${settings.commandChargers} chargers, ${settings.commandsPerCharger} commands each per action`);
      const commandChargers = simulated('CMD', settings.commandChargers);
      for (const c of commandChargers) await createCharger(deps, { chargerId: c.id, password });
      const operator = await signIn(runtime.userPool, 'bench-operator', ['operator']);
      commandRoundTrip = await measureCommandRoundTrip({
        runtime,
        meter,
        chargers: commandChargers,
        operatorToken: operator.accessToken,
        commandsPerCharger: settings.commandsPerCharger,
        timeoutSeconds: settings.commandTimeoutS,
        memoryOf: messageHandlers.memoryMbOf,
      });
      // Their $disconnects run before the load starts.
      while (runtime.gatewayStats().disconnectsPending > 0) await new Promise((r) => setTimeout(r, 50));
    }

    log(`load: ${settings.chargers} chargers, ${settings.warmupS} s warm-up (not counted), then ${settings.durationS} s`);
    const connected = await connectAll(runtime.chargerUrl, fleet, tagOf);
    // DynamoDB Local's JVM serves two to three times more once its code is compiled: measure it warm.
    await runLoad(connected, settings.warmupS * 1000);
    const requestsBefore = capacitySnapshot().requests;
    const operationsBefore = operationsSnapshot();
    const csms = await runLoad(connected, settings.durationS * 1000);
    const dynamodbRequestsPerSecond = Math.round((capacitySnapshot().requests - requestsBefore) / csms.durationS);
    // The same window by function: what answers the chargers and what runs after the answers (stream consumers, ...).
    const loadRequestsByFunction = requestsByFunction(operationsBefore, operationsSnapshot(), csms.calls, messageHandlers);
    const ramp = settings.ramp ? await rampLoad(connected, smoke ? 1000 : 5000, settings.p99ThresholdMs) : undefined;
    await closeAll(connected);

    log('measuring DynamoDB Local on its own (warm)');
    const ceiling = await measureDynamoCeiling(makeDocumentClient({ ...process.env, ...runtime.env }), runtime.tables.Csms, smoke ? 1000 : 5000);

    let baseline: BenchReport['baseline'];
    if (settings.baseline) {
      log('baseline: the same load against an in-memory ocpp-rpc server');
      const server = await startBaselineServer();
      const onBaseline = await connectAll(server.url, fleet, tagOf);
      baseline = await runLoad(onBaseline, settings.durationS * 1000);
      await closeAll(onBaseline);
      await server.close();
    }

    log('authorizer cost per attempt, by password scheme');
    const { measureAuthCost } = await import('./auth-cost.ts');
    const authCost = await measureAuthCost(deps, runtime.secrets.originVerify, smoke ? 5 : 40);

    const storm = await measureStorm();

    log('cold starts');
    const [probe] = costChargers;
    if (!probe) throw new Error('no probe charger');
    const basic = `Basic ${Buffer.from(`${probe.id}:${password}`).toString('base64')}`;
    const authorizer = { chargeBoxId: probe.id, protocol: 'ocpp1.6', echoProtocol: 'true', register: 'false', principalId: probe.id };
    const requestContext = (routeKey: string, eventType: string) => ({
      routeKey, eventType, connectionId: 'cold-start', connectedAt: Date.now(), requestTimeEpoch: Date.now(), domainName: 'localhost', stage: 'local', authorizer,
    });
    // The charger-facing functions, and one REST function (Health: the REST adapter, middy and Powertools, nothing of
    // a resource) standing for the operator API's cold start; bundling every REST route would add minutes for little.
    const coldRoutes = (routes as readonly RouteDef[]).filter((r) => r.kind !== 'http' || r.id === 'Health');
    // The operators' live-event API: a viewer's access token from the runtime's user pool (as a console would hold).
    const viewerToken = (await signIn(runtime.userPool, `bench-viewer-${Date.now()}`, ['viewer'])).accessToken;
    const liveProtocols = `csms-live.v1, bearer.${viewerToken}`;
    const operatorContext = (routeKey: string, eventType: string) => ({ ...requestContext(routeKey, eventType), authorizer: { principal: 'bench-viewer' } });
    const coldStarts = await measureColdStarts({
      routes: coldRoutes,
      env: { ...runtime.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      runs: settings.coldRuns,
      events: {
        OcppAuthorizer: {
          type: 'REQUEST',
          methodArn: 'arn:aws:execute-api:us-east-1:000000000000:local/local/$connect',
          headers: { 'X-Ocpp-Authorization': basic, 'X-Origin-Verify': runtime.secrets.originVerify, 'Sec-WebSocket-Protocol': 'ocpp1.6', 'CloudFront-Forwarded-Proto': 'https' },
          queryStringParameters: { chargeBoxId: probe.id },
          requestContext: requestContext('$connect', 'CONNECT'),
        },
        OcppConnect: { headers: {}, requestContext: requestContext('$connect', 'CONNECT') },
        OcppDisconnect: { requestContext: requestContext('$disconnect', 'DISCONNECT') },
        OcppMessage: { body: '[2,"cold-1","Heartbeat",{}]', isBase64Encoded: false, requestContext: requestContext('$default', 'MESSAGE') },
        OperatorsAuthorizer: {
          type: 'REQUEST',
          methodArn: 'arn:aws:execute-api:us-east-1:000000000000:local/local/$connect',
          headers: { 'Sec-WebSocket-Protocol': liveProtocols },
          requestContext: requestContext('$connect', 'CONNECT'),
        },
        OperatorsConnect: { headers: { 'Sec-WebSocket-Protocol': liveProtocols }, requestContext: operatorContext('$connect', 'CONNECT') },
        OperatorsDisconnect: { requestContext: operatorContext('$disconnect', 'DISCONNECT') },
        OperatorsMessage: { body: '{"action":"subscribe","chargers":["CP-COLD"]}', isBase64Encoded: false, requestContext: operatorContext('$default', 'MESSAGE') },
        Health: restProxyEvent(
          { apiId: 'local', stage: 'local', domainName: 'localhost', region: 'us-east-1', accountId: '000000000000' },
          { method: 'GET', resource: '/health', path: '/health', pathParameters: {}, headers: {}, query: {}, body: null, sourceIp: '127.0.0.1' },
        ),
        // Every schedule route gets the EventBridge event it is invoked with, so a new one is measured without an edit here.
        ...Object.fromEntries(routes.filter(isScheduleRoute).map((r) => [r.id, scheduledEvent(r.id, new Date())])),
        // Queue and stream consumers (the command path): an empty batch measures their start and a no-op invocation.
        ...Object.fromEntries((routes as readonly RouteDef[]).filter((r) => r.kind === 'queue' || r.kind === 'stream').map((r) => [r.id, { Records: [] }])),
        // The file routes, each with a request it refuses after one store read at most: their start is what is measured.
        // An upload with a token never issued (401).
        ...Object.fromEntries(
          (routes as readonly RouteDef[]).filter(isFunctionUrlRoute).map((r) => [
            r.id,
            functionUrlEvent(
              { urlId: 'cold-start', domainName: 'localhost' },
              { method: 'PUT', rawPath: `/${probe.id}/${'A'.repeat(43)}/diag.zip`, rawQueryString: '', headers: { 'content-type': ['application/zip'] }, body: Buffer.from('cold start'), sourceIp: '127.0.0.1' },
            ),
          ]),
        ),
        // An SFTP login with a token never issued.
        ...Object.fromEntries((routes as readonly RouteDef[]).filter(isSftpIdentityRoute).map((r) => [r.id, transferLoginEvent({ username: probe.id, password: 'A'.repeat(43), sourceIp: '127.0.0.1' })])),
        // An object outside the files layout: recorded nowhere, read not at all.
        ...Object.fromEntries(
          (routes as readonly RouteDef[]).filter(isBucketRoute).map((r) => [
            r.id,
            s3Event({ bucket: runtime.buckets[r.bucket] ?? r.bucket, key: 'cold-start/object', size: 10, eTag: 'cold', eventName: 'ObjectCreated:Put', at: new Date(), configurationId: r.id }),
          ]),
        ),
      },
    });

    const memoryOf = (id: string) => (routes as readonly RouteDef[]).find((r) => r.id === id)?.memoryMb ?? 256;
    const costs = (protocol: string) =>
      asActionCosts(perMessage[protocol] ?? {}, (action) => memoryOf(action.startsWith('$') ? 'OcppConnect' : 'OcppMessage'));
    const costPerCharger = Object.fromEntries(
      Object.entries(WORKLOADS).map(([name, profile]) => [name, costPerChargerMonth(profile, costs(profile.protocol))]),
    );

    const report: BenchReport = {
      startedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.versions.node, platform: process.platform },
      settings,
      csms,
      ...(baseline ? { baseline, ratioToBaseline: csms.callsPerSecond / baseline.callsPerSecond } : {}),
      ...(ramp ? { ramp } : {}),
      dynamodbLocalCeilingOpsPerSecond: ceiling,
      dynamodbRequestsPerSecondUnderLoad: dynamodbRequestsPerSecond,
      dynamodbRequestsPerMessageUnderLoadByFunction: loadRequestsByFunction,
      perMessage,
      coldStarts,
      authCost,
      costPerChargerMonth: costPerCharger,
      ...(storm ? { storm } : {}),
      ...(commandRoundTrip ? { commandRoundTrip } : {}),
    };
    const markdown = toMarkdown(report);
    mkdirSync(values.out, { recursive: true });
    const stamp = report.startedAt.replace(/[:.]/g, '-');
    for (const name of [stamp, 'latest']) {
      writeFileSync(join(values.out, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(join(values.out, `${name}.md`), markdown);
    }
    console.log(markdown);
    if (csms.errors > 0 || (baseline?.errors ?? 0) > 0) {
      console.error(`\n!!! THE RUN HAD ERRORS: ${csms.errors} on the CSMS, ${baseline?.errors ?? 0} on the baseline. Figures are suspect. !!!\n`);
      process.exitCode = 1;
    }
    const losses = storm && stormLosses(storm);
    if (losses) {
      console.error(`\n!!! THE STORM LOST CHARGERS: ${losses}. !!!\n`);
      process.exitCode = 1;
    }
    if (commandRoundTrip?.problems.length) {
      console.error(`\n!!! THE COMMAND ROUND TRIP HAD PROBLEMS: ${commandRoundTrip.problems.slice(0, 5).join('; ')}. !!!\n`);
      process.exitCode = 1;
    }
    log(`report: ${join(values.out, 'latest.md')}`);
  }
} finally {
  await runtime.stop();
}
