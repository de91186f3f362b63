/**
 * The SFTP server chargers upload to (lib/file-transfer.ts): an AWS Transfer Family server on prod, none on dev unless
 * asked; the `sftp-identity` route's function as its password-only identity provider, invocable by that server alone;
 * a session role that can put under `chargers/` and nothing else; structured logs with the stage's retention.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RouteDef, routes as platformRoutes } from '../../functions/routes.ts';
import { FileTransfer, TRANSFER_SECURITY_POLICY } from '../../lib/file-transfer.ts';
import { stageConfig, stageConfigProblems } from '../../lib/stage-config.ts';
import { FIXTURES, withFixtureEntries } from './fixture-entries.ts';
import { actionsOf, functionIdForRoute, type Resource, type Resources, statementsOf, synthStack } from './support.ts';

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

let prod: Template;
let dev: Template;
beforeAll(() => {
  prod = synthStack({ stage: 'prod' }).template;
  dev = synthStack({ stage: 'dev' }).template;
});

const only = (t: Template, type: string): [string, Resource] => {
  const found = Object.entries(t.findResources(type) as Resources);
  expect(found, type).toHaveLength(1);
  return found[0] as [string, Resource];
};
const idStartingWith = (t: Template, type: string, prefix: string): string => {
  const ids = Object.keys(t.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}`).toHaveLength(1);
  return ids[0] as string;
};
const filesBucket = (t: Template) => idStartingWith(t, 'AWS::S3::Bucket', 'BucketsFiles');
const sessionRoleId = (t: Template) => idStartingWith(t, 'AWS::IAM::Role', 'FileTransferSessionRole');
/** The statements of the inline policies of role `roleId`. */
const roleStatements = (t: Template, roleId: string): Statement[] =>
  Object.values(t.findResources('AWS::IAM::Policy') as Resources)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const envOf = (t: Template, routeId: string) =>
  ((t.findResources('AWS::Lambda::Function')[functionIdForRoute(t, routeId)] as Resource).Properties.Environment as { Variables: Record<string, unknown> }).Variables;

