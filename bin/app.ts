/**
 * CDK host: `npx cdk synth -c stage=dev|prod`. The CSMS stack is environment-agnostic (no account, region or
 * lookups); the charger edge's WAF web ACL has its own stack in us-east-1, where CloudFront-scope web ACLs live.
 * Per-deployment values come as context: -c domainName=… -c certificateArn=… -c webAclArn=… -c originSecretVersionId=…
 * -c chargerSettings='{"AUTO_REGISTER_ALLOW":"ACME-*"}'; for the operator API: -c consoleOrigins=https://console.example.com
 * -c restApiWebAclArn=<regional web ACL> -c operatorDomainPrefix=<Cognito domain prefix> -c sampleMachineClient=true;
 * for chargers that cannot do HTTPS: -c firmwareHttpPublicKey=<file with the PEM public key of a CloudFront signing key
 * pair>, which adds a plain-HTTP firmware download distribution (lib/firmware-http-edge.ts); for alarms by email:
 * -c alarmEmail=ops@example.com (lib/monitoring.ts).
 */
import { readFileSync } from 'node:fs';
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
/** `-c chargerSettings='{"NAME":"value"}'` on the command line, or an object in cdk.json's context. */
const chargerSettingsContext = (value: unknown): Record<string, string> | undefined => {
  if (value === undefined || value === '') return undefined;
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('chargerSettings must be a JSON object of NAME: value');
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
};
const chargerSettings = chargerSettingsContext(app.node.tryGetContext('chargerSettings'));
/** `-c firmwareHttpPublicKey=<path>`: the key is read here, so the stage config holds the PEM (checked at synth) and no path. */
const firmwareHttpKeyContext = (path: unknown): string | undefined => {
  if (path === undefined || path === '') return undefined;
  try {
    return readFileSync(String(path), 'utf8');
  } catch (error) {
    throw new Error(`firmwareHttpPublicKey: cannot read ${JSON.stringify(path)} (${(error as Error).message}); pass the path of a PEM public key file`, { cause: error });
  }
};
const firmwareHttpPublicKeyPem = firmwareHttpKeyContext(app.node.tryGetContext('firmwareHttpPublicKey'));
const config = stageConfig(app.node.tryGetContext('stage') ?? 'dev', {
  ...context,
  ...(chargerSettings ? { chargerSettings } : {}),
  ...(firmwareHttpPublicKeyPem ? { firmwareHttpPublicKeyPem } : {}),
});
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
