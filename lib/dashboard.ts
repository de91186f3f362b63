/**
 * The operators' CloudWatch dashboard: the charger network first (connections, traffic, CALLERRORs, refusals,
 * commands, files: the CSMS's own metrics), then the AWS services under it (Lambda per function, DynamoDB per table,
 * SQS per queue, API Gateway per API), then the state of every alarm.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
  SingleValueWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { csmsMetric, csmsSearch, lambdaMetrics } from './monitoring-metrics.ts';
import type { MonitoredResources } from './monitoring.ts';

export interface CsmsDashboardProps {
  readonly resources: MonitoredResources;
  /** Shown in a status widget at the bottom. @default none */
  readonly alarms?: readonly IAlarm[];
  /** @default CloudFormation's generated name */
  readonly dashboardName?: string;
}

/** Full width is 24 columns; two graphs a row. */
const HALF = 12;
const THIRD = 8;
const HEIGHT = 6;

const graph = (title: string, left: IMetric[], opts: { width?: number; right?: IMetric[] } = {}) =>
  new GraphWidget({ title, left, width: opts.width ?? HALF, height: HEIGHT, ...(opts.right ? { right: opts.right } : {}) });
const heading = (markdown: string) => new TextWidget({ markdown, width: 24, height: 1 });

export class CsmsDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** The console address of the dashboard. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CsmsDashboardProps) {
    super(scope, id);
    const { resources } = props;
    this.dashboard = new Dashboard(this, 'Resource', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: Duration.hours(3),
      widgets: [
        ...this.chargerRows(),
        ...this.functionRows(resources),
        ...this.dataRows(resources),
        ...this.apiRows(resources),
        ...(props.alarms && props.alarms.length > 0 ? [[heading('## Alarms'), new AlarmStatusWidget({ alarms: [...props.alarms], width: 24, height: 4 })]] : []),
      ],
    });
    this.url = `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.dashboard.dashboardName}`;
  }

  /** The network as the CSMS sees it: the catalog's metrics (shared/metrics/catalog.ts). */
  private chargerRows(): IWidget[][] {
    const connected = csmsMetric('connectedChargers', { statistic: 'Maximum', label: 'connected chargers' });
    return [
      [heading('## Chargers')],
      [
        new SingleValueWidget({ title: 'Connected chargers', metrics: [connected], width: 4, height: HEIGHT, sparkline: true }),
        graph('Connects by OCPP version, disconnects', [csmsSearch('chargerConnects', { statistic: 'Sum' })], {
          width: 10,
          right: [csmsMetric('chargerDisconnects', { statistic: 'Sum', label: 'disconnects' })],
        }),
        graph('Connect refusals by reason', [csmsSearch('connectRefusals', { statistic: 'Sum' })], { width: 10 }),
      ],
      [
        graph('Charger messages per second, by action and OCPP version', [csmsSearch('chargerMessages', { statistic: 'Sum', perSecond: true })]),
        graph('CALLERRORs sent, by code', [csmsSearch('callErrorsSent', { statistic: 'Sum' })], {
          width: 6,
          // Part of the GenericErrors: frames refused unread because their charger sent too many.
          right: [csmsMetric('messagesOverBudget', { statistic: 'Sum', label: 'over the message budget' })],
        }),
        graph('Payloads tolerated, by action', [csmsSearch('payloadsTolerated', { statistic: 'Sum' })], { width: 6 }),
      ],
      [
        graph('Command latency p50, by action (ms)', [csmsSearch('commandLatency', { statistic: 'p50' })], { width: THIRD }),
        graph('Command latency p99, by action (ms)', [csmsSearch('commandLatency', { statistic: 'p99' })], { width: THIRD }),
        graph('Commands sent, by action', [csmsSearch('commandsSent', { statistic: 'Sum' })], { width: THIRD }),
      ],
      [
        graph('Command outcomes, by action and outcome', [csmsSearch('commandOutcomes', { statistic: 'Sum' })], { width: THIRD }),
        graph('Command timeouts, by action', [csmsSearch('commandOutcomes', { statistic: 'Sum', filter: { Outcome: 'timedOut' } })], { width: THIRD }),
        graph('File uploads by outcome; firmware downloads by outcome and way', [csmsSearch('fileUploads', { statistic: 'Sum' })], {
          width: THIRD,
          right: [csmsSearch('firmwareDownloads', { statistic: 'Sum' })],
        }),
      ],
    ];
  }

  /** Per function, the charger side and the operator API apart: the latter has many routes and little traffic. */
  private functionRows({ functions, operatorApiRouteIds }: MonitoredResources): IWidget[][] {
    const operatorApi = new Set(operatorApiRouteIds);
    const all = Object.entries(functions);
    const groups: [string, typeof all][] = [
      ['charger side', all.filter(([id]) => !operatorApi.has(id))],
      ['operator REST API', all.filter(([id]) => operatorApi.has(id))],
    ];
    return groups
      .filter(([, members]) => members.length > 0)
      .flatMap(([group, members]) => {
        const metrics = members.map(([id, fn]) => lambdaMetrics(this, id, fn));
        return [
          [heading(`## Lambda: ${group}`)],
          [
            graph('Errors', metrics.map((m) => m.errors), { width: 6 }),
            graph('Throttles', metrics.map((m) => m.throttles), { width: 6 }),
            graph('Duration p99 (ms)', metrics.map((m) => m.durationP99), { width: 6 }),
            graph('Concurrent executions', metrics.map((m) => m.concurrency), { width: 6 }),
          ],
        ];
      });
  }

  private dataRows({ tables, queues, deadLetterQueues }: MonitoredResources): IWidget[][] {
    const perTable = Object.entries(tables);
    const sum = { statistic: 'Sum', period: Duration.minutes(1) };
    return [
      [heading('## DynamoDB and SQS')],
      [
        graph(
          // Table-level events; on-demand tables throttle only on hot keys or sudden jumps past twice the previous peak.
          'DynamoDB throttle events (read, write)',
          perTable.flatMap(([name, t]) => [
            t.metric('ReadThrottleEvents', { ...sum, label: `${name} read` }),
            t.metric('WriteThrottleEvents', { ...sum, label: `${name} write` }),
          ]),
        ),
        graph(
          'DynamoDB consumed capacity units (read, write)',
          perTable.flatMap(([name, t]) => [
            t.metricConsumedReadCapacityUnits({ ...sum, label: `${name} read` }),
            t.metricConsumedWriteCapacityUnits({ ...sum, label: `${name} write` }),
          ]),
        ),
      ],
      [
        graph(
          'SQS age of the oldest message (s)',
          Object.entries(queues).map(([name, q]) => q.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', label: name })),
        ),
        graph(
          'Dead letters and failure records waiting',
          Object.entries(deadLetterQueues).map(([name, q]) => q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: name })),
        ),
      ],
    ];
  }

  private apiRows({ webSocketStages, restApiStage }: MonitoredResources): IWidget[][] {
    const sum = { statistic: 'Sum', period: Duration.minutes(1) };
    const ws = Object.entries(webSocketStages);
    return [
      [heading('## API Gateway')],
      [
        graph('WebSocket connects', ws.map(([api, stage]) => stage.metric('ConnectCount', { ...sum, label: api })), { width: THIRD }),
        graph('WebSocket messages', ws.map(([api, stage]) => stage.metric('MessageCount', { ...sum, label: api })), { width: THIRD }),
        graph(
          'WebSocket integration, client and execution errors',
          ws.flatMap(([api, stage]) => [
            stage.metric('IntegrationError', { ...sum, label: `${api} integration` }),
            stage.metric('ClientError', { ...sum, label: `${api} client` }),
            stage.metric('ExecutionError', { ...sum, label: `${api} execution` }),
          ]),
          { width: THIRD },
        ),
      ],
      ...(restApiStage
        ? [
            [
              graph('REST API 4xx and 5xx', [
                restApiStage.metricClientError({ ...sum, label: '4xx' }),
                restApiStage.metricServerError({ ...sum, label: '5xx' }),
              ]),
              graph('REST API latency (ms)', [
                restApiStage.metricLatency({ statistic: 'p50', label: 'p50' }),
                restApiStage.metricLatency({ statistic: 'p99', label: 'p99' }),
              ]),
            ],
          ]
        : []),
    ];
  }
}