describe('the Transfer Family server (prod)', () => {
  it('serves SFTP only, on a public endpoint, with a current security policy and the identity provider function, passwords only', () => {
    const [, server] = only(prod, 'AWS::Transfer::Server');
    expect(server.Properties).toEqual({
      Protocols: ['SFTP'],
      Domain: 'S3',
      EndpointType: 'PUBLIC',
      IdentityProviderType: 'AWS_LAMBDA',
      IdentityProviderDetails: { Function: { 'Fn::GetAtt': [functionIdForRoute(prod, 'SftpIdentityProvider'), 'Arn'] }, SftpAuthenticationMethods: 'PASSWORD' },
      SecurityPolicyName: TRANSFER_SECURITY_POLICY,
      StructuredLogDestinations: [{ 'Fn::GetAtt': [idStartingWith(prod, 'AWS::Logs::LogGroup', 'FileTransferLogs'), 'Arn'] }],
    });
    expect(server.Properties.LoggingRole).toBeUndefined();
  });

  it('logs to its own log group, kept as long as the stage keeps logs', () => {
    const group = (prod.findResources('AWS::Logs::LogGroup') as Resources)[idStartingWith(prod, 'AWS::Logs::LogGroup', 'FileTransferLogs')] as Resource;
    expect(group.Properties.RetentionInDays).toBe(90);
    expect(group.Properties.KmsKeyId).toBeDefined(); // prod encrypts every log group with its key
  });

  it('lets Transfer invoke the identity provider for this server only', () => {
    const [serverId] = only(prod, 'AWS::Transfer::Server');
    const fromTransfer = Object.values(prod.findResources('AWS::Lambda::Permission') as Resources).filter((p) => p.Properties.Principal === 'transfer.amazonaws.com');
    expect(fromTransfer.map((p) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionIdForRoute(prod, 'SftpIdentityProvider'), 'Arn'] },
        Principal: 'transfer.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [serverId, 'Arn'] },
        SourceAccount: { Ref: 'AWS::AccountId' },
      },
    ]);
  });

  it('runs sessions as a role only Transfer sessions of this account and region assume', () => {
    const role = (prod.findResources('AWS::IAM::Role') as Resources)[sessionRoleId(prod)] as Resource;
    expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'transfer.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':transfer:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':user/*']] } },
          },
        },
      ],
    });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets sessions put under chargers/, see that prefix and read folder markers, and nothing else', () => {
    const bucketArn = { 'Fn::GetAtt': [filesBucket(prod), 'Arn'] };
    const under = (suffix: string) => ({ 'Fn::Join': ['', [bucketArn, suffix]] });
    expect(roleStatements(prod, sessionRoleId(prod))).toEqual([
      { Sid: 'Upload', Effect: 'Allow', Action: 's3:PutObject', Resource: under('/chargers/*') },
      { Sid: 'ReadFolderMarkers', Effect: 'Allow', Action: 's3:GetObject', Resource: under('/chargers/*/') },
      { Sid: 'SeeUploads', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': ['chargers/*'] } } },
      // The files bucket's key (prod), through S3 only: storing an object needs a data key.
      expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KeysFiles/), 'Arn'] } }),
    ]);
  });

  it('tells the identity provider the bucket’s name and the session role, and grants it nothing on S3', () => {
    expect(envOf(prod, 'SftpIdentityProvider')).toMatchObject({
      TRANSFER_HOME_BUCKET: { Ref: filesBucket(prod) },
      TRANSFER_SESSION_ROLE_ARN: { 'Fn::GetAtt': [sessionRoleId(prod), 'Arn'] },
    });
    const own = statementsOf(prod, functionIdForRoute(prod, 'SftpIdentityProvider'));
    expect(own.flatMap(actionsOf).filter((a) => a.startsWith('s3:') || a.startsWith('iam:'))).toEqual([]);
    const onTable = own.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(onTable).toEqual([
      expect.objectContaining({ Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['UPLOAD#*'] } } }),
    ]);
  });

  it('outputs the endpoint chargers are sent to', () => {
    const [serverId] = only(prod, 'AWS::Transfer::Server');
    prod.hasOutput('SftpEndpoint', {
      Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [serverId, 'ServerId'] }, '.server.transfer.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
    });
  });
});

describe('the SFTP location routes are told', () => {
  // The HTTPS upload endpoint every stage has: its function URL's host.
  const uploadsUrl = { 'Fn::Join': ['', ['https://', expect.objectContaining({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [expect.stringMatching(/ReceiveUploads/), 'FunctionUrl'] }] }] })]] };
  // A REST route (its function sits in the nested stack) and a schedule route that both generate upload locations.
  const locators: RouteDef[] = [
    { kind: 'http', id: 'LocateHttp', method: 'GET', path: '/locate', auth: { type: 'jwt', roles: ['admin'] }, entry: 'kinds/http.ts', access: { fileEndpoints: true } },
    { kind: 'schedule', id: 'LocateSchedule', schedule: 'rate(1 day)', entry: 'kinds/schedule.ts', access: { fileEndpoints: true } },
  ];
  const synth = (stage: 'dev' | 'prod') =>
    synthStack({ stage, routes: withFixtureEntries([...platformRoutes, ...locators]), functionsDir: FIXTURES }).template;

  it('is the server’s endpoint on a stage with a server, for a function in either stack', () => {
    const t = synth('prod');
    const [serverId] = only(t, 'AWS::Transfer::Server');
    const url = { 'Fn::Join': ['', ['sftp://', { 'Fn::GetAtt': [serverId, 'ServerId'] }, '.server.transfer.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] };
    for (const routeId of ['LocateHttp', 'LocateSchedule']) expect(envOf(t, routeId), routeId).toMatchObject({ FILE_SFTP_URL: url, FILE_UPLOAD_URL: uploadsUrl });
  });

  it('is empty on a stage without one (the HTTPS endpoint is still there), and no other route gets the variables', () => {
    const t = synth('dev');
    expect(envOf(t, 'LocateSchedule')).toMatchObject({ FILE_SFTP_URL: '', FILE_UPLOAD_URL: uploadsUrl });
    expect(Object.keys(envOf(t, 'SftpIdentityProvider'))).not.toContain('FILE_SFTP_URL');
  });
});

describe('the stage switch', () => {
  it('builds no server and no session role on dev: the identity provider gets an empty role and refuses every login', () => {
    dev.resourceCountIs('AWS::Transfer::Server', 0);
    expect(Object.keys(dev.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('FileTransfer'))).toEqual([]);
    expect(envOf(dev, 'SftpIdentityProvider').TRANSFER_SESSION_ROLE_ARN).toBe('');
    expect(Object.keys(dev.toJSON().Outputs ?? {})).not.toContain('SftpEndpoint');
  });

  it('builds one on dev with -c sftp=true, and none on prod with -c sftp=false', () => {
    expect(stageConfig('dev', { sftp: 'true' }).sftp).toBe(true);
    expect(stageConfig('prod', { sftp: 'false' }).sftp).toBe(false);
    synthStack({ stage: 'dev', context: { sftp: 'true' } }).template.resourceCountIs('AWS::Transfer::Server', 1);
  });

  it('checks the host name chargers are sent to', () => {
    expect(stageConfigProblems(stageConfig('prod', { sftpHostName: 'Files.Example.com', domainName: 'ocpp.example.com' }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^sftpHostName "Files.Example.com" is not a lower-case DNS name/)]),
    );
    expect(stageConfigProblems(stageConfig('dev', { sftpHostName: 'files.example.com' }))).toEqual([
      'sftpHostName names the SFTP server, but the stage has none: pass -c sftp=true too',
    ]);
  });
});

describe('FileTransfer on its own', () => {
  const build = (opts: { encryption?: 'kms'; hostName?: string; identityProvider?: false } = {}) => {
    const stack = new Stack(new App(), 'Alone');
    const bucket = new Bucket(stack, 'Uploads', opts.encryption === 'kms' ? { encryptionKey: new Key(stack, 'Key'), encryption: BucketEncryption.KMS } : {});
    const transfer = new FileTransfer(stack, 'FileTransfer', {
      bucket,
      logRetention: RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
      ...(opts.hostName ? { hostName: opts.hostName } : {}),
    });
    if (opts.identityProvider !== false) {
      transfer.useIdentityProvider(new Function(stack, 'Idp', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({})') }));
    }
    return { stack, transfer };
  };
  const sessionStatements = (t: Template) => roleStatements(t, idStartingWith(t, 'AWS::IAM::Role', 'FileTransferSessionRole'));

  it('lets sessions use the bucket’s KMS key, through S3 only, when the bucket has one', () => {
    const t = Template.fromStack(build({ encryption: 'kms' }).stack);
    expect(sessionStatements(t).find((s) => s.Sid === 'EncryptUploads')).toEqual({
      Sid: 'EncryptUploads',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
      Resource: { 'Fn::GetAtt': [idStartingWith(t, 'AWS::KMS::Key', 'Key'), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } },
    });
    expect(sessionStatements(Template.fromStack(build().stack)).map((s) => s.Sid)).toEqual(['Upload', 'ReadFolderMarkers', 'SeeUploads']);
  });

  it('sends chargers to the server’s own endpoint name, or to the stage’s host name when it has one', () => {
    const { stack, transfer } = build();
    const serverId = idStartingWith(Template.fromStack(stack), 'AWS::Transfer::Server', 'FileTransferServer');
    expect(stack.resolve(transfer.url)).toEqual({
      'Fn::Join': ['', ['sftp://', { 'Fn::GetAtt': [serverId, 'ServerId'] }, '.server.transfer.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
    });
    expect(build({ hostName: 'files.example.com' }).transfer.url).toBe('sftp://files.example.com');
  });

  it('refuses to synthesize without an identity provider, and takes only one', () => {
    expect(() => Template.fromStack(build({ identityProvider: false }).stack)).toThrow(/no identity provider/);
    const { stack, transfer } = build();
    const other = new Function(stack, 'Other', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({})') });
    expect(() => transfer.useIdentityProvider(other)).toThrow(/has an identity provider already/);
  });
});
