/** The benchmark report: figures beside their targets, as Markdown, and the raw figures as JSON. */
import { formatAuthCost, type AuthCost } from './auth-cost.ts';
import type { ColdStart } from './cold-start.ts';
import { commandMarkdown, type CommandRoundTrip } from './command-cost.ts';
import { formatCostTable, type CostBreakdown } from './cost-model.ts';
import type { LoadResult, RampStep } from './load.ts';
import type { FunctionRequests, MeasuredAction } from './per-message-cost.ts';
import { stormMarkdown, type StormResult } from './storm.ts';

export interface BenchReport {
  startedAt: string;
  machine: { cpus: number; node: string; platform: string };
  settings: Record<string, unknown>;
  csms: LoadResult;
  baseline?: LoadResult;
  ratioToBaseline?: number;
  ramp?: RampStep[];
  dynamodbLocalCeilingOpsPerSecond: number;
  /** DynamoDB requests the handlers made per second during the load run. */
  dynamodbRequestsPerSecondUnderLoad: number;
  /** The same requests per message, by the function that made them. */
  dynamodbRequestsPerMessageUnderLoadByFunction?: FunctionRequests[];
  perMessage: Record<string, Record<string, MeasuredAction>>;
  coldStarts: ColdStart[];
  /** The `$connect` authorizer's cost per attempt, by password scheme. */
  authCost?: AuthCost[];
  costPerChargerMonth: Record<string, CostBreakdown>;
  /** The reconnect storm (bench/storm.ts), unless --storm 0. */
  storm?: StormResult;
  /** A command's round trip and cost (bench/command-round-trip.ts), unless --commands 0. */
  commandRoundTrip?: CommandRoundTrip;
}

const TARGETS = {
  ratio: 0.5,
  requestsPerMessage: 1.5,
  roundTrips: 2,
  startTransactionWriteUnits: 6,
  p99Ms: 50,
  heartbeatWriteUnits: 1,
  defaultBundleKb: 300,
  defaultInitMs: 150,
  idleDollars: 0.05,
};

const mark = (ok: boolean) => (ok ? 'met' : '**not met**');
const ms = (n: number) => Math.round(n * 10) / 10;
const spreadText = (s: { min: number; median: number; max: number }) => `${ms(s.min)} / ${ms(s.median)} / ${ms(s.max)}`;
const kb = (bytes: number) => Math.round(bytes / 1024);

