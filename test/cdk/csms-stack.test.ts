import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { isHttpRoute, isWsAuthorizer, isWsRoute, type RouteDef, routes as routeTable, type TableAccess, tableGrants } from '../../functions/routes.ts';
import { viewerRequestSource } from '../../lib/edge/viewer-request.ts';
import { FORWARDED_HEADERS } from '../../lib/ocpp-edge.ts';
import { tables } from '../../shared/store/tables.ts';
import { actionsOf, CHARGER_SETTINGS_VARIABLES, functionIdForRoute, mentions, NOTIFICATIONS_HANDLER_ID_PREFIX, type Resource, type Resources, routeFunctions, statementsOf, synthStack } from './support.ts';


// Widened from the `as const` table so the route type guards narrow.
const routes: readonly RouteDef[] = routeTable;
const chargerRoutes = routes.filter((r) => !isHttpRoute(r));
const httpRoutes = routes.filter(isHttpRoute);
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

let dev: Template;
let prod: Template;
beforeAll(() => {
  dev = synthStack({ stage: 'dev' }).template;
  prod = synthStack({ stage: 'prod' }).template;
});

const only = (template: Template, type: string): Resource => {
  const found = Object.values(template.findResources(type) as Resources);
  expect(found).toHaveLength(1);
  return found[0] as Resource;
};

