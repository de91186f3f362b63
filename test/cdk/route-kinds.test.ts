/**
 * Every kind of route in the CDK stack, from the fixture table of test/support/route-fixtures.ts on top of the
 * platform's routes: the resources each kind makes, the event source settings, and per route exactly the
 * environment and the IAM actions its access names.
 */
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RouteDef, routes as platformRoutes } from '../../functions/routes.ts';
import { CsmsStack } from '../../lib/csms-stack.ts';
import { stageConfigs } from '../../lib/stage-config.ts';
import { FIXTURES, withFixtureEntries } from './fixture-entries.ts';
import { fixtureRegistries, kindRoutes, RESET_BODY } from '../support/route-fixtures.ts';
import { actionsOf, CHARGER_SETTINGS_VARIABLES, functionIdForRoute, mentions, type Resource, type Resources, routeFunctions, statementsOf, synthStack } from './support.ts';

// Kind fixtures beside the platform's charger routes; its REST routes are checked in operator-api.test.ts.
const routes: readonly RouteDef[] = withFixtureEntries([...platformRoutes.filter((r) => r.kind !== 'http'), ...kindRoutes]);
const POWERTOOLS = ['LOG_LEVEL', 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME'];
const SETTINGS = CHARGER_SETTINGS_VARIABLES;

let t: Template;
let nested: Record<string, Template>;
beforeAll(() => {
  ({ template: t, nested } = synthStack({ routes, registries: fixtureRegistries, functionsDir: FIXTURES }));
});

/** The one resource of `type` whose logical id contains `name`. */
const idOf = (type: string, name: string): string => {
  const ids = Object.keys(t.findResources(type)).filter((id) => new RegExp(`^${name}[0-9A-F]{8}$`).test(id));
  if (ids.length !== 1) throw new Error(`expected one ${type} named like ${name}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
};
const queueId = (name: string) => idOf('AWS::SQS::Queue', `Queues${name}`);
const props = (type: string, id: string) => (t.findResources(type)[id] as Resource).Properties;
const envOf = (routeId: string) =>
  ((props('AWS::Lambda::Function', functionIdForRoute(t, routeId)).Environment as { Variables: Record<string, unknown> }).Variables);
const mappingOf = (routeId: string) => {
  const fnId = functionIdForRoute(t, routeId);
  const found = Object.values(t.findResources('AWS::Lambda::EventSourceMapping') as Resources).filter(
    (m) => JSON.stringify(m.Properties.FunctionName).includes(`"${fnId}"`),
  );
  expect(found).toHaveLength(1);
  return (found[0] as Resource).Properties;
};
/** Actions of the statements of route `routeId` that mention logical id `ref`. */
const actionsOn = (routeId: string, ref: string) =>
  statementsOf(t, functionIdForRoute(t, routeId))
    .filter((s) => mentions(s, ref))
    .flatMap(actionsOf)
    .sort();

describe('functions', () => {
  it('builds exactly one function per route of every kind', () => {
    expect(Object.keys(routeFunctions(t))).toHaveLength(routes.length);
    for (const route of routes) expect(functionIdForRoute(t, route.id)).toBeTruthy();
  });

  it('gives each function exactly the variables its access names, plus the Powertools ones', () => {
    const expected: Record<string, string[]> = {
      GetCharger: ['CSMS_TABLE'],
      ResetCharger: ['JOBS_QUEUE_URL'],
      Probe: ['FILE_UPLOAD_URL', 'FILE_SFTP_URL', 'FIRMWARE_HTTP_URL'],
      WorkJobs: ['FILES_BUCKET'],
      WorkOrdered: [],
      ChargerChanges: ['WS_MANAGEMENT_ENDPOINT'],
      Tick: [...SETTINGS],
    };
    for (const [routeId, vars] of Object.entries(expected)) {
      expect(Object.keys(envOf(routeId)).sort(), routeId).toEqual([...vars, ...POWERTOOLS].sort());
    }
    expect(JSON.stringify(envOf('ResetCharger').JOBS_QUEUE_URL)).toContain(queueId('Jobs'));
  });

  it('puts charger API functions under the API construct, http ones in the OperatorApiFunctions nested stack and the others under Functions', () => {
    expect(functionIdForRoute(t, 'OcppMessage')).toMatch(/^GatewayOcppMessageFunction/);
    expect(functionIdForRoute(t, 'WorkJobs')).toMatch(/^FunctionsWorkJobsFunction/);
    // In the nested stack, a route's resources are named after the route alone.
    expect(functionIdForRoute(nested.OperatorApiFunctions as Template, 'GetCharger')).toMatch(/^GetChargerFunction/);
  });
});

describe('http routes: the REST API', () => {
  const methodOf = (httpMethod: string, pathPart: string) => {
    const resources = t.findResources('AWS::ApiGateway::Resource') as Resources;
    const resourceId = Object.keys(resources).find((id) => resources[id]?.Properties.PathPart === pathPart);
    const found = Object.values(t.findResources('AWS::ApiGateway::Method') as Resources).filter(
      (m) => m.Properties.HttpMethod === httpMethod && JSON.stringify(m.Properties.ResourceId).includes(`"${resourceId}"`),
    );
    expect(found, `${httpMethod} ${pathPart}`).toHaveLength(1);
    return (found[0] as Resource).Properties;
  };

  it('makes one REST API with a method and a Lambda proxy integration per route', () => {
    t.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    t.resourceCountIs('AWS::ApiGateway::Method', routes.filter((r) => r.kind === 'http').length);
    for (const [m, p] of [['GET', '{chargerId}'], ['POST', 'reset'], ['GET', 'probe']] as const) {
      expect(methodOf(m, p).Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    }
  });

  it('guards jwt routes with the operators’ Cognito authorizer and their scopes, and leaves none routes open', () => {
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS', IdentitySource: 'method.request.header.Authorization' });
    expect(methodOf('GET', '{chargerId}')).toMatchObject({
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: { Ref: expect.any(String) },
      AuthorizationScopes: ['aws.cognito.signin.user.admin', 'csms/read', 'csms/write'],
    });
    expect(methodOf('POST', 'reset')).toMatchObject({ AuthorizationType: 'COGNITO_USER_POOLS', AuthorizationScopes: ['aws.cognito.signin.user.admin'] });
    expect(methodOf('GET', 'probe').AuthorizationType).toBe('NONE');
  });

  it('checks the declared body against a draft-4 model before the function runs, and says why it refused', () => {
    const reset = methodOf('POST', 'reset');
    expect(reset.RequestValidatorId).toEqual({ Ref: expect.any(String) });
    expect(Object.keys(reset.RequestModels as object).sort()).toEqual(['$default', 'application/json']);
    t.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    t.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: { type: { type: 'string', enum: ['Hard', 'Soft'] }, delaySeconds: Match.objectLike({ type: 'integer', minimum: 0, maximum: 60 }) },
      },
    });
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      ResponseTemplates: Match.objectLike({ 'application/json': Match.stringLikeRegexp('validationErrorString') }),
    });
  });

  it('logs access, traces and throttles the stage', () => {
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
  });
});

describe('function-url routes: Lambda function URLs', () => {
  const uploads = () => functionIdForRoute(t, 'ReceiveUploads');
  const urlId = () => idOf('AWS::Lambda::Url', 'FunctionsReceiveUploadsFunctionFunctionUrl');
  /** `https://<host>` of the URL, without the trailing slash its FunctionUrl attribute has. */
  const base = () => ({ 'Fn::Join': ['', ['https://', { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [urlId(), 'FunctionUrl'] }] }] }]] });

  it('gives the route a buffered function URL without IAM auth, invocable by anyone through the URL only', () => {
    t.resourceCountIs('AWS::Lambda::Url', 1);
    expect(props('AWS::Lambda::Url', urlId())).toEqual({ AuthType: 'NONE', InvokeMode: 'BUFFERED', TargetFunctionArn: { 'Fn::GetAtt': [uploads(), 'Arn'] } });
    const permissions = Object.values(t.findResources('AWS::Lambda::Permission') as Resources)
      .map((p) => p.Properties)
      .filter((p) => JSON.stringify(p.FunctionName).includes(`"${uploads()}"`));
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true }),
      ]),
    );
    expect(permissions).toHaveLength(2);
  });

  it('outputs the URL and tells routes with fileEndpoints (here one in the nested stack) where it is', () => {
    expect(t.toJSON().Outputs.UploadsUrl.Value).toEqual(base());
    expect(envOf('Probe')).toMatchObject({ FILE_UPLOAD_URL: base(), FILE_SFTP_URL: '', FIRMWARE_HTTP_URL: '' });
  });
});