const targetRows = (r: BenchReport): string[] => {
  const message = r.coldStarts.find((c) => c.routeId === 'OcppMessage');
  const heartbeat = Object.values(r.perMessage).map((p) => p.Heartbeat?.writeUnits ?? Number.NaN);
  const idle = r.costPerChargerMonth.idle?.total;
  const requestsPerMessage = r.dynamodbRequestsPerSecondUnderLoad / Math.max(1, r.csms.callsPerSecond);
  const charger = Object.values(r.perMessage).flatMap((p) => Object.entries(p).filter(([a]) => !a.startsWith('$')));
  const roundTrips = Math.max(...charger.map(([, m]) => m.roundTrips));
  const heartbeatTrips = Math.max(...charger.filter(([a]) => a === 'Heartbeat').map(([, m]) => m.roundTrips));
  const start = r.perMessage['ocpp1.6']?.StartTransaction?.writeUnits;
  const ceilingShare = r.csms.callsPerSecond / Math.max(1, r.dynamodbLocalCeilingOpsPerSecond);
  const rows = [
    ['DynamoDB requests per message, bench mix under load', requestsPerMessage.toFixed(2), `≤ ${TARGETS.requestsPerMessage}`, mark(requestsPerMessage <= TARGETS.requestsPerMessage)],
    ['sequential DynamoDB round trips of the answering handlers, most of any charger message (Heartbeat)', `${roundTrips} (${heartbeatTrips})`, `≤ ${TARGETS.roundTrips} (1)`, mark(roundTrips <= TARGETS.roundTrips && heartbeatTrips <= 1)],
    ['1.6 StartTransaction write units (answering handler)', start === undefined ? 'n/a' : String(start), `≤ ${TARGETS.startTransactionWriteUnits}`, start === undefined ? '' : mark(start <= TARGETS.startTransactionWriteUnits)],
    ['messages/s as a share of DynamoDB Local\'s ceiling (the limit here: one request per message)', `${(ceilingShare * 100).toFixed(1)} %`, '100 % at one request per message', ''],
    ['calls/s as a share of the in-memory baseline', r.ratioToBaseline === undefined ? 'n/a' : `${(r.ratioToBaseline * 100).toFixed(1)} %`, `≥ ${TARGETS.ratio * 100} % (goal)`, r.ratioToBaseline === undefined ? '' : mark(r.ratioToBaseline >= TARGETS.ratio)],
    ['p99 latency under load, all actions', `${r.csms.p99} ms`, `< ${TARGETS.p99Ms} ms`, mark(r.csms.p99 < TARGETS.p99Ms)],
    ['Heartbeat write units (1.6 / 2.0.1)', heartbeat.join(' / '), `≤ ${TARGETS.heartbeatWriteUnits}`, mark(heartbeat.every((w) => w <= TARGETS.heartbeatWriteUnits))],
    ['`$default` bundle (minified)', message ? `${kb(message.bundleBytes)} KB` : 'n/a', `< ${TARGETS.defaultBundleKb} KB`, message ? mark(kb(message.bundleBytes) < TARGETS.defaultBundleKb) : ''],
    ['`$default` init, median', message ? `${ms(message.initMs.median)} ms` : 'n/a', `< ${TARGETS.defaultInitMs} ms`, message ? mark(message.initMs.median < TARGETS.defaultInitMs) : ''],
    ['idle charger, $/month', idle === undefined ? 'n/a' : `$${idle.toFixed(4)}`, `< $${TARGETS.idleDollars}`, idle === undefined ? '' : mark(idle < TARGETS.idleDollars)],
  ];
  return ['| target | measured | goal | |', '|---|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)];
};

/** Beside the load's total: who made those requests, per message. */
const byFunctionRows = (rows: readonly FunctionRequests[] | undefined): string[] =>
  rows?.length
    ? [
        '',
        '| function (entry) | role | DynamoDB requests per message under load |',
        '|---|---|---|',
        ...rows.map((f) => `| ${f.entry} | ${f.role} | ${f.perMessage} |`),
      ]
    : [];

const perMessageRows = (perMessage: BenchReport['perMessage']): string[] => {
  const rows = Object.entries(perMessage).flatMap(([protocol, actions]) =>
    Object.entries(actions).map(([a, m]) => {
      const later = m.afterAnswer;
      return `| ${protocol} | ${a} | ${m.requests} | ${m.roundTrips} | ${m.readUnits} | ${m.writeUnits} | ${m.lambdaInvocations} | ${m.connectionsApiCalls} | ${m.inBytes} / ${m.outBytes} | ${m.medianMs} | ${later.requests} | ${later.readUnits} / ${later.writeUnits} | ${later.lambdaInvocations} |`;
    }),
  );
  const unsettled = Object.values(perMessage).flatMap((actions) => Object.entries(actions).filter(([, m]) => m.unsettled > 0));
  return [
    'The first columns are the handlers that answer the message (`$connect`: the authorizer and the `$connect` handler); ' +
      '"after the answer" is what its writes cause once it is answered (stream and queue consumers), measured after each ' +
      'message once they had caught up. The cost model prices both; the later work as measured here, one message at a ' +
      'time, is an upper bound: each message\'s changes make a stream batch of their own, where under load a batch ' +
      'carries many (see the requests per message by function above).',
    '',
    '| protocol | action | DynamoDB requests | sequential round trips (most) | read units | write units | Lambda invocations | @connections | bytes in / out | median ms | after the answer: DynamoDB requests | after: read / write units | after: Lambda invocations |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    ...(unsettled.length
      ? ['', `**Not settled:** ${unsettled.map(([a, m]) => `${a} ${m.unsettled}×`).join(', ')}: their later work may show under the next message.`]
      : []),
  ];
};

const loadRows = (label: string, l: LoadResult) =>
  `| ${label} | ${l.chargers} | ${l.durationS} s | ${l.calls} | **${l.callsPerSecond}** | ${l.p50} | ${l.p95} | ${l.p99} | ${l.errors} |`;

