/**
 * The charger distribution's WAF web ACL. A CLOUDFRONT-scope web ACL can only be created in us-east-1, while the
 * CSMS stack deploys to any region, so it has its own small stack (`OV2xMp-<stage>-EdgeWaf`, bin/app.ts) whose
 * output `WebAclArn` the CSMS stack takes as `-c webAclArn=…`. An organisation that manages web ACLs centrally
 * (Firewall Manager) skips this stack and passes its own ARN the same way.
 *
 * WAF sees the upgrade request only, never WebSocket frames: it bounds how often one address may try to connect.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

export interface EdgeWafStackProps extends StackProps {
  /** Chargers connect to `/<pathPrefix>/<chargeBoxId>`: the rate rule counts requests under it. */
  readonly pathPrefix: string;
  /** Upgrade requests one IP address may send to the charger path per 5 minutes; more get 429 until its rate drops. */
  readonly upgradesPerIpPer5Min: number;
}

const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

export const RATE_RULE_NAME = 'ChargerUpgradesPerIp';
export const IP_REPUTATION_RULE_GROUP = 'AWSManagedRulesAmazonIpReputationList';

export class EdgeWafStack extends Stack {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeWafStackProps) {
    super(scope, id, props);
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: `OCPP charger endpoint: per-IP upgrade rate on /${props.pathPrefix}/, AWS IP reputation`,
      defaultAction: { allow: {} },
      visibilityConfig: visibility('OcppEdge'),
      rules: [
        {
          // Addresses AWS threat intelligence knows for bots and reconnaissance: blocked before they cost anything.
          name: 'AwsIpReputation',
          priority: 0,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: IP_REPUTATION_RULE_GROUP } },
          visibilityConfig: visibility('AwsIpReputation'),
        },
        {
          name: RATE_RULE_NAME,
          priority: 1,
          // 429 as API Gateway's own throttle answers: chargers treat it as "retry later" with their back-off.
          action: { block: { customResponse: { responseCode: 429 } } },
          statement: {
            rateBasedStatement: {
              limit: props.upgradesPerIpPer5Min,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                byteMatchStatement: {
                  searchString: `/${props.pathPrefix}/`,
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility(RATE_RULE_NAME),
        },
      ],
    });
    new CfnOutput(this, 'WebAclArn', {
      description: 'Pass to the CSMS stack: npx cdk deploy -c stage=<stage> -c webAclArn=<this>',
      value: this.webAcl.attrArn,
    });
  }
}
