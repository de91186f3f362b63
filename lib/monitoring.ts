/**
 * What operators watch: the CloudWatch dashboard (lib/dashboard.ts) and the alarms (lib/alarms.ts), which report to
 * one encrypted SNS topic; an email address subscribes to it when the stage names one (`-c alarmEmail=…`).
 */
import { CfnOutput, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { IWebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ConnectedDropThreshold, CsmsAlarms } from './alarms.ts';
import { CsmsDashboard } from './dashboard.ts';

/** The stack's resources the dashboard graphs and the alarms watch, each by the name it is shown under. */
export interface MonitoredResources {
  /** By route id. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** The route ids of the operator REST API's functions: graphed apart from the charger side's. */
  readonly operatorApiRouteIds: readonly string[];
  readonly tables: Readonly<Record<string, ITableV2>>;
  /** Queues functions consume or send to, by logical name. */
  readonly queues: Readonly<Record<string, IQueue>>;
  /** Queues where failed work ends up (dead-letter queues, stream failure destinations): never empty for long. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** By API name (`chargers`, `operators`). */
  readonly webSocketStages: Readonly<Record<string, IWebSocketStage>>;
  readonly restApiStage?: Stage;
}

export interface MonitoringProps {
  readonly resources: MonitoredResources;
  /** Subscribed to the alarm topic by email (the address confirms once). @default no subscription */
  readonly alarmEmail?: string;
  /** @default 100 (see CsmsAlarmsProps) */
  readonly connectRefusalsPer5Min?: number;
  /** @default { percent: 20, minConnected: 10 } */
  readonly connectedDrop?: ConnectedDropThreshold;
  /** Of the topic's key. */
  readonly removalPolicy: RemovalPolicy;
}

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: CsmsDashboard;
  readonly alarms: CsmsAlarms;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = this.alarmTopic(props.removalPolicy);
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.alarms = new CsmsAlarms(this, 'Alarms', {
      resources: props.resources,
      topic: this.topic,
      ...(props.connectRefusalsPer5Min !== undefined ? { connectRefusalsPer5Min: props.connectRefusalsPer5Min } : {}),
      ...(props.connectedDrop ? { connectedDrop: props.connectedDrop } : {}),
    });
    this.dashboard = new CsmsDashboard(this, 'Dashboard', {
      resources: props.resources,
      alarms: this.alarms.alarms,
      // The stack's name (`OV2xMp-<stage>`): a stable address to bookmark, and one dashboard per stage.
      dashboardName: Stack.of(this).stackName,
    });
    new CfnOutput(Stack.of(this), 'DashboardUrl', { description: 'The operators’ CloudWatch dashboard', value: this.dashboard.url });
    new CfnOutput(Stack.of(this), 'AlarmTopicArn', {
      description: 'SNS topic of every alarm (aws sns subscribe --protocol email ... or -c alarmEmail=…)',
      value: this.topic.topicArn,
    });
  }

  /**
   * Encrypted with a key of its own: CloudWatch cannot publish to a topic under the AWS-managed SNS key, whose policy
   * nobody can extend. TLS only; CloudWatch alarms of this account may publish.
   */
  private alarmTopic(removalPolicy: RemovalPolicy): Topic {
    const key = new Key(this, 'TopicKey', { enableKeyRotation: true, removalPolicy, description: 'Encrypts the CSMS alarm topic' });
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } };
    key.addToResourcePolicy(
      new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], principals: [cloudWatch], resources: ['*'], conditions: fromThisAccount }),
    );
    const topic = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true, displayName: `CSMS alarms (${Stack.of(this).stackName})` });
    topic.addToResourcePolicy(new PolicyStatement({ actions: ['sns:Publish'], principals: [cloudWatch], resources: [topic.topicArn], conditions: fromThisAccount }));
    return topic;
  }
}