describe('functions from the route table', () => {
  it('creates exactly one Lambda function per route', () => {
    expect(Object.keys(routeFunctions(dev))).toHaveLength(routes.length);
    for (const route of routes) expect(functionIdForRoute(dev, route.id)).toBeTruthy();
    // Beside them only CDK's writer of bucket notification configurations (the bucket route's S3 events).
    expect(Object.keys(dev.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith(NOTIFICATIONS_HANDLER_ID_PREFIX))).toHaveLength(1);
  });

  it('runs every function on nodejs22.x, arm64, with active tracing and its own log group', () => {
    for (const [id, fn] of Object.entries(routeFunctions(dev))) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
    }
  });

  it('takes memory and timeout from the route, defaulting to 256 MB and 10 s', () => {
    const fns = dev.findResources('AWS::Lambda::Function');
    for (const route of routes) {
      const props = (fns[functionIdForRoute(dev, route.id)] as Resource).Properties;
      expect(props.MemorySize).toBe(route.memoryMb ?? 256);
      expect(props.Timeout).toBe(route.timeoutSeconds ?? 10);
    }
  });

  it('gives each function exactly the variables its access names, plus the Powertools ones', () => {
    const settings = CHARGER_SETTINGS_VARIABLES;
    const history = ['STATUS_HISTORY_RETENTION_DAYS', 'METER_VALUES_RETENTION_DAYS', 'TIMELINE_RETENTION_DAYS', 'DEVICE_REPORT_RETENTION_DAYS', 'TRANSACTION_EVENT_RETENTION_DAYS'];
    // Written out, not derived from the access: the test must fail if the derivation goes wrong.
    const expected: Record<string, string[]> = {
      OcppAuthorizer: ['CSMS_TABLE', 'ORIGIN_VERIFY_SECRET_ID', 'PASSWORD_PEPPER_SECRET_ID', ...settings],
      OcppConnect: ['CSMS_TABLE', 'WS_MANAGEMENT_ENDPOINT', 'PASSWORD_PEPPER_SECRET_ID', ...settings],
      OcppDisconnect: ['CSMS_TABLE'],
      OcppMessage: ['CSMS_TABLE', 'MESSAGE_LOG_TABLE', ...settings, ...history],
      DispatchCommands: ['CSMS_TABLE', 'MESSAGE_LOG_TABLE', 'COMMANDS_QUEUE_URL', 'COMMAND_TIMEOUTS_QUEUE_URL', 'WS_MANAGEMENT_ENDPOINT', ...settings],
      ExpireCommands: ['CSMS_TABLE'],
      ReleaseHeldCommands: ['CSMS_TABLE', 'COMMANDS_QUEUE_URL'],
      ReleaseHeldCommandsOnConnect: ['CSMS_TABLE', 'COMMANDS_QUEUE_URL'],
      SyncLocalListOnMismatch: ['CSMS_TABLE', 'COMMANDS_QUEUE_URL'],
      ReconcilePresence: ['CSMS_TABLE', 'MESSAGE_LOG_TABLE'],
      SampleConnectedChargers: ['CSMS_TABLE'],
      ExpireReservations: ['CSMS_TABLE'],
      ReceiveUploads: ['CSMS_TABLE', 'FILES_BUCKET', 'FILE_UPLOAD_MAX_BYTES', 'FIRMWARE_HTTP_SIGNING_KEY_SECRET_ID'],
      // The bucket's name and the session role (empty on dev, which has no SFTP server), but no access to the bucket.
      SftpIdentityProvider: ['CSMS_TABLE', 'TRANSFER_HOME_BUCKET', 'TRANSFER_SESSION_ROLE_ARN'],
      RecordLandedFiles: ['CSMS_TABLE', 'FILES_BUCKET'],
      // Live events: the authorizer verifies tokens against the pool's issuer and touches no table.
      OperatorsAuthorizer: ['OPERATOR_TOKEN_ISSUER'],
      OperatorsConnect: ['CSMS_TABLE'],
      OperatorsDisconnect: ['CSMS_TABLE'],
      OperatorsMessage: ['CSMS_TABLE'],
      PublishLiveEvents: ['CSMS_TABLE', 'OPERATORS_WS_MANAGEMENT_ENDPOINT'],
    };
    expect(Object.keys(expected).sort()).toEqual(chargerRoutes.map((r) => r.id).sort());
    const fns = dev.findResources('AWS::Lambda::Function');
    for (const route of chargerRoutes) {
      const vars = ((fns[functionIdForRoute(dev, route.id)] as Resource).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(vars).sort(), route.id).toEqual([...(expected[route.id] ?? []), 'POWERTOOLS_SERVICE_NAME', 'LOG_LEVEL', 'NODE_OPTIONS'].sort());
      // The secret's ARN (a Ref to it), never its value.
      if ('ORIGIN_VERIFY_SECRET_ID' in vars) expect(vars.ORIGIN_VERIFY_SECRET_ID).toEqual({ Ref: expect.stringMatching(/^OriginVerify/) });
      expect(JSON.stringify(vars), route.id).not.toContain('{{resolve:');
      if ('METER_VALUES_RETENTION_DAYS' in vars) expect(vars).toMatchObject({ METER_VALUES_RETENTION_DAYS: '730', STATUS_HISTORY_RETENTION_DAYS: '90' });
      if ('HEARTBEAT_INTERVAL_SECONDS' in vars) expect(vars).toMatchObject({ HEARTBEAT_INTERVAL_SECONDS: '300', AUTO_REGISTER: 'true' });
    }
  });

  it('tells SendCommand where chargers upload: the uploads function URL without its trailing slash, and no SFTP server yet', () => {
    const fns = dev.findResources('AWS::Lambda::Function');
    const vars = ((fns[functionIdForRoute(dev, 'SendCommand')] as Resource).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const url = Object.keys(dev.findResources('AWS::Lambda::Url'))[0];
    expect(vars.FILE_UPLOAD_URL).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [url, 'FunctionUrl'] }] }] }]] });
    expect(vars.FILE_SFTP_URL).toBe('');
    expect(routes.filter((r) => r.access.fileEndpoints).map((r) => r.id)).toEqual(['SendCommand']);
  });

  it('gives the origin secret only to the authorizer', () => {
    expect(routes.filter((r) => r.access.secrets?.includes('originVerify')).map((r) => r.kind)).toEqual(['ws-authorizer']);
  });
});

describe('WebSocket API routes', () => {
  const routeByKey = (key: string) =>
    Object.values(dev.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } }) as Resources);

  it('has exactly the routes of the table', () => {
    const keys = Object.values(dev.findResources('AWS::ApiGatewayV2::Route') as Resources).map((r) => r.Properties.RouteKey);
    expect(keys.sort()).toEqual(routes.filter(isWsRoute).map((r) => r.routeKey).sort());
  });

  it('guards $connect with the REQUEST authorizer and its identity source from the route table', () => {
    const [authorizerRoute] = routes.filter(isWsAuthorizer);
    dev.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: authorizerRoute?.identitySource,
    });
    const [connect] = routeByKey('$connect');
    expect(connect?.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: expect.any(String) } });
  });

  it('leaves $disconnect without authorizer and returns $default replies as the route response', () => {
    expect(routeByKey('$disconnect')[0]?.Properties.AuthorizationType).toBe('NONE');
    expect(routeByKey('$default')[0]?.Properties.RouteResponseSelectionExpression).toBe('$default');
    dev.hasResourceProperties('AWS::ApiGatewayV2::RouteResponse', { RouteResponseKey: '$default' });
    dev.resourceCountIs('AWS::ApiGatewayV2::RouteResponse', routes.filter((r) => isWsRoute(r) && r.returnResponse).length);
  });

  it('logs stage access after the account logging role exists', () => {
    const stage = Object.entries(dev.findResources('AWS::ApiGatewayV2::Stage'))[0] as [string, Resource & { DependsOn?: string[] }];
    expect(stage[1].Properties).toMatchObject({ StageName: 'dev', AccessLogSettings: { DestinationArn: expect.anything() } });
    const accountId = Object.keys(dev.findResources('AWS::ApiGateway::Account'))[0];
    expect(stage[1].DependsOn).toEqual(expect.arrayContaining([accountId]));
  });
});