describe('the queue registry', () => {
  it('makes each queue and its dead-letter queue, encrypted, with the registry’s redrive and visibility', () => {
    t.resourceCountIs('AWS::SQS::Queue', 12); // the fixtures' three and the platform's three, each with its DLQ
    t.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    expect(props('AWS::SQS::Queue', queueId('Jobs'))).toMatchObject({
      VisibilityTimeout: 2,
      RedrivePolicy: { maxReceiveCount: 2, deadLetterTargetArn: { 'Fn::GetAtt': [queueId('JobsDeadLetters'), 'Arn'] } },
    });
    expect(props('AWS::SQS::Queue', queueId('Ordered'))).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: true });
    expect(props('AWS::SQS::Queue', queueId('OrderedDeadLetters'))).toMatchObject({ FifoQueue: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('refuses plain HTTP on every queue', () => {
    const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy') as Resources);
    expect(policies).toHaveLength(12);
    for (const p of policies) expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });
});

describe('queue routes: SQS event source mappings', () => {
  it('takes batch size and partial batch failures from the route', () => {
    expect(mappingOf('WorkJobs')).toMatchObject({
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [queueId('Jobs'), 'Arn'] },
    });
    expect(mappingOf('WorkOrdered')).toMatchObject({ BatchSize: 10, EventSourceArn: { 'Fn::GetAtt': [queueId('Ordered'), 'Arn'] } });
  });

  it('grants the consumer exactly the consume actions on its queue, through the mapping', () => {
    expect(actionsOn('WorkJobs', queueId('Jobs'))).toEqual(
      ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'].sort(),
    );
  });
});

describe('stream routes: DynamoDB Streams event source mappings', () => {
  it('filters on the item type, from the oldest record, with retries and an SQS failure destination', () => {
    expect(mappingOf('ChargerChanges')).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [idOf('AWS::DynamoDB::GlobalTable', 'TablesCsms'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      MaximumRetryAttempts: 1,
      BisectBatchOnFunctionError: false,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId('StreamFailures'), 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { type: { S: ['Charger'] } } } }) }] },
    });
  });

  it('adds each of withAttributes to the filter as a string that must exist (the platform’s release of held commands on connect)', () => {
    const pattern = JSON.parse((mappingOf('ReleaseHeldCommandsOnConnect').FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]!.Pattern) as unknown;
    expect(pattern).toEqual({ dynamodb: { NewImage: { type: { S: ['Presence'] }, heldCommandsAt: { S: [{ exists: true }] } } } });
  });

  it('grants reading the stream and sending to the failure queue, nothing on the table itself', () => {
    const table = idOf('AWS::DynamoDB::GlobalTable', 'TablesCsms');
    const onTable = statementsOf(t, functionIdForRoute(t, 'ChargerChanges')).filter((s) => mentions(s, table)).flatMap(actionsOf);
    expect(onTable.sort()).toEqual(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'].sort());
    expect(actionsOn('ChargerChanges', queueId('StreamFailures'))).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].sort());
  });
});

