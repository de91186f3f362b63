/**
 * What operators watch: the CloudWatch dashboard (lib/dashboard.ts) and the alarms (lib/alarms.ts), which report to
 * one encrypted SNS topic; an email address subscribes to it when the stage names one (`-c alarmEmail=…`).
 */
import { CfnOutput, NestedStack, type RemovalPolicy, Stack } from 'aws-cdk-lib';
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

  /** Where the topic, the alarms and the dashboard live: a nested stack of their own (see the constructor). */
  readonly stack: NestedStack;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const parent = Stack.of(this);
    // A nested stack of their own: the alarms grow with the functions, and the parent stack is near CloudFormation's
    // 500 resources (test/cdk/resource-limits.test.ts). They only read names and ids of the parent's resources.
    this.stack = new NestedStack(this, 'AlarmsAndDashboard', { description: `O-V2X-MP dashboard and alarms (${parent.stackName})` });
    this.topic = this.alarmTopic(props.removalPolicy, parent.stackName);
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.alarms = new CsmsAlarms(this.stack, 'Alarms', {
      resources: props.resources,
      topic: this.topic,
      ...(props.connectRefusalsPer5Min !== undefined ? { connectRefusalsPer5Min: props.connectRefusalsPer5Min } : {}),
      ...(props.connectedDrop ? { connectedDrop: props.connectedDrop } : {}),
    });
    this.dashboard = new CsmsDashboard(this.stack, 'Dashboard', {
      resources: props.resources,
      alarms: this.alarms.alarms,
      // The stack's name (`OV2xMp-<stage>`): a stable address to bookmark, and one dashboard per stage.
      dashboardName: parent.stackName,
    });
    new CfnOutput(parent, 'DashboardUrl', { description: 'The operators’ CloudWatch dashboard', value: this.dashboard.url });
    new CfnOutput(parent, 'AlarmTopicArn', {
      description: 'SNS topic of every alarm (aws sns subscribe --protocol email ... or -c alarmEmail=…)',
      value: this.topic.topicArn,
    });
  }

  /**
   * Encrypted with a key of its own: CloudWatch cannot publish to a topic under the AWS-managed SNS key, whose policy
   * nobody can extend. TLS only; CloudWatch alarms of this account may publish.
   */
  private alarmTopic(removalPolicy: RemovalPolicy, stackName: string): Topic {
    const key = new Key(this.stack, 'TopicKey', { enableKeyRotation: true, removalPolicy, description: 'Encrypts the CSMS alarm topic' });
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } };
    key.addToResourcePolicy(
      new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], principals: [cloudWatch], resources: ['*'], conditions: fromThisAccount }),
    );
    const topic = new Topic(this.stack, 'Topic', { masterKey: key, enforceSSL: true, displayName: `CSMS alarms (${stackName})` });
    topic.addToResourcePolicy(new PolicyStatement({ actions: ['sns:Publish'], principals: [cloudWatch], resources: [topic.topicArn], conditions: fromThisAccount }));
    return topic;
  }
}