describe('DynamoDB tables', () => {
  it('creates one on-demand table per definition with PITR, TTL, GSIs and streams as defined', () => {
    dev.resourceCountIs('AWS::DynamoDB::GlobalTable', tables.length);
    for (const def of tables) {
      dev.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: def.partitionKey, KeyType: 'HASH' },
          { AttributeName: def.sortKey, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true },
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
        GlobalSecondaryIndexes: def.indexes.length
          ? def.indexes.map((ix) => Match.objectLike({ IndexName: ix.name }))
          : Match.absent(),
        StreamSpecification: def.stream ? { StreamViewType: 'NEW_AND_OLD_IMAGES' } : Match.absent(),
      });
    }
  });

  it('retains and deletion-protects tables in prod only', () => {
    for (const t of Object.values(prod.findResources('AWS::DynamoDB::GlobalTable') as Resources)) {
      expect(t.DeletionPolicy).toBe('Retain');
      expect(JSON.stringify(t.Properties.Replicas)).toContain('"DeletionProtectionEnabled":true');
    }
    for (const t of Object.values(dev.findResources('AWS::DynamoDB::GlobalTable') as Resources)) {
      expect(t.DeletionPolicy).toBe('Delete');
    }
  });
});

describe('IAM from route access', () => {
  const tableId = (name: string) => {
    const found = Object.keys(dev.findResources('AWS::DynamoDB::GlobalTable')).filter((id) => id.includes(name));
    expect(found).toHaveLength(1);
    return found[0] as string;
  };
  type Statement = ReturnType<typeof statementsOf>[number] & { Condition?: Record<string, Record<string, unknown>> };
  const statementsFor = (t: Template, routeId: string) => statementsOf(t, functionIdForRoute(t, routeId)) as Statement[];
  const onTable = (t: Template, routeId: string, name: string) =>
    statementsFor(t, routeId).filter((s) => mentions(s, tableId(name)) && actionsOf(s).some((a) => a.startsWith('dynamodb:')));

  it('grants each function exactly the DynamoDB actions it sends, per table', () => {
    // Written out, not derived from the route table: the test must fail if the derivation goes wrong.
    const expected: Record<string, Record<string, string[]>> = {
      OcppAuthorizer: { Csms: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'] },
      OcppConnect: { Csms: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'] },
      OcppDisconnect: { Csms: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'] },
      OcppMessage: {
        Csms: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        MessageLog: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
      },
      ReconcilePresence: { Csms: ['dynamodb:Query', 'dynamodb:UpdateItem'], MessageLog: ['dynamodb:Query'] },
      SampleConnectedChargers: { Csms: ['dynamodb:Query'] },
      ExpireReservations: { Csms: ['dynamodb:Query', 'dynamodb:UpdateItem'] },
      ReceiveUploads: { Csms: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
      RecordLandedFiles: { Csms: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
      DispatchCommands: { Csms: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], MessageLog: ['dynamodb:PutItem'] },
      ExpireCommands: { Csms: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'] },
      // Its own reads of the charger's partition, and the stream's (granted by its event source mapping).
      ReleaseHeldCommands: {
        Csms: ['dynamodb:DeleteItem', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      },
      ReleaseHeldCommandsOnConnect: {
        Csms: ['dynamodb:DeleteItem', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      },
      SyncLocalListOnMismatch: {
        Csms: [
          'dynamodb:BatchGetItem',
          'dynamodb:DescribeStream',
          'dynamodb:GetItem',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
      },
      SftpIdentityProvider: { Csms: ['dynamodb:UpdateItem'] },
      OperatorsConnect: { Csms: ['dynamodb:PutItem'] },
      OperatorsDisconnect: { Csms: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'] },
      OperatorsMessage: { Csms: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem'] },
      PublishLiveEvents: {
        Csms: [
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
          'dynamodb:Query',
        ],
      },
    };
    for (const route of chargerRoutes) {
      for (const def of tables) {
        const actions = [...new Set(onTable(dev, route.id, def.name).flatMap(actionsOf))].sort();
        expect(actions, `${route.id} ${def.name}`).toEqual(expected[route.id]?.[def.name] ?? []);
      }
    }
  });

  it('grants each REST function exactly the DynamoDB actions of its access, per table, and nothing on the others', () => {
    // The derivation is proven on the charger routes above; here every operator route is held to its own access.
    for (const route of httpRoutes) {
      for (const def of tables) {
        const actions = [...new Set(onTable(dev, route.id, def.name).flatMap(actionsOf))].sort();
        const grant = (route.access.tables as Partial<Record<string, TableAccess | readonly TableAccess[]>> | undefined)?.[def.name];
        const declared = grant ? tableGrants(grant).flatMap((g) => g.actions) : [];
        expect(actions, `${route.id} ${def.name}`).toEqual(declared.map((a) => `dynamodb:${a}`).sort());
      }
    }
  });

  it('lets the file endpoint reach only upload tokens, files and download tokens, put objects under chargers/ and read them under firmware/', () => {
    // Anyone can call it: each partition gets only the action the endpoint sends there.
    expect(onTable(dev, 'ReceiveUploads', 'Csms').map((s) => [s.Action, s.Condition])).toEqual([
      ['dynamodb:UpdateItem', { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['UPLOAD#*', 'FILE#*'] } }],
      ['dynamodb:GetItem', { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DOWNLOAD#*', 'FILE#*'] } }],
    ]);
    const bucket = Object.keys(dev.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('BucketsFiles'));
    const s3 = statementsFor(dev, 'ReceiveUploads').filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    // Objects under one prefix each, never the bucket itself (no listing), no reads of chargers' uploads, no writes of firmware.
    const under = (p: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${p}`]] });
    expect(s3).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: under('chargers/*') },
      { Action: 's3:GetObject', Effect: 'Allow', Resource: under('firmware/*') },
    ]);
  });

  it('lets SendCommand write a generated location’s file and upload token, or download token, beside its commands, and no other partition', () => {
    const [statement] = onTable(dev, 'SendCommand', 'Csms');
    expect(statement?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CHARGER#*', 'CMD#*', 'IDEMPOTENCY#*', 'FILE#*', 'UPLOAD#*', 'DOWNLOAD#*'] } });
  });

  it('lets the authorizer read charger and enrolment-code partitions only, and nothing else of the table', () => {
    const [statement] = onTable(dev, 'OcppAuthorizer', 'Csms');
    expect(statement?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CHARGER#*', 'ENROLMENT#*'] } });
    // Reads by key have no use for the indexes.
    expect(JSON.stringify(statement?.Resource)).not.toContain('/index/');
  });

  it('keeps the message log append-only: no DeleteItem or UpdateItem for any function', () => {
    for (const route of routes) {
      const actions = onTable(dev, route.id, 'MessageLog').flatMap(actionsOf);
      expect(actions.filter((a) => ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'].includes(a)), route.id).toEqual([]);
    }
  });

  it('grants @connections calls by their HTTP method on this stage, never a method wildcard', () => {
    for (const route of routes) {
      const resources = statementsFor(dev, route.id)
        .filter((s) => actionsOf(s).includes('execute-api:ManageConnections'))
        .map((s) => JSON.stringify(s.Resource));
      expect(resources.length > 0, route.id).toBe(route.access.manageConnections !== undefined);
      for (const r of resources) expect(r, route.id).not.toMatch(/\/dev\/\*\//);
    }
    const connect = statementsFor(dev, 'OcppConnect').filter((s) => actionsOf(s).includes('execute-api:ManageConnections'));
    expect(JSON.stringify(connect.map((s) => s.Resource))).toContain('/dev/DELETE/@connections/*');
    expect(JSON.stringify(connect.map((s) => s.Resource))).not.toContain('/POST/');
  });

  it('writes logs only to the function’s own log group, without the managed basic execution role', () => {
    // CDK's notifications handler (a deploy-time custom resource, acknowledged in lib/event-sources.ts) keeps its own.
    const handlerRoles = Object.entries(dev.findResources('AWS::Lambda::Function') as Resources)
      .filter(([id]) => id.startsWith(NOTIFICATIONS_HANDLER_ID_PREFIX))
      .map(([, fn]) => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    const roles = Object.entries(dev.findResources('AWS::IAM::Role') as Resources).filter(([id]) => !handlerRoles.includes(id));
    for (const [, role] of roles) expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain('AWSLambdaBasicExecutionRole');
    const fns = dev.findResources('AWS::Lambda::Function');
    for (const route of routes) {
      const fnId = functionIdForRoute(dev, route.id);
      const logGroup = ((fns[fnId] as Resource).Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logs = statementsFor(dev, route.id).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      expect(logs.flatMap(actionsOf).sort(), route.id).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      for (const s of logs) expect(s.Resource, route.id).toEqual({ 'Fn::GetAtt': [logGroup, 'Arn'] });
    }
    // Created explicitly, with retention.
    dev.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
  });

  it('lets only X-Ray statements use Resource *', () => {
    for (const template of [dev, prod]) {
      const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources);
      const statements = policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
      const star = statements.filter((s) => [s.Resource].flat().includes('*'));
      expect(star.length).toBeGreaterThan(0);
      for (const s of star) expect(actionsOf(s).every((a) => a.startsWith('xray:')), JSON.stringify(actionsOf(s))).toBe(true);
    }
  });

  it('lets the $connect functions read only the AWSCURRENT and AWSPREVIOUS versions of their secrets', () => {
    const secretIds = Object.keys(dev.findResources('AWS::SecretsManager::Secret'));
    const secretId = (prefix: string) => {
      const found = secretIds.filter((id) => id.startsWith(prefix));
      expect(found, prefix).toHaveLength(1);
      return found[0] as string;
    };
    const readsOf = (routeId: string) => statementsFor(dev, routeId).filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    const read = (id: string) => ({
      Action: 'secretsmanager:GetSecretValue',
      Resource: { Ref: id },
      Condition: { StringEquals: { 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPREVIOUS'] } },
    });
    const authorizer = readsOf('OcppAuthorizer');
    expect(authorizer).toHaveLength(2);
    expect(authorizer).toEqual(expect.arrayContaining([expect.objectContaining(read(secretId('OriginVerify'))), expect.objectContaining(read(secretId('PasswordPepper')))]));
    // $connect only for a charger registering by an enrolment code: the pepper alone.
    expect(readsOf('OcppConnect')).toEqual([expect.objectContaining(read(secretId('PasswordPepper')))]);
    for (const route of routes.filter((r) => !r.access.secrets?.length)) {
      expect(statementsFor(dev, route.id).flatMap(actionsOf).filter((a) => a.startsWith('secretsmanager:')), route.id).toEqual([]);
    }
  });

  it('uses the tables’ customer-managed key in prod only through DynamoDB', () => {
    const keyUse = statementsFor(prod, 'OcppMessage').filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(keyUse.length).toBeGreaterThan(0);
    for (const s of keyUse) expect(s.Condition).toMatchObject({ StringEquals: { 'kms:ViaService': expect.anything() } });
    expect([...new Set(keyUse.flatMap(actionsOf))].sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']);
    const authorizerKey = statementsFor(prod, 'OcppAuthorizer').filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(authorizerKey.flatMap(actionsOf).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(statementsFor(dev, 'OcppMessage').flatMap(actionsOf).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });
});

describe('flood limits on $connect', () => {
  /** The stage of the WebSocket API whose construct id starts with `apiIdPrefix`, and that API's route ids by route key. */
  const webSocketStage = (apiIdPrefix: string) => {
    const ofApi = (type: string) =>
      Object.entries(dev.findResources(type) as Resources).filter(([, r]) => (r.Properties.ApiId as { Ref?: string }).Ref?.startsWith(apiIdPrefix));
    const stages = ofApi('AWS::ApiGatewayV2::Stage') as [string, Resource & { DependsOn?: string[] }][];
    expect(stages).toHaveLength(1);
    const routeIds = Object.fromEntries(ofApi('AWS::ApiGatewayV2::Route').map(([id, r]) => [r.Properties.RouteKey as string, id]));
    return { stage: stages[0]![1], routeIds };
  };

  it('throttles the charger API’s $connect at the stage, after the route exists', () => {
    const { stage, routeIds } = webSocketStage('GatewayApi');
    expect(stage.Properties.RouteSettings).toEqual({ $connect: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 } });
    expect(stage.DependsOn).toEqual(expect.arrayContaining([routeIds.$connect]));
  });

  it('throttles the operators API’s $connect and its clients’ messages ($default) at the stage, after the routes exist', () => {
    const { stage, routeIds } = webSocketStage('OperatorsGatewayApi');
    expect(stage.Properties.RouteSettings).toEqual({
      $connect: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      $default: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    expect(stage.DependsOn).toEqual(expect.arrayContaining([routeIds.$connect, routeIds.$default]));
  });

  it('caps the authorizer with reserved concurrency and gives it one full vCPU; $default stays unreserved', () => {
    const fns = dev.findResources('AWS::Lambda::Function');
    const props = (routeId: string) => (fns[functionIdForRoute(dev, routeId)] as Resource).Properties;
    expect(props('OcppAuthorizer')).toMatchObject({ ReservedConcurrentExecutions: 20, MemorySize: 1769 });
    expect(props('OcppMessage').ReservedConcurrentExecutions).toBeUndefined();
  });

  it('caps the upload endpoint, which anyone can call, with reserved concurrency', () => {
    const fns = dev.findResources('AWS::Lambda::Function');
    expect((fns[functionIdForRoute(dev, 'ReceiveUploads')] as Resource).Properties).toMatchObject({ ReservedConcurrentExecutions: 10, MemorySize: 512, Timeout: 30 });
    dev.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', InvokeMode: 'BUFFERED' });
    dev.hasOutput('UploadsUrl', { Value: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['https://'])] }) });
  });

  it('lets the stage config resize a route’s reserved concurrency', () => {
    const { template } = synthStack({ stage: 'dev', configOverrides: { reservedConcurrency: { OcppAuthorizer: 7 } } });
    const fns = template.findResources('AWS::Lambda::Function');
    expect((fns[functionIdForRoute(template, 'OcppAuthorizer')] as Resource).Properties.ReservedConcurrentExecutions).toBe(7);
  });
});

describe('CloudFront edge', () => {
  it('publishes the viewer-request source with the stage settings substituted', () => {
    const fn = only(dev, 'AWS::CloudFront::Function');
    expect(fn.Properties.FunctionCode).toBe(viewerRequestSource({ pathPrefix: 'ocpp', stageName: 'dev' }));
    expect(fn.Properties.FunctionConfig).toMatchObject({ Runtime: 'cloudfront-js-2.0' });
  });

  it('associates the function as viewer-request with caching disabled', () => {
    const config = only(dev, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as Record<string, any>; // any: CFN JSON
    const functionId = Object.keys(dev.findResources('AWS::CloudFront::Function'))[0];
    expect(config.DefaultCacheBehavior).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }],
    });
  });

  it('sends the origin secret as a dynamic reference, never a literal', () => {
    const config = only(dev, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as Record<string, any>; // any: CFN JSON
    const header = config.Origins[0].OriginCustomHeaders.find((h: { HeaderName: string }) => h.HeaderName === 'X-Origin-Verify');
    expect(typeof header.HeaderValue).not.toBe('string');
    expect(JSON.stringify(header.HeaderValue)).toContain('{{resolve:secretsmanager:');
    // The origin secret, the password pepper and the plain-HTTP firmware signing key (created with the route that reads it).
    dev.resourceCountIs('AWS::SecretsManager::Secret', 3);
    dev.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({}) });
  });

  it('forwards all query strings and the upgrade headers, but never Authorization', () => {
    const policy = only(dev, 'AWS::CloudFront::OriginRequestPolicy').Properties.OriginRequestPolicyConfig as Record<string, any>; // any: CFN JSON
    expect(policy.QueryStringsConfig).toEqual({ QueryStringBehavior: 'all' });
    expect(policy.HeadersConfig.Headers).toEqual([...FORWARDED_HEADERS]);
    expect(policy.HeadersConfig.Headers.map((h: string) => h.toLowerCase())).not.toContain('authorization');
  });

  it('accepts plain ws:// only where the stage allows it', () => {
    const policyOf = (t: Template) =>
      (only(t, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as Record<string, any>) // any: CFN JSON
        .DefaultCacheBehavior.ViewerProtocolPolicy;
    expect(policyOf(dev)).toBe('allow-all');
    expect(policyOf(prod)).toBe('https-only');
  });

  it('outputs the charger URL, the management endpoint and the pepper secret’s id (never its value)', () => {
    dev.hasOutput('ChargerUrl', { Value: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['wss://', '/ocpp/{chargeBoxId}'])] }) });
    dev.hasOutput('ManagementEndpoint', { Value: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['/dev'])] }) });
    const pepper = Object.keys(dev.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('PasswordPepper'));
    dev.hasOutput('PasswordPepperSecretId', { Value: { Ref: pepper } });
  });
});
