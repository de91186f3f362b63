import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { type RouteDef, routes } from '../../functions/routes.ts';
import { CsmsStack } from '../../lib/csms-stack.ts';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { settingsEnvironment } from '../../lib/settings-env.ts';
import { STAGE_CONTEXT_KEYS, type StageContext, stageConfig, stageConfigProblems, stageConfigs } from '../../lib/stage-config.ts';
import { FIXTURES, withFixtureEntries } from './fixture-entries.ts';
import { PROD_CONTEXT, type Resources, synthStack } from './support.ts';

const offline = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

describe('stage configuration', () => {
  it('selects dev and prod and names the allowed stages for anything else', () => {
    expect(stageConfig('prod').stageName).toBe('prod');
    expect(() => stageConfig('staging')).toThrow(/dev\|prod/);
    expect(() => stageConfig(undefined)).toThrow(/Unknown stage/);
  });

  it('keeps plain ws:// and auto-registration out of prod', () => {
    expect(stageConfigs.prod).toMatchObject({ allowPlainWs: false, autoRegister: false });
  });

  it('fails synth when a setting breaks the handlers env schema', () => {
    const config = { ...stageConfigs.dev, heartbeatIntervalSeconds: 600 };
    expect(() => new CsmsStack(offline(), 'Bad', { config, functionsDir: FIXTURES, routes: withFixtureEntries(routes) })).toThrow(/HEARTBEAT_INTERVAL_SECONDS/);
  });

  it('gives the chargers settings a deployment sets to the routes that read them, checked at synth', () => {
    const config = stageConfig('dev', { chargerSettings: { AUTO_REGISTER_ALLOW: 'ACME-*', MESSAGE_BUDGET_PER_MINUTE: '120' } });
    const variables = settingsEnvironment(config).chargers;
    expect(variables).toMatchObject({ AUTO_REGISTER_ALLOW: 'ACME-*', MESSAGE_BUDGET_PER_MINUTE: '120', AUTO_REGISTER: 'true' });
    const bad = (chargerSettings: Record<string, string>) => () => settingsEnvironment(stageConfig('dev', { chargerSettings }));
    expect(bad({ MESSAGE_BUDGET_PER_MINUTE: '0' })).toThrow(/MESSAGE_BUDGET_PER_MINUTE/);
    expect(bad({ NO_SUCH_SETTING: '1' })).toThrow(/no variable NO_SUCH_SETTING/);
    expect(bad({ HEARTBEAT_INTERVAL_SECONDS: '60' })).toThrow(/heartbeatIntervalSeconds/);
  });
  it('takes the upload limit from -c fileUploadMaxBytes, 4 MiB by default, and fails synth past what Lambda’s payload holds', () => {
    expect(settingsEnvironment(stageConfig('prod')).files).toEqual({ FILE_UPLOAD_MAX_BYTES: '4194304' });
    expect(settingsEnvironment(stageConfig('dev', { fileUploadMaxBytes: '1000000' })).files).toEqual({ FILE_UPLOAD_MAX_BYTES: '1000000' });
    for (const fileUploadMaxBytes of ['4400001', '0', '1.5', 'lots']) {
      expect(() => settingsEnvironment(stageConfig('dev', { fileUploadMaxBytes })), fileUploadMaxBytes).toThrow(/FILE_UPLOAD_MAX_BYTES/);
    }
  });
});