export const toMarkdown = (r: BenchReport): string => {
  const lines = [
    `# Benchmark report`,
    '',
    `${r.startedAt} · ${r.machine.cpus} CPUs · Node ${r.machine.node} · settings ${JSON.stringify(r.settings)}`,
    '',
    '## Targets',
    '',
    ...targetRows(r),
    '',
    '## Throughput and latency (local runtime, every message persisted in DynamoDB Local)',
    '',
    '| server | chargers | duration | calls | calls/s | p50 ms | p95 ms | p99 ms | errors |',
    '|---|---|---|---|---|---|---|---|---|',
    loadRows('O-V2X-MP local runtime', r.csms),
    ...(r.baseline ? [loadRows('baseline (ocpp-rpc, in memory)', r.baseline)] : []),
    '',
    `DynamoDB Local alone serves about **${r.dynamodbLocalCeilingOpsPerSecond} updates/s** on this machine (16 parallel writers, same process tree); ` +
      `under the load the handlers made **${r.dynamodbRequestsPerSecondUnderLoad} DynamoDB requests/s** ` +
      `(${(r.dynamodbRequestsPerSecondUnderLoad / Math.max(1, r.csms.callsPerSecond)).toFixed(1)} per message). ` +
      'Every message is persisted before it is answered, so DynamoDB Local bounds the local runtime; on AWS, DynamoDB on-demand and Lambda concurrency take that place.',
    ...byFunctionRows(r.dynamodbRequestsPerMessageUnderLoadByFunction),
    ...(r.csms.errorSamples.length ? ['', `**Errors:** ${r.csms.errorSamples.join('; ')}`] : []),
    '',
    '| action | calls | p50 ms | p95 ms | p99 ms | errors |',
    '|---|---|---|---|---|---|',
    ...Object.entries(r.csms.byAction).map(([a, f]) => `| ${a} | ${f.calls} | ${f.p50} | ${f.p95} | ${f.p99} | ${f.errors} |`),
  ];
  if (r.ramp?.length) {
    lines.push('', '### Ramp (active chargers doubled per step until p99 passes the threshold)', '', '| active chargers | calls/s | p99 ms | errors |', '|---|---|---|---|');
    lines.push(...r.ramp.map((s) => `| ${s.activeChargers} | ${s.callsPerSecond} | ${s.p99} | ${s.errors} |`));
  }
  if (r.storm) lines.push('', ...stormMarkdown(r.storm));
  lines.push('', '## Cost of one message, measured (DynamoDB consumed capacity, invocations, @connections calls)', '', ...perMessageRows(r.perMessage));
  if (r.commandRoundTrip) lines.push('', ...commandMarkdown(r.commandRoundTrip));
  lines.push('', '## Cold start (bundled as CDK bundles; fresh Node 22 process per run)', '');
  lines.push(
    '| function | bundle KB | gzip KB | loaded on use, KB | init ms min / median / max | first invocation ms min / median / max | SDK calls traced |',
    '|---|---|---|---|---|---|---|',
  );
  for (const c of r.coldStarts) {
    const side = Object.entries(c.sideFileBytes).map(([f, b]) => `${f} ${kb(b)}`).join(', ') || '–';
    lines.push(`| ${c.routeId} | ${kb(c.bundleBytes)} | ${kb(c.gzipBytes)} | ${side} | ${spreadText(c.initMs)} | ${spreadText(c.firstInvokeMs)} | ${c.tracedSdkCalls} |`);
  }
  lines.push(
    '',
    'The first invocation of a version-validating function includes loading that version\'s validators (here 1.6).',
    'Each process runs with the environment of a function with active X-Ray tracing (a local socket stands for the',
    'daemon): init includes loading the X-Ray SDK, the first invocation its subsegments.',
  );
  if (r.authCost) lines.push('', '## `$connect` authorizer cost per attempt (this process)', '', ...formatAuthCost(r.authCost));
  lines.push('', '## Cost per charger per month (AWS list prices, bench/pricing.ts)', '', formatCostTable(r.costPerChargerMonth));
  return `${lines.join('\n')}\n`;
};
