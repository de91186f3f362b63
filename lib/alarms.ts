/**
 * The alarms operators are told about (through one SNS topic, on ALARM and back to OK): dead letters waiting, Lambda
 * errors and throttles, REST API 5xx, a spike of refused charger connections, and a sudden drop in connected chargers.
 * Each one's missing-data treatment is chosen for what a gap in its metric means.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, type AlarmProps, ComparisonOperator, type IMetric, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/metrics/catalog.ts';
import { csmsMetric, lambdaMetrics } from './monitoring-metrics.ts';
import type { MonitoredResources } from './monitoring.ts';

/** A sudden drop: more than `percent` of the chargers gone within 15 minutes, when at least `minConnected` were connected. */
export interface ConnectedDropThreshold {
  readonly percent: number;
  readonly minConnected: number;
}

export interface CsmsAlarmsProps {
  readonly resources: MonitoredResources;
  /** Where every alarm reports, on ALARM and on OK. */
  readonly topic: ITopic;
  /** Refused charger connections (all reasons) per 5 minutes above which the refusal alarm fires. @default 100 */
  readonly connectRefusalsPer5Min?: number;
  /** @default { percent: 20, minConnected: 10 } */
  readonly connectedDrop?: ConnectedDropThreshold;
}

const WINDOW = Duration.minutes(5);
/** CloudWatch takes at most 10 metrics in one alarm's math expression: the functions are summed in groups this size. */
const METRICS_PER_ALARM = 10;

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export class CsmsAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: CsmsAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    const { resources } = props;
    this.deadLetterAlarms(resources);
    this.functionAlarms(resources);
    if (resources.restApiStage) {
      // No requests, no datapoint: quiet is not broken. The functions throw only for bugs, so any 5xx is worth a look.
      this.add('RestApi5xx', {
        metric: resources.restApiStage.metricServerError({ statistic: 'Sum', period: WINDOW }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: 'The operator REST API answered 5xx (function errors, timeouts or API Gateway faults) in the last 5 minutes.',
      });
    }
    this.refusalAlarm(props.connectRefusalsPer5Min ?? 100);
    this.connectedDropAlarm(props.connectedDrop ?? { percent: 20, minConnected: 10 });
  }

  /** An alarm over one 5-minute period unless told otherwise, reporting to the topic. */
  private add(id: string, props: Omit<AlarmProps, 'evaluationPeriods'> & Partial<Pick<AlarmProps, 'evaluationPeriods'>>): Alarm {
    const alarm = new Alarm(this, id, { evaluationPeriods: 1, ...props });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  /** One per dead-letter (or failure-record) queue: anything in it is work that failed for good and waits for a person. */
  private deadLetterAlarms({ deadLetterQueues }: MonitoredResources): void {
    for (const [name, queue] of Object.entries(deadLetterQueues)) {
      // SQS stops reporting a queue that has been empty and untouched for six hours: missing means empty.
      this.add(`${name}NotEmpty`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: WINDOW }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `${name} holds messages: look at them, fix the cause, then redrive or delete them.`,
      });
    }
  }

  /**
   * Errors and throttles, summed over groups of up to ten functions (route table order). One alarm per function
   * would be 150 alarms; a group's alarm names its routes, and the dashboard's per-function graphs show which one.
   */
  private functionAlarms({ functions }: MonitoredResources): void {
    const groups = chunks(Object.entries(functions), METRICS_PER_ALARM);
    for (const [kind, what] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
    ] as const) {
      groups.forEach((group, i) => {
        const usingMetrics = Object.fromEntries(group.map(([routeId, fn], j): [string, IMetric] => [`m${j}`, lambdaMetrics(this, routeId, fn)[kind].with({ period: WINDOW })]));
        const names = Object.keys(usingMetrics);
        const ids = group.map(([routeId]) => routeId);
        // A function that was not invoked has no datapoint, and no invocation is no error.
        this.add(`Lambda${what}${i + 1}`, {
          metric: new MathExpression({
            expression: names.length === 1 ? 'm0' : `SUM([${names.join(',')}])`,
            usingMetrics,
            period: WINDOW,
            label: `${what}: ${ids.join(', ')}`,
          }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `Lambda ${kind} in the last 5 minutes in one of: ${ids.join(', ')}.`,
        });
      });
    }
  }

  /**
   * All refusal reasons together, through a Metrics Insights query: new reasons count without a deploy (a metric
   * math alarm would have to list each reason's metric). Many refusals at once: a misconfigured fleet after a
   * credential change, or someone guessing passwords.
   */
  private refusalAlarm(threshold: number): void {
    const def = METRICS.connectRefusals;
    const schema = [`"${METRICS_NAMESPACE}"`, 'service', ...def.dimensions].join(', ');
    // No refusals, no datapoint.
    this.add('ConnectRefusalSpike', {
      metric: new MathExpression({
        expression: `SELECT SUM(${def.name}) FROM SCHEMA(${schema}) WHERE service = '${METRICS_SERVICE}'`,
        usingMetrics: {},
        period: WINDOW,
        label: 'charger connections refused (all reasons)',
      }),
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `More than ${threshold} charger connections refused in 5 minutes: a fleet with stale credentials, or password guessing.`,
    });
  }

  /**
   * Metric math rather than anomaly detection: the connected count of a charger fleet is flat (chargers stay
   * connected day and night), so a learned band is narrow and flags ordinary churn, needs two weeks of history after
   * each deploy, and hides the threshold; a fixed percentage is predictable and testable. CloudWatch math has no time
   * shift, but `x - DIFF(x)` is the previous period's value: three times over, the 5-minute maximum 15 minutes earlier,
   * compared with the current 5-minute minimum.
   */
  private connectedDropAlarm({ percent, minConnected }: ConnectedDropThreshold): void {
    const connected = (statistic: string) => csmsMetric('connectedChargers', { statistic, period: WINDOW });
    // Each step the previous period's value of the one before; the ids differ as CloudWatch needs one id per query.
    const earlier = (id: string, x: IMetric) => new MathExpression({ expression: `${id} - DIFF(${id})`, usingMetrics: { [id]: x }, period: WINDOW });
    const before = earlier('before10', earlier('before5', earlier('highest', connected('Maximum'))));
    // Lagging needs the three periods before the evaluated one: four periods, any one breaching.
    this.add('ConnectedChargersDrop', {
      metric: new MathExpression({
        expression: `IF(before15 >= ${minConnected}, 100 * (before15 - lowest) / before15, 0)`,
        usingMetrics: { before15: before, lowest: connected('Minimum') },
        period: WINDOW,
        label: 'percent of chargers lost within 15 minutes',
      }),
      threshold: percent,
      evaluationPeriods: 4,
      datapointsToAlarm: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // The count is sampled every minute; a gap means the sampler did not run (its Lambda errors alarm says so), not
      // that chargers left. Breaching would also keep a new stage, which has no chargers yet, in ALARM.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        `More than ${percent}% of the connected chargers (when at least ${minConnected} were) dropped within 15 minutes: ` +
        'a network, edge (CloudFront, API Gateway) or authorizer outage.',
    });
  }
}