describe('the operators’ API settings', () => {
  const problemsOf = (context: StageContext): string => {
    const stack = new CsmsStack(offline(), 'Api', { config: stageConfig('dev', context), functionsDir: FIXTURES, routes: withFixtureEntries(routes) });
    return Annotations.fromStack(stack)
      .findError('*', Match.anyValue())
      .map((e) => String(e.entry.data))
      .join('\n');
  };

  it('has no CORS, no REST web ACL, threat protection and a 30-day session by default', () => {
    for (const name of ['dev', 'prod'] as const) {
      expect(stageConfigs[name]).toMatchObject({ consoleOrigins: [], operatorSessionDays: 30, operatorThreatProtection: true, sampleMachineClient: false });
      expect(stageConfigs[name].restApiWebAclArn).toBeUndefined();
    }
  });

  it('reads them from -c context values', () => {
    const config = stageConfig('dev', {
      consoleOrigins: 'https://console.example.com, http://localhost:5173',
      restApiWebAclArn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/ops/00000000-0000-4000-8000-000000000000',
      operatorDomainPrefix: 'acme-ops',
      sampleMachineClient: 'true',
    });
    expect(config).toMatchObject({
      consoleOrigins: ['https://console.example.com', 'http://localhost:5173'],
      restApiWebAclArn: expect.stringContaining('regional/webacl/ops'),
      operatorDomainPrefix: 'acme-ops',
      sampleMachineClient: true,
    });
  });

  it('refuses a malformed origin, a CLOUDFRONT-scope web ACL for the REST API and a reserved domain prefix', () => {
    expect(problemsOf({ consoleOrigins: 'https://console.example.com/app' })).toMatch(/consoleOrigins: "https:\/\/console.example.com\/app" is not a browser origin/);
    expect(problemsOf({ consoleOrigins: 'http://console.example.com' })).toMatch(/not a browser origin/);
    expect(problemsOf({ restApiWebAclArn: PROD_CONTEXT.webAclArn as string })).toMatch(/restApiWebAclArn .* is not a REGIONAL web ACL ARN/);
    expect(problemsOf({ operatorDomainPrefix: 'my-cognito-login' })).toMatch(/operatorDomainPrefix "my-cognito-login" must be/);
    expect(problemsOf({ consoleOrigins: 'https://console.example.com', operatorDomainPrefix: 'acme-ops' })).toBe('');
    // Five stacks built and synthesized: beyond the default 30 s on a loaded machine.
  }, 90_000);
});

