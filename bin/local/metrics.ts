/**
 * Metrics under `npm start`: the handlers print CloudWatch embedded metric format lines on stdout, as on Lambda
 * (functions/_common/metrics.ts); the runtime reads those same lines back as they are written, keeps counters and
 * latency percentiles since its start, and serves them as JSON for `npm run cli -- metrics`. The lines themselves are
 * kept off the terminal (they are for CloudWatch, not people) unless LOCAL_METRICS_ECHO=1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One value of one metric, as an embedded-metric line carries it. */
export interface MetricPoint {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
}

interface EmfDirective {
  readonly Namespace?: unknown;
  readonly Dimensions?: unknown;
  readonly Metrics?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The metrics of one line of output; none for a line that is no embedded-metric document. */
export const parseEmfLine = (line: string): MetricPoint[] => {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return [];
  }
  if (!isRecord(doc) || !isRecord(doc._aws) || !Array.isArray(doc._aws.CloudWatchMetrics)) return [];
  const points: MetricPoint[] = [];
  for (const directive of doc._aws.CloudWatchMetrics as EmfDirective[]) {
    const dimensionNames = Array.isArray(directive.Dimensions) ? (directive.Dimensions.flat() as unknown[]).filter((d): d is string => typeof d === 'string') : [];
    const dimensions = Object.fromEntries(dimensionNames.flatMap((d) => (typeof doc[d] === 'string' ? [[d, doc[d] as string]] : [])));
    for (const metric of Array.isArray(directive.Metrics) ? directive.Metrics : []) {
      if (!isRecord(metric) || typeof metric.Name !== 'string') continue;
      const raw = doc[metric.Name];
      // A metric may carry several values (Powertools stores repeats of one metric in an array).
      for (const value of Array.isArray(raw) ? raw : [raw]) {
        if (typeof value !== 'number') continue;
        points.push({
          namespace: typeof directive.Namespace === 'string' ? directive.Namespace : '',
          name: metric.Name,
          unit: typeof metric.Unit === 'string' ? metric.Unit : 'None',
          dimensions,
          value,
        });
      }
    }
  }
  return points;
};

/** A metric with one set of dimension values, summarised since the runtime started. */
export interface MetricSummary {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** The latest value (for a gauge such as ConnectedChargers). */
  readonly last: number;
  /** Percentiles of the values kept (the last RESERVOIR of them). */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export interface MetricsSnapshot {
  readonly since: string;
  readonly metrics: readonly MetricSummary[];
}

/** Values kept per series for percentiles: enough for a local run, bounded for a long one. */
export const RESERVOIR = 2048;

interface Series {
  namespace: string;
  name: string;
  unit: string;
  dimensions: Record<string, string>;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  values: number[];
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

export class MetricsCollector {
  readonly #series = new Map<string, Series>();
  readonly #since = new Date().toISOString();

  add(point: MetricPoint): void {
    const dims = Object.entries(point.dimensions).sort(([a], [b]) => a.localeCompare(b));
    const key = JSON.stringify([point.namespace, point.name, dims]);
    let s = this.#series.get(key);
    if (!s) {
      s = { namespace: point.namespace, name: point.name, unit: point.unit, dimensions: Object.fromEntries(dims), count: 0, sum: 0, min: point.value, max: point.value, last: 0, values: [] };
      this.#series.set(key, s);
    }
    s.count += 1;
    s.sum += point.value;
    s.min = Math.min(s.min, point.value);
    s.max = Math.max(s.max, point.value);
    s.last = point.value;
    s.values.push(point.value);
    if (s.values.length > RESERVOIR) s.values.shift();
  }

  snapshot(): MetricsSnapshot {
    const metrics = [...this.#series.values()].map(({ values, ...s }): MetricSummary => {
      const sorted = [...values].sort((a, b) => a - b);
      return { ...s, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) };
    });
    metrics.sort((a, b) => a.name.localeCompare(b.name) || JSON.stringify(a.dimensions).localeCompare(JSON.stringify(b.dimensions)));
    return { since: this.#since, metrics };
  }
}

type Write = typeof process.stdout.write;

/**
 * Reads the process's stdout as it is written: embedded-metric lines go to `collector` (and to the terminal only with
 * `echo`), everything else through. Returns what restores stdout.
 */
export const captureEmbeddedMetrics = (collector: MetricsCollector, echo = process.env.LOCAL_METRICS_ECHO === '1'): (() => void) => {
  const stdout = process.stdout;
  const original: Write = stdout.write.bind(stdout);
  let partial = '';
  const write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    const passed: string[] = [];
    for (const line of lines) {
      const points = parseEmfLine(line);
      for (const p of points) collector.add(p);
      if (points.length === 0 || echo) passed.push(line);
    }
    // A write's callback, if any, is called as the original would (the caller may wait for it).
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    if (passed.length === 0) {
      callback?.();
      return true;
    }
    return original(`${passed.join('\n')}\n`, callback);
  }) as Write;
  stdout.write = write;
  return () => {
    if (stdout.write === write) stdout.write = original;
  };
};

/** Serves the collector's snapshot as JSON (GET /); the runtime file names the URL as the `metrics` endpoint. */
export const serveMetrics = async (collector: MetricsCollector, host: string): Promise<{ url: string; close(): Promise<void> }> => {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' });
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(collector.snapshot()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