describe('schedule routes: EventBridge rules', () => {
  it('invokes the function on the route’s expression, retrying delivery', () => {
    // The fixture's Tick and the platform's ReconcilePresence, ExpireReservations and SampleConnectedChargers.
    t.resourceCountIs('AWS::Events::Rule', 4);
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionIdForRoute(t, 'Tick'), 'Arn'] }, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }) })],
    });
  });
});

describe('the bucket registry', () => {
  it('makes each bucket private, encrypted, versioned and TLS-only, with server access logs', () => {
    const files = props('AWS::S3::Bucket', idOf('AWS::S3::Bucket', 'BucketsFiles'));
    expect(files).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: idOf('AWS::S3::Bucket', 'BucketsAccessLogs') }, LogFilePrefix: 'Files/' },
    });
  });
});

describe('bucket routes: S3 event notifications', () => {
  const notifications = () => {
    const found = Object.values(t.findResources('Custom::S3BucketNotifications') as Resources);
    expect(found).toHaveLength(1);
    return (found[0] as Resource).Properties;
  };
  const configsOf = (routeId: string) =>
    ((notifications().NotificationConfiguration as { LambdaFunctionConfigurations: { Events: string[]; Filter: unknown; LambdaFunctionArn: unknown }[] })
      .LambdaFunctionConfigurations).filter((c) => JSON.stringify(c.LambdaFunctionArn).includes(`"${functionIdForRoute(t, routeId)}"`));

  it('notifies the function of objects created under each of its prefixes, on its bucket', () => {
    expect(notifications().BucketName).toEqual({ Ref: idOf('AWS::S3::Bucket', 'BucketsFiles') });
    const prefixesOf = (routeId: string) =>
      configsOf(routeId).map((c) => {
        expect(c.Events).toEqual(['s3:ObjectCreated:*']);
        return (c.Filter as { Key: { FilterRules: { Name: string; Value: string }[] } }).Key.FilterRules;
      });
    expect(prefixesOf('RecordLandedFiles')).toEqual([[{ Name: 'prefix', Value: 'chargers/' }], [{ Name: 'prefix', Value: 'firmware/' }]]);
    expect(prefixesOf('WatchDrops')).toEqual([[{ Name: 'prefix', Value: 'drops/' }], [{ Name: 'prefix', Value: 'inbox/' }]]);
  });

  it('lets S3 invoke the function for that bucket of this account only, and the notification wait for the permission', () => {
    const fnId = functionIdForRoute(t, 'RecordLandedFiles');
    const permissions = Object.entries(t.findResources('AWS::Lambda::Permission') as Resources).filter(([, p]) => JSON.stringify(p.Properties.FunctionName).includes(`"${fnId}"`));
    expect(permissions.map(([, p]) => p.Properties)).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 's3.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' }, SourceArn: { 'Fn::GetAtt': [idOf('AWS::S3::Bucket', 'BucketsFiles'), 'Arn'] } },
    ]);
    const custom = Object.values(t.findResources('Custom::S3BucketNotifications') as Resources)[0] as Resource & { DependsOn?: string[] };
    expect(custom.DependsOn).toEqual(expect.arrayContaining(permissions.map(([id]) => id)));
  });

  it('grants the recorder exactly object reads under its prefixes and the file items it records', () => {
    const statements = statementsOf(t, functionIdForRoute(t, 'RecordLandedFiles')).filter((s) => !actionsOf(s).some((a) => a.startsWith('logs:') || a.startsWith('xray:')));
    const bucket = idOf('AWS::S3::Bucket', 'BucketsFiles');
    expect(statements.map((s) => ({ actions: actionsOf(s).sort(), resource: s.Resource, condition: s.Condition }))).toEqual([
      {
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resource: { 'Fn::GetAtt': [idOf('AWS::DynamoDB::GlobalTable', 'TablesCsms'), 'Arn'] },
        condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FILE#*'] } },
      },
      {
        actions: ['s3:GetObject'],
        resource: ['chargers/*', 'firmware/*'].map((p) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${p}`]] })),
        condition: undefined,
      },
    ]);
  });
});

describe('least privilege per route', () => {
  const others = (allowed: readonly string[]) => [
    ...['Jobs', 'Ordered', 'StreamFailures'].filter((q) => !allowed.includes(q)).map(queueId),
    ...['Files'].filter((b) => !allowed.includes(b)).map((b) => idOf('AWS::S3::Bucket', `Buckets${b}`)),
    ...['Csms', 'MessageLog'].filter((x) => !allowed.includes(x)).map((x) => idOf('AWS::DynamoDB::GlobalTable', `Tables${x}`)),
  ];

  it('grants exactly the send actions on the queue a route sends to', () => {
    expect(actionsOn('ResetCharger', queueId('Jobs'))).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
  });

  it('grants exactly object writes on a bucket with write access', () => {
    const bucket = idOf('AWS::S3::Bucket', 'BucketsFiles');
    expect(actionsOn('WorkJobs', bucket)).toEqual(['s3:Abort*', 's3:PutObject', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging']);
  });

  it('grants execute-api:ManageConnections on the named API only to routes with manageConnections', () => {
    for (const route of routes) {
      const actions = statementsOf(t, functionIdForRoute(t, route.id)).flatMap(actionsOf);
      expect(actions.includes('execute-api:ManageConnections'), route.id).toBe(route.access.manageConnections !== undefined);
    }
  });

  it('touches no table, queue or bucket a route neither names nor consumes', () => {
    const allowed: Record<string, string[]> = {
      GetCharger: ['Csms'],
      ResetCharger: ['Jobs'],
      Probe: [],
      WorkJobs: ['Jobs', 'Files'],
      WorkOrdered: ['Ordered'],
      ChargerChanges: ['Csms', 'StreamFailures'],
      Tick: [],
      ReceiveUploads: ['Csms', 'Files'],
    };
    for (const [routeId, names] of Object.entries(allowed)) {
      const statements = statementsOf(t, functionIdForRoute(t, routeId));
      for (const ref of others(names)) expect(statements.some((s) => mentions(s, ref)), `${routeId} → ${ref}`).toBe(false);
    }
  });
});

describe('cdk-nag with every kind', () => {
  it.each(['dev', 'prod'] as const)('leaves no unacknowledged finding on %s', (stage) => {
    const { app } = synthStack({ stage, routes, registries: fixtureRegistries, functionsDir: FIXTURES });
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
  });
});

describe('route rules at synth', () => {
  const offline = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const synth = (extra: RouteDef) => () =>
    new CsmsStack(offline(), 'Bad', { config: stageConfigs.dev, routes: [...routes, extra], registries: fixtureRegistries, functionsDir: FIXTURES });

  it.each([
    [{ kind: 'queue', id: 'Lost', queue: 'Nowhere', reportBatchItemFailures: false, entry: 'kinds/queue.ts', access: {} }, /Lost \(queue\): consumes queue "Nowhere", which is not registered/],
    [{ kind: 'queue', id: 'Slow', queue: 'Jobs', timeoutSeconds: 5, reportBatchItemFailures: false, entry: 'kinds/queue.ts', access: {} }, /Slow \(queue\): queue Jobs's visibility timeout \(2 s\) is below the function timeout \(5 s\)/],
    [{ kind: 'http', id: 'OpenWrite', method: 'POST', path: '/x', auth: { type: 'none' }, entry: 'kinds/http.ts', access: {} }, /OpenWrite \(http\): auth none on POST needs a reason/],
    [{ kind: 'http', id: 'Patient', method: 'GET', path: '/x', auth: { type: 'jwt', roles: ['admin'] }, timeoutSeconds: 30, entry: 'kinds/http.ts', access: {} }, /Patient \(http\): timeoutSeconds 30 is above API Gateway's 29 s integration timeout/],
    [{ kind: 'stream', id: 'NoStream', table: 'MessageLog', types: ['X'], onFailure: 'StreamFailures', entry: 'kinds/stream.ts', access: {} }, /NoStream \(stream\): table MessageLog has no stream/],
    [{ kind: 'stream', id: 'OddFilter', table: 'Csms', types: ['X'], withAttributes: ['held.at'], onFailure: 'StreamFailures', entry: 'kinds/stream.ts', access: {} }, /OddFilter \(stream\): withAttributes names "held\.at", which is no attribute name/],
    [{ kind: 'stream', id: 'FifoFailure', table: 'Csms', types: ['X'], onFailure: 'Ordered', entry: 'kinds/stream.ts', access: {} }, /FifoFailure \(stream\): onFailure queue Ordered must be a standard queue/],
    [{ kind: 'schedule', id: 'Often', schedule: 'rate(1 minutes)', entry: 'kinds/schedule.ts', access: {} }, /Often \(schedule\): rate\(1 minutes\): write rate\(1 minute\)/],
    [{ kind: 'schedule', id: 'NoCall', schedule: 'rate(1 day)', entry: 'kinds/schedule.ts', access: { userPool: [] } }, /NoCall \(schedule\): userPool names no action/],
    [{ kind: 'schedule', id: 'SignIn', schedule: 'rate(1 day)', entry: 'kinds/schedule.ts', access: { userPool: ['AdminInitiateAuth'] } }, /SignIn \(schedule\): userPool names unknown action "AdminInitiateAuth"/],
    [{ kind: 'function-url', id: 'Unexplained', name: 'uploads', reason: '', entry: 'kinds/http.ts', access: {} }, /Unexplained \(function-url\): a function URL has no gateway auth: reason must say why/],
    [{ kind: 'function-url', id: 'Twin', name: 'uploads', reason: 'tokens', entry: 'kinds/http.ts', access: {} }, /ReceiveUploads \(function-url\): the uploads function URL is served by more than one route/],
    [{ kind: 'schedule', id: 'Greedy', schedule: 'rate(1 day)', entry: 'kinds/schedule.ts', access: { buckets: { Photos: 'read' } } }, /Greedy \(schedule\): access names bucket "Photos", which is not registered/],
    [{ kind: 'sftp-identity', id: 'SecondSftp', bucket: 'Files', entry: 'kinds/http.ts', access: {} }, /SecondSftp \(sftp-identity\): more than one sftp-identity route/],
    [{ kind: 'bucket', id: 'Nowhere', bucket: 'Photos', prefixes: ['x/'], entry: 'kinds/bucket.ts', access: {} }, /Nowhere \(bucket\): listens to bucket "Photos", which is not registered/],
    [{ kind: 'bucket', id: 'Everything', bucket: 'Files', prefixes: [], entry: 'kinds/bucket.ts', access: {} }, /Everything \(bucket\): prefixes lists no key prefix/],
    [{ kind: 'bucket', id: 'Wild', bucket: 'Files', prefixes: ['logs/*.gz'], entry: 'kinds/bucket.ts', access: {} }, /Wild \(bucket\): prefix "logs\/\*\.gz" must be a literal/],
    [{ kind: 'bucket', id: 'Nested', bucket: 'Files', prefixes: ['chargers/cp-1/'], entry: 'kinds/bucket.ts', access: {} }, /Nested \(bucket\): prefix "chargers\/cp-1\/" overlaps "chargers\/" of route RecordLandedFiles/],
    [{ kind: 'sftp-identity', id: 'NoBucket', bucket: 'Photos', entry: 'kinds/http.ts', access: {} }, /NoBucket \(sftp-identity\): sessions write to bucket "Photos", which is not registered/],
  ] as [RouteDef, RegExp][])('refuses %o', (route, message) => {
    expect(synth(route)).toThrow(message);
  });
});