describe('the plain-HTTP firmware key (-c firmwareHttpPublicKey)', () => {
  const pemOf = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
  const rsa = (modulusLength: number) => generateKeyPairSync('rsa', { modulusLength });
  const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
  const problems = (firmwareHttpPublicKeyPem: string) => stageConfigProblems(stageConfig('dev', { firmwareHttpPublicKeyPem })).join('\n');

  it('is off unless given, and then carried into the config as PEM', () => {
    for (const name of ['dev', 'prod'] as const) expect(stageConfigs[name].firmwareHttpPublicKeyPem).toBeUndefined();
    const pem = pemOf(rsa(2048).publicKey);
    expect(stageConfig('dev', { firmwareHttpPublicKeyPem: pem }).firmwareHttpPublicKeyPem).toBe(pem);
  });

  it('accepts the keys CloudFront signs URLs with: RSA 2048 and ECDSA P-256', () => {
    expect(problems(pemOf(rsa(2048).publicKey))).toBe('');
    expect(problems(pemOf(ec('prime256v1').publicKey))).toBe('');
  });

  it('refuses anything else, saying what it needs', () => {
    expect(problems('ssh-rsa AAAAB3NzaC1yc2E')).toMatch(/firmwareHttpPublicKey must name a file holding .* as PEM \("-----BEGIN PUBLIC KEY-----"/);
    expect(problems('-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n')).toMatch(/does not parse as one/);
    expect(problems(pemOf(rsa(1024).publicKey))).toMatch(/RSA 2048 or ECDSA P-256 keys only, this one is \{"type":"rsa","modulusLength":1024/);
    expect(problems(pemOf(ec('secp384r1').publicKey))).toMatch(/this one is \{"type":"ec","namedCurve":"secp384r1"\}/);
  });

  it('refuses a private key before it could reach a template', () => {
    const privatePem = rsa(2048).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(problems(privatePem)).toMatch(/holds a private key: pass the public half/);
  });

  it('fails synth on a bad key and builds no distribution with it', () => {
    const config = stageConfig('dev', { firmwareHttpPublicKeyPem: pemOf(rsa(1024).publicKey) });
    const stack = new CsmsStack(offline(), 'BadKey', { config, functionsDir: FIXTURES, routes: withFixtureEntries(routes) });
    const errors = Annotations.fromStack(stack).findError('*', Match.anyValue()).map((e) => String(e.entry.data));
    expect(errors).toEqual([expect.stringMatching(/^firmwareHttpPublicKey .*RSA 2048 or ECDSA P-256/)]);
    expect(stack.firmwareHttp).toBeUndefined();
  });
});

describe('route table misuse', () => {
  it('refuses a route of a kind neither host knows, naming it, instead of dropping it', () => {
    const pigeon = { kind: 'carrier-pigeon', id: 'Pigeon', entry: 'ws/connect.ts', access: {} } as unknown as RouteDef;
    expect(() => new CsmsStack(offline(), 'Pigeon', { config: stageConfigs.dev, routes: [...routes, pigeon] })).toThrow(
      /Pigeon \(carrier-pigeon\): unknown kind/,
    );
  });

  it('refuses a second $connect authorizer', () => {
    const second: RouteDef = { ...routes[0], id: 'SecondAuthorizer' };
    const props = { config: stageConfigs.dev, routes: withFixtureEntries([...routes, second]), functionsDir: FIXTURES };
    expect(() => new CsmsStack(offline(), 'TwoAuth', props)).toThrow(/SecondAuthorizer \(ws-authorizer\): more than one ws-authorizer for the chargers API/);
  });
});

describe('prod requires a custom domain, its certificate and a web ACL', () => {
  /** The errors the stack carries: `cdk synth` and `cdk deploy` of it fail on them, the EdgeWaf stack alone does not. */
  const prodErrors = (context: StageContext): string => {
    const stack = new CsmsStack(offline(), 'Prod', { config: stageConfig('prod', context), functionsDir: FIXTURES, routes: withFixtureEntries(routes) });
    return Annotations.fromStack(stack)
      .findError('*', Match.anyValue())
      .map((e) => String(e.entry.data))
      .join('\n');
  };

  it('fails synth without them, saying what to pass', () => {
    expect(prodErrors({})).toMatch(/stage prod requires a custom domain and an ACM certificate.*-c domainName=.*-c certificateArn=/);
    expect(prodErrors({})).toMatch(/requires a CLOUDFRONT-scope WAF web ACL: deploy the EdgeWaf stack \(us-east-1\) and pass -c webAclArn=/);
    expect(prodErrors({ ...PROD_CONTEXT, domainName: undefined, certificateArn: undefined })).toMatch(/custom domain/);
    expect(prodErrors(PROD_CONTEXT)).toBe('');
  });

  it('refuses a certificate outside us-east-1 and a regional web ACL', () => {
    const elsewhere = PROD_CONTEXT.certificateArn?.replace('us-east-1', 'eu-west-1');
    expect(prodErrors({ ...PROD_CONTEXT, certificateArn: elsewhere })).toMatch(/not an ACM certificate ARN in us-east-1/);
    const regional = PROD_CONTEXT.webAclArn?.replace('global/', 'regional/');
    expect(prodErrors({ ...PROD_CONTEXT, webAclArn: regional })).toMatch(/not a CLOUDFRONT-scope web ACL ARN/);
  });

  it('serves chargers on the custom domain with TLS 1.2 or newer (TLSv1.2_2021), behind the web ACL', () => {
    const { template } = synthStack({ stage: 'prod' });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: [PROD_CONTEXT.domainName],
        ViewerCertificate: { AcmCertificateArn: PROD_CONTEXT.certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
        WebACLId: PROD_CONTEXT.webAclArn,
      }),
    });
    template.hasOutput('ChargerUrl', { Value: `wss://${PROD_CONTEXT.domainName}/ocpp/{chargeBoxId}` });
  });

  it('lets dev run on the default certificate without a web ACL', () => {
    const { template } = synthStack({ stage: 'dev' });
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]?.Properties.DistributionConfig as Record<string, unknown>;
    expect(config.ViewerCertificate).toBeUndefined();
    expect(config.WebACLId).toBeUndefined();
  });
});

