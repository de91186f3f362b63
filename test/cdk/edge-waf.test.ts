import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { EdgeWafStack, IP_REPUTATION_RULE_GROUP, RATE_RULE_NAME } from '../../lib/edge-waf-stack.ts';
import { stageConfigs } from '../../lib/stage-config.ts';

const synthWaf = () => {
  const app = new App();
  const stack = new EdgeWafStack(app, 'Waf', {
    env: { region: 'us-east-1' },
    pathPrefix: stageConfigs.prod.ocppPathPrefix,
    upgradesPerIpPer5Min: stageConfigs.prod.wafUpgradesPerIpPer5Min,
  });
  return { app, stack, template: Template.fromStack(stack) };
};

describe('the charger edge web ACL (us-east-1)', () => {
  const { app, stack, template } = synthWaf();

  it('is CLOUDFRONT-scope, in us-east-1, and outputs its ARN for -c webAclArn', () => {
    expect(stack.region).toBe('us-east-1');
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    template.hasOutput('WebAclArn', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
  });

  it('blocks an IP beyond its upgrade rate on the charger path with 429', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: RATE_RULE_NAME,
          Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
          Statement: {
            RateBasedStatement: {
              Limit: 300,
              EvaluationWindowSec: 300,
              AggregateKeyType: 'IP',
              ScopeDownStatement: { ByteMatchStatement: Match.objectLike({ SearchString: '/ocpp/', PositionalConstraint: 'STARTS_WITH', FieldToMatch: { UriPath: {} } }) },
            },
          },
        }),
      ]),
    });
  });

  it('applies AWS’s IP reputation list first', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Priority: 0,
          OverrideAction: { None: {} },
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: IP_REPUTATION_RULE_GROUP } },
        }),
      ]),
    });
  });

  it('leaves no cdk-nag finding', () => {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
