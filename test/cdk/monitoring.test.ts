import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { isHttpRoute, isStreamRoute, type RouteDef, routes as routeTable } from '../../functions/routes.ts';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '../../shared/metrics/catalog.ts';
import { queues } from '../../shared/store/queues.ts';
import { tables } from '../../shared/store/tables.ts';
import { functionIdForRoute, type Resource, type Resources, routeFunctions, synthStack } from './support.ts';

const routes: readonly RouteDef[] = routeTable;

/** One graphed metric: `[namespace, name, dim, value, …, { stat, label, … }]`, or `[{ expression, … }]`. */
type MetricRow = (string | Record<string, unknown>)[];
interface Widget {
  type: string;
  properties: { title?: string; metrics?: MetricRow[]; alarms?: unknown[] };
}

/**
 * The dashboard's widgets, parsed from its body: a Fn::Join whose tokens (Refs, the region, function names) sit inside
 * JSON strings; each becomes the JSON of the token, so `tokenOf` gives it back.
 */
const widgetsOf = (template: Template): Widget[] => {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard') as Resources);
  expect(dashboards).toHaveLength(1);
  const [, parts] = ((dashboards[0] as Resource).Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const body = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(JSON.stringify(p)).slice(1, -1))).join('');
  return (JSON.parse(body) as { widgets: Widget[] }).widgets;
};
const tokenOf = (value: unknown): unknown => JSON.parse(String(value));
const rowsTitled = (widgets: Widget[], title: string): MetricRow[] => {
  const found = widgets.filter((w) => w.properties.title === title);
  expect(found.length, title).toBeGreaterThan(0);
  return found.flatMap((w) => w.properties.metrics ?? []);
};
/** The `dimension → value` pairs of a plain metric row. */
const dimensionsOf = (row: MetricRow): Record<string, unknown> => {
  const plain = row.filter((x): x is string => typeof x === 'string').slice(2);
  return Object.fromEntries(plain.flatMap((_, i) => (i % 2 === 0 ? [[plain[i], plain[i + 1]]] : [])));
};
const expressionsOf = (widgets: Widget[]): string[] =>
  widgets.flatMap((w) => w.properties.metrics ?? []).flatMap((row) => row.flatMap((x) => (typeof x === 'object' && typeof x.expression === 'string' ? [x.expression] : [])));

const logicalId = (template: Template, type: string, match: (r: Resource) => boolean): string => {
  const ids = Object.entries(template.findResources(type) as Resources).filter(([, r]) => match(r)).map(([id]) => id);
  expect(ids, type).toHaveLength(1);
  return ids[0] as string;
};
const alarms = (template: Template) => template.findResources('AWS::CloudWatch::Alarm') as Resources;
const alarmWithId = (template: Template, idPart: string): Resource => {
  const found = Object.entries(alarms(template)).filter(([id]) => id.includes(idPart));
  expect(found.map(([id]) => id), idPart).toHaveLength(1);
  return (found[0] as [string, Resource])[1];
};
type Query = { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] }; Stat: string; Period: number } };

let dev: Template;
let withEmail: Template;
let devParent: Template;
beforeAll(() => {
  const synth = synthStack({ stage: 'dev' });
  dev = synth.template;
  devParent = synth.parent;
  withEmail = synthStack({ stage: 'dev', context: { alarmEmail: 'ops@example.com' }, configOverrides: { connectRefusalAlarmPer5Min: 250 } }).template;
});

