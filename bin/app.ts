/** CDK host: `npx cdk synth -c stage=dev|prod`. Environment-agnostic (no account, region or lookups). */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CsmsStack } from '../lib/csms-stack.ts';
import { stageConfig } from '../lib/stage-config.ts';

const app = new App();
const config = stageConfig(app.node.tryGetContext('stage') ?? 'dev');
new CsmsStack(app, `OV2xMp-${config.stageName}`, {
  config,
  description: `O-V2X-MP OCPP CSMS (${config.stageName})`,
  tags: { project: 'o-v2x-mp', stage: config.stageName },
});
// cdk-nag 3 runs as a policy-validation plugin: unacknowledged findings fail the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
