/**
 * CDK host: `npx cdk synth -c stage=dev|prod`. The CSMS stack is environment-agnostic (no account, region or
 * lookups); the charger edge's WAF web ACL has its own stack in us-east-1, where CloudFront-scope web ACLs live.
 * Per-deployment values come as context: -c domainName=… -c certificateArn=… -c webAclArn=… -c originSecretVersionId=…
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CsmsStack } from '../lib/csms-stack.ts';
import { EdgeWafStack } from '../lib/edge-waf-stack.ts';
import { STAGE_CONTEXT_KEYS, type StageContext, stageConfig } from '../lib/stage-config.ts';

const app = new App();
const context: StageContext = Object.fromEntries(
  STAGE_CONTEXT_KEYS.flatMap((key) => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value !== '' ? [[key, value]] : [];
  }),
);
const config = stageConfig(app.node.tryGetContext('stage') ?? 'dev', context);
const tags = { project: 'o-v2x-mp', stage: config.stageName };
new EdgeWafStack(app, `OV2xMp-${config.stageName}-EdgeWaf`, {
  env: { region: 'us-east-1' },
  description: `O-V2X-MP charger edge web ACL (${config.stageName}); pass its WebAclArn output as -c webAclArn`,
  pathPrefix: config.ocppPathPrefix,
  upgradesPerIpPer5Min: config.wafUpgradesPerIpPer5Min,
  tags,
});
new CsmsStack(app, `OV2xMp-${config.stageName}`, {
  config,
  description: `O-V2X-MP OCPP CSMS (${config.stageName})`,
  tags,
});
// cdk-nag 3 runs as a policy-validation plugin: unacknowledged findings fail the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