describe('the dashboard', () => {
  it('graphs every metric of the catalog in its namespace, with `service` before the metric’s own dimensions', () => {
    const widgets = widgetsOf(dev);
    const expressions = expressionsOf(widgets);
    const plain = widgets.flatMap((w) => w.properties.metrics ?? []).filter((row) => row[0] === METRICS_NAMESPACE);
    for (const def of Object.values(METRICS)) {
      if (def.dimensions.length === 0) {
        expect(plain.filter((row) => row[1] === def.name).map(dimensionsOf), def.name).toContainEqual({ service: METRICS_SERVICE });
      } else {
        const schema = `{${[METRICS_NAMESPACE, 'service', ...def.dimensions].join(',')}}`;
        expect(expressions.filter((e) => e.includes(`MetricName="${def.name}"`)).every((e) => e.includes(`SEARCH('${schema} `)), def.name).toBe(true);
        expect(expressions.some((e) => e.includes(`MetricName="${def.name}" service="${METRICS_SERVICE}"`)), def.name).toBe(true);
      }
    }
    // Written out once: the catalog helpers must not drift from what the functions emit.
    expect(expressions).toContain(`SEARCH('{OV2xMp,service,Action,Protocol} MetricName="ChargerMessages" service="o-v2x-mp"', 'Sum', 60) / 60`);
    expect(expressions).toContain(`SEARCH('{OV2xMp,service,Action,Outcome} MetricName="CommandOutcomes" service="o-v2x-mp" Outcome="timedOut"', 'Sum', 60)`);
    expect(expressions.filter((e) => e.includes('"CommandLatency"')).map((e) => e.match(/'(p\d+)'/)?.[1])).toEqual(['p50', 'p99']);
  });

  it('reads the `service` value the functions emit: Powertools takes it from POWERTOOLS_SERVICE_NAME', () => {
    const services = Object.values(routeFunctions(dev)).map((fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.POWERTOOLS_SERVICE_NAME);
    expect(services).toHaveLength(routes.length);
    expect(new Set(services)).toEqual(new Set([METRICS_SERVICE]));
  });

  it('graphs errors, throttles, duration p99 and concurrency of every function, the REST API’s apart', () => {
    const widgets = widgetsOf(dev);
    const operatorApi = new Set(routes.filter(isHttpRoute).map((r) => r.id));
    for (const [title, metric, stat] of [
      ['Errors', 'Errors', 'Sum'],
      ['Throttles', 'Throttles', 'Sum'],
      ['Duration p99 (ms)', 'Duration', 'p99'],
      ['Concurrent executions', 'ConcurrentExecutions', 'Maximum'],
    ] as const) {
      const perWidget = widgets.filter((w) => w.properties.title === title).map((w) => w.properties.metrics ?? []);
      expect(perWidget, title).toHaveLength(2);
      const [chargerSide, restApi] = perWidget as [MetricRow[], MetricRow[]];
      expect(chargerSide.map((row) => (row.at(-1) as { label: string }).label).sort()).toEqual(routes.filter((r) => !operatorApi.has(r.id)).map((r) => r.id).sort());
      expect(restApi.map((row) => (row.at(-1) as { label: string }).label).sort()).toEqual([...operatorApi].sort());
      for (const row of [...chargerSide, ...restApi]) {
        const { label, stat: graphed } = row.at(-1) as { label: string; stat: string };
        expect([row[0], row[1], graphed], label).toEqual(['AWS/Lambda', metric, stat]);
        const fnId = functionIdForRoute(dev, label);
        const name = tokenOf(dimensionsOf(row).FunctionName);
        // The dashboard is in a nested stack of its own: every name is cut out of the function's ARN (one value
        // passed per function; the REST functions' ARNs the parent already gets from their nested stack).
        expect(name, label).toEqual({ 'Fn::Select': [6, { 'Fn::Split': [':', { 'Fn::GetAtt': [fnId, 'Arn'] }] }] });
      }
    }
  });

  it('adds no nested-stack output of the REST functions for it: their names come from the ARN outputs', () => {
    const getAtts: [string, string][] = [];
    JSON.stringify(devParent.toJSON(), (key, value: unknown) => {
      if (key === 'Fn::GetAtt' && Array.isArray(value)) getAtts.push(value as [string, string]);
      return value;
    });
    const fromRestFunctions = getAtts.filter(([id, att]) => id.startsWith('OperatorApiFunctions') && att.startsWith('Outputs.')).map(([, att]) => att);
    expect(fromRestFunctions.length).toBeGreaterThan(0);
    expect(fromRestFunctions.filter((o) => !o.endsWith('Arn'))).toEqual([]);
  });

  it('graphs DynamoDB throttles and consumed capacity per table, SQS age per queue and dead letters', () => {
    const widgets = widgetsOf(dev);
    const refsIn = (title: string, metric: string, dimension: string) =>
      rowsTitled(widgets, title).filter((row) => row[1] === metric).map((row) => tokenOf(dimensionsOf(row)[dimension]));
    expect(tables.map((t) => t.name)).toEqual(['Csms', 'MessageLog']);
    for (const metric of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
      expect(refsIn('DynamoDB throttle events (read, write)', metric, 'TableName')).toHaveLength(tables.length);
    }
    for (const metric of ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits']) {
      expect(refsIn('DynamoDB consumed capacity units (read, write)', metric, 'TableName')).toHaveLength(tables.length);
    }
    const tableRefs = Object.keys(dev.findResources('AWS::DynamoDB::GlobalTable')).map((id) => ({ Ref: id }));
    expect(refsIn('DynamoDB throttle events (read, write)', 'ReadThrottleEvents', 'TableName')).toEqual(tableRefs);
    const queueNames = (title: string, metric: string) =>
      refsIn(title, metric, 'QueueName').map((q) => (q as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    const sqs = dev.findResources('AWS::SQS::Queue') as Resources;
    const deadLetters = Object.keys(sqs).filter((id) => id.includes('DeadLetters'));
    expect(queueNames('SQS age of the oldest message (s)', 'ApproximateAgeOfOldestMessage').sort()).toEqual(
      Object.keys(sqs).filter((id) => !deadLetters.includes(id)).sort(),
    );
    expect(queueNames('Dead letters and failure records waiting', 'ApproximateNumberOfMessagesVisible')).toHaveLength(queues.length + 1);
  });

  it('graphs WebSocket connects, messages and errors by ApiId and Stage, and REST 4xx, 5xx and latency by ApiName and Stage', () => {
    const widgets = widgetsOf(dev);
    const wsApis = Object.keys(dev.findResources('AWS::ApiGatewayV2::Api'));
    // The charger API; the operators' live-event API joins it with its routes.
    expect(wsApis.length).toBeGreaterThan(0);
    for (const [title, metrics] of [
      ['WebSocket connects', ['ConnectCount']],
      ['WebSocket messages', ['MessageCount']],
      ['WebSocket integration, client and execution errors', ['IntegrationError', 'ClientError', 'ExecutionError']],
    ] as const) {
      const rows = rowsTitled(widgets, title);
      for (const metric of metrics) {
        const graphed = rows.filter((row) => row[0] === 'AWS/ApiGateway' && row[1] === metric).map(dimensionsOf);
        expect(graphed.map((d) => tokenOf(d.ApiId)).sort(), metric).toEqual(wsApis.map((id) => ({ Ref: id })).sort());
        expect(graphed.map((d) => d.Stage), metric).toEqual(wsApis.map(() => 'dev'));
      }
    }
    const rest = [...rowsTitled(widgets, 'REST API 4xx and 5xx'), ...rowsTitled(widgets, 'REST API latency (ms)')];
    expect(rest.map((row) => [row[1], (row.at(-1) as { stat: string }).stat])).toEqual([
      ['4XXError', 'Sum'],
      ['5XXError', 'Sum'],
      ['Latency', 'p50'],
      ['Latency', 'p99'],
    ]);
    for (const row of rest) expect(Object.keys(dimensionsOf(row))).toEqual(['ApiName', 'Stage']);
  });

  it('shows the state of every alarm', () => {
    const status = widgetsOf(dev).filter((w) => w.type === 'alarm');
    expect(status).toHaveLength(1);
    expect((status[0] as Widget).properties.alarms).toHaveLength(Object.keys(alarms(dev)).length);
  });
});

const topicRef = () => ({ Ref: logicalId(dev, 'AWS::SNS::Topic', () => true) });

describe('the alarms', () => {
  it('report to the one topic on ALARM and on OK, each with its missing-data treatment chosen', () => {
    const all = Object.entries(alarms(dev));
    expect(all.length).toBeGreaterThan(0);
    for (const [id, alarm] of all) {
      expect(alarm.Properties, id).toMatchObject({ AlarmActions: [topicRef()], OKActions: [topicRef()], TreatMissingData: 'notBreaching' });
    }
  });

  it('fire on any message in a dead-letter queue or the stream failure queue', () => {
    const failureQueues = [...new Set(routes.filter(isStreamRoute).map((r) => r.onFailure))];
    expect(failureQueues).toEqual(['ChangeFeedFailures']);
    const sqs = dev.findResources('AWS::SQS::Queue') as Resources;
    const deadLetters = Object.keys(sqs).filter((id) => id.includes('DeadLetters'));
    const failures = Object.keys(sqs).filter((id) => id.startsWith('QueuesChangeFeedFailures') && !deadLetters.includes(id));
    const watched = [...deadLetters, ...failures];
    expect(watched).toHaveLength(queues.length + 1);
    const dlqAlarms = Object.values(alarms(dev)).filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms.map((a) => (a.Properties.Dimensions as { Value: { 'Fn::GetAtt': [string] } }[])[0]?.Value['Fn::GetAtt'][0]).sort()).toEqual(watched.sort());
    for (const a of dlqAlarms) {
      expect(a.Properties).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Period: 300, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    }
  });

  it('sum each function’s Lambda errors and throttles into alarms of at most ten metrics, covering every function once', () => {
    for (const metric of ['Errors', 'Throttles']) {
      const group = Object.entries(alarms(dev)).filter(([id]) => id.includes(`Lambda${metric}`)).map(([, a]) => a.Properties);
      const queries = group.flatMap((p) => p.Metrics as Query[]);
      const stats = queries.flatMap((q) => (q.MetricStat ? [q.MetricStat] : []));
      for (const p of group) {
        expect((p.Metrics as Query[]).filter((q) => q.MetricStat).length).toBeLessThanOrEqual(10);
        expect(p).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
      }
      expect(stats.every((s) => s.Metric.Namespace === 'AWS/Lambda' && s.Metric.MetricName === metric && s.Stat === 'Sum' && s.Period === 300)).toBe(true);
      const named = stats.map((s) => JSON.stringify(s.Metric.Dimensions[0]?.Value));
      expect(new Set(named).size).toBe(routes.length);
      for (const route of routes) expect(named.some((n) => n.includes(`"${functionIdForRoute(dev, route.id)}"`)), route.id).toBe(true);
    }
  });

  it('fire on any REST API 5xx in 5 minutes', () => {
    expect(alarmWithId(dev, 'RestApi5xx').Properties).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fire on a spike of refused connections, all reasons summed, above the stage’s threshold', () => {
    const spike = (t: Template) => alarmWithId(t, 'ConnectRefusalSpike').Properties;
    const expression = `SELECT SUM(ConnectRefusals) FROM SCHEMA("OV2xMp", service, Reason) WHERE service = 'o-v2x-mp'`;
    expect(spike(dev)).toMatchObject({ Threshold: 100, ComparisonOperator: 'GreaterThanThreshold', Metrics: [{ Expression: expression, Period: 300, ReturnData: true }] });
    expect(spike(withEmail).Threshold).toBe(250);
  });

  it('fire when over 20% of at least 10 connected chargers are gone compared with 15 minutes earlier', () => {
    const drop = alarmWithId(dev, 'ConnectedChargersDrop').Properties;
    expect(drop).toMatchObject({ Threshold: 20, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 4, DatapointsToAlarm: 1 });
    const byId = Object.fromEntries((drop.Metrics as Query[]).map((q) => [q.Id, q]));
    const returned = (drop.Metrics as (Query & { ReturnData: boolean })[]).filter((q) => q.ReturnData);
    expect(returned.map((q) => q.Expression)).toEqual(['IF(before15 >= 10, 100 * (before15 - lowest) / before15, 0)']);
    // Three one-period lags of the 5-minute maximum: 15 minutes.
    expect([byId.before15?.Expression, byId.before10?.Expression, byId.before5?.Expression]).toEqual([
      'before10 - DIFF(before10)',
      'before5 - DIFF(before5)',
      'highest - DIFF(highest)',
    ]);
    for (const [id, stat] of [
      ['highest', 'Maximum'],
      ['lowest', 'Minimum'],
    ] as const) {
      expect(byId[id]?.MetricStat).toEqual({
        Metric: { Namespace: 'OV2xMp', MetricName: 'ConnectedChargers', Dimensions: [{ Name: 'service', Value: 'o-v2x-mp' }] },
        Stat: stat,
        Period: 300,
      });
    }
  });
});

describe('the alarm topic', () => {
  it('is encrypted with a rotated key of its own that CloudWatch may use, and refuses plain HTTP', () => {
    const topic = Object.values(dev.findResources('AWS::SNS::Topic') as Resources);
    expect(topic).toHaveLength(1);
    const keyId = ((topic[0] as Resource).Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = (dev.findResources('AWS::KMS::Key') as Resources)[keyId] as Resource;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    const policy = JSON.stringify(Object.values(dev.findResources('AWS::SNS::TopicPolicy') as Resources).map((p) => p.Properties.PolicyDocument));
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('cloudwatch.amazonaws.com');
  });

  it('has an email subscription only when -c alarmEmail names an address', () => {
    dev.resourceCountIs('AWS::SNS::Subscription', 0);
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: logicalId(withEmail, 'AWS::SNS::Topic', () => true) } });
  });

  it('is an output, beside the dashboard’s address', () => {
    const outputs = dev.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AlarmTopicArn?.Value).toEqual(topicRef());
    expect(JSON.stringify(outputs.DashboardUrl?.Value)).toContain('#dashboards:name=');
    dev.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Test-dev' });
  });
});