describe('customer-managed keys in prod', () => {
  it('encrypts every table and every log group with keys of the stack, rotated yearly', () => {
    const { template } = synthStack({ stage: 'prod' });
    const keys = template.findResources('AWS::KMS::Key') as Resources;
    // Tables, logs, the files bucket (test/cdk/files-bucket.test.ts), and the alarm topic's (every stage has it).
    expect(Object.keys(keys)).toHaveLength(4);
    for (const key of Object.values(keys)) expect(key.Properties.EnableKeyRotation).toBe(true);
    const tablesKey = Object.keys(keys).find((id) => id.includes('Tables'));
    const logsKey = Object.keys(keys).find((id) => id.includes('Logs'));
    for (const table of Object.values(template.findResources('AWS::DynamoDB::GlobalTable') as Resources)) {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(JSON.stringify(table.Properties.Replicas)).toContain(`"KMSMasterKeyId":{"Fn::GetAtt":["${tablesKey}","Arn"]}`);
    }
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup') as Resources);
    expect(logGroups.length).toBeGreaterThan(4);
    for (const group of logGroups) expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logsKey, 'Arn'] });
  });

  it('lets CloudWatch Logs use the logs key for this account’s log groups only', () => {
    const { template } = synthStack({ stage: 'prod' });
    const logsKey = Object.values(template.findResources('AWS::KMS::Key') as Resources).find((k) => String(k.Properties.Description).includes('log groups'));
    const statements = (logsKey?.Properties.KeyPolicy as { Statement: { Principal?: { Service?: unknown }; Condition?: unknown }[] }).Statement;
    const forLogs = statements.find((s) => JSON.stringify(s.Principal?.Service ?? '').includes('logs.'));
    expect(JSON.stringify(forLogs?.Condition)).toContain('kms:EncryptionContext:aws:logs:arn');
  });

  it('uses AWS-owned keys in dev, but for the alarm topic’s', () => {
    const { template } = synthStack({ stage: 'dev' });
    // CloudWatch cannot publish to a topic under the AWS-managed SNS key (test/cdk/monitoring.test.ts).
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual([expect.stringMatching(/TopicKey/)]);
  });
});

describe('file retention', () => {
  it('keeps uploaded files 90 days by default on every stage', () => {
    for (const name of ['dev', 'prod'] as const) expect(stageConfigs[name].fileRetentionDays).toBe(90);
  });

  it('refuses a retention that is not 1–3650 whole days, naming the setting', () => {
    const problems = (fileRetentionDays: number) => stageConfigProblems({ ...stageConfigs.dev, fileRetentionDays });
    for (const days of [0, -1, 1.5, 3651, Number.NaN]) {
      expect(problems(days), String(days)).toEqual([`fileRetentionDays must be a whole number of days in 1–3650, got ${days}`]);
    }
    for (const days of [1, 30, 3650]) expect(problems(days), String(days)).toEqual([]);
  });
});

describe('alarm settings', () => {
  it('subscribes nobody by default and takes the address from -c alarmEmail', () => {
    expect(stageConfigs.prod.alarmEmail).toBeUndefined();
    expect(STAGE_CONTEXT_KEYS).toContain('alarmEmail');
    expect(stageConfig('prod', { ...PROD_CONTEXT, alarmEmail: 'ops@example.com' }).alarmEmail).toBe('ops@example.com');
  });

  it('refuses anything but one email address, saying what it needs', () => {
    const problems = (alarmEmail: string) => stageConfigProblems(stageConfig('dev', { alarmEmail }));
    for (const good of ['ops@example.com', 'Ops.Team+csms@mail.example.co.uk']) expect(problems(good), good).toEqual([]);
    for (const bad of ['ops', 'ops@localhost', 'a@example.com,b@example.com', 'ops @example.com', '@example.com']) {
      expect(problems(bad), bad).toEqual([`alarmEmail ${JSON.stringify(bad)} is not one email address (e.g. -c alarmEmail=ops@example.com)`]);
    }
  });

  it('alarms on more than 100 refused connections per 5 minutes by default, and refuses a threshold below 1', () => {
    expect(stageConfigs.dev.connectRefusalAlarmPer5Min).toBe(100);
    expect(stageConfigs.prod.connectRefusalAlarmPer5Min).toBe(100);
    for (const bad of [0, 2.5, -1]) {
      expect(stageConfigProblems({ ...stageConfigs.dev, connectRefusalAlarmPer5Min: bad })).toEqual([
        `connectRefusalAlarmPer5Min must be a whole number of refusals, at least 1, got ${bad}`,
      ]);
    }
  });
});
