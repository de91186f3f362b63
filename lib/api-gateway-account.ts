/**
 * The account-wide (per region) CloudWatch Logs role of API Gateway. WebSocket stages cannot enable access logging
 * until the account has one ("CloudWatch Logs role ARN must be set in account settings to enable logging").
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Stages that log must depend on this construct, or CloudFormation may create them before the setting exists. */
export class ApiGatewayAccountLogging extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Hand-written role: no grant exists for "API Gateway may write any of its log groups" (AWS-managed policy).
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    // Retained: the setting outlives this stack, and other APIs in the account would lose logging with the role.
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new CfnAccount(this, 'Resource', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The AWS-managed policy API Gateway documents for its account logging role; it only writes logs.',
    });
  }
}
