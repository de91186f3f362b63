/**
 * The files bucket in the stack (issue 12) and the grants of the operators' file routes: private, TLS-only,
 * encrypted (S3-managed keys on dev, the stage's own rotated key with S3 Bucket Keys on prod), versioned, logged, and
 * its lifecycle from the bucket's definition (uploads expire after the stage's retention, firmware stays; old
 * versions and abandoned multipart uploads go). Each file route is held to exactly what it does.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes as platformRoutes, type RouteDef } from '../../functions/routes.ts';
import { lifecycleRules } from '../../lib/buckets.ts';
import { filesBucket } from '../../shared/store/buckets.ts';
import { FIXTURES, withFixtureEntries } from './fixture-entries.ts';
import { actionsOf, functionIdForRoute, mentions, type Resource, type Resources, statementsOf, synthStack } from './support.ts';

/** A route that writes to the bucket, so prod's key grants for writers go through cdk-nag too. */
const writer: RouteDef = { kind: 'schedule', id: 'WriteFiles', schedule: 'rate(1 day)', entry: 'kinds/schedule.ts', access: { buckets: { Files: 'write' } } };
const FILE_ROUTES = ['ListChargerFiles', 'GetFile', 'GetFileContent', 'DeleteFile'];

let dev: Template;
let prod: Template;
let prodApp: ReturnType<typeof synthStack>['app'];
beforeAll(() => {
  dev = synthStack({ stage: 'dev', routes: withFixtureEntries(platformRoutes), functionsDir: FIXTURES }).template;
  const synthesized = synthStack({ stage: 'prod', routes: withFixtureEntries([...platformRoutes, writer]), functionsDir: FIXTURES });
  prod = synthesized.template;
  prodApp = synthesized.app;
});

const idOf = (t: Template, type: string, name: string): string => {
  const ids = Object.keys(t.findResources(type)).filter((id) => new RegExp(`^${name}[0-9A-F]{8}$`).test(id));
  expect(ids, name).toHaveLength(1);
  return ids[0] as string;
};
const bucketOf = (t: Template, name: string) => (t.findResources('AWS::S3::Bucket')[idOf(t, 'AWS::S3::Bucket', name)] as Resource).Properties;
const filesId = (t: Template) => idOf(t, 'AWS::S3::Bucket', 'BucketsFiles');
const statementsFor = (t: Template, routeId: string) => statementsOf(t, functionIdForRoute(t, routeId));
/** The actions of `routeId`'s statements that start with `service:` and mention logical id `ref`. */
const actionsOn = (t: Template, routeId: string, ref: string, service: string) =>
  statementsFor(t, routeId)
    .filter((s) => mentions(s, ref))
    .flatMap(actionsOf)
    .filter((a) => a.startsWith(`${service}:`))
    .sort();

describe('the files bucket', () => {
  it('blocks public access, versions objects and logs access to the log bucket under its name', () => {
    for (const t of [dev, prod]) {
      expect(bucketOf(t, 'BucketsFiles')).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: idOf(t, 'AWS::S3::Bucket', 'BucketsAccessLogs') }, LogFilePrefix: 'Files/' },
      });
    }
  });

  it('refuses every request that is not TLS', () => {
    const policies = Object.values(dev.findResources('AWS::S3::BucketPolicy') as Resources).filter((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: filesId(dev) }));
    expect(policies).toHaveLength(1);
    expect((policies[0]!.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: [{ 'Fn::GetAtt': [filesId(dev), 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [filesId(dev), 'Arn'] }, '/*']] }],
      },
    ]);
  });

  it('is encrypted with S3-managed keys on dev, and on prod with the stage’s files key (rotated) and S3 Bucket Keys', () => {
    expect(bucketOf(dev, 'BucketsFiles').BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    const key = idOf(prod, 'AWS::KMS::Key', 'KeysFiles');
    expect(bucketOf(prod, 'BucketsFiles').BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] } } }],
    });
    expect((prod.findResources('AWS::KMS::Key')[key] as Resource).Properties.EnableKeyRotation).toBe(true);
    // S3 delivers server access logs only to a bucket with S3-managed keys.
    expect(bucketOf(prod, 'BucketsAccessLogs').BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
  });

  it('expires uploads after the stage’s retention and keeps firmware; old versions go after a week, abandoned uploads after a day', () => {
    for (const t of [dev, prod]) {
      expect(bucketOf(t, 'BucketsFiles').LifecycleConfiguration).toEqual({
        Rules: [
          { Id: 'expire-chargers', Prefix: 'chargers/', ExpirationInDays: 90, Status: 'Enabled' },
          {
            Id: 'versions-and-uploads',
            NoncurrentVersionExpiration: { NoncurrentDays: 7 },
            ExpiredObjectDeleteMarker: true,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          },
        ],
      });
    }
  });

  it('takes the expiry from the bucket’s definition and the deployment’s retention', () => {
    const [uploads, versions] = lifecycleRules(filesBucket, { fileRetentionDays: 30 });
    expect(uploads).toMatchObject({ prefix: 'chargers/' });
    expect(uploads?.expiration?.toDays()).toBe(30);
    expect(versions?.noncurrentVersionExpiration?.toDays()).toBe(7);
    const kept = lifecycleRules({ name: 'Kept', envVar: 'KEPT_BUCKET', noncurrentVersionDays: 30 }, { fileRetentionDays: 30 });
    expect(kept).toHaveLength(1);
    expect(kept[0]?.noncurrentVersionExpiration?.toDays()).toBe(30);
  });
});

describe('grants of the file routes', () => {
  it('let only the routes that sign, store or delete objects reach the bucket, and name it in their environment', () => {
    // Content and delete (operators), firmware declaration (signing its PUT), the file endpoint (uploads, and signing
    // firmware downloads), and the recorder of landed objects (it heads them, and reads through those S3 holds no
    // checksum of). SendCommand no longer signs anything: a generated firmware location is the file endpoint's.
    const reaching = ['GetFileContent', 'DeleteFile', 'CreateFirmware', 'ReceiveUploads', 'RecordLandedFiles'];
    for (const route of platformRoutes) {
      const onBucket = actionsOn(dev, route.id, filesId(dev), 's3');
      const env = ((dev.findResources('AWS::Lambda::Function')[functionIdForRoute(dev, route.id)] as Resource).Properties.Environment as { Variables: object }).Variables;
      expect(onBucket.length > 0, route.id).toBe(reaching.includes(route.id));
      expect('FILES_BUCKET' in env, route.id).toBe(reaching.includes(route.id));
    }
  });

  it('let the content route read objects (it signs the links) and the delete route only DeleteObject, on objects only', () => {
    expect(actionsOn(dev, 'GetFileContent', filesId(dev), 's3')).toEqual(['s3:GetBucket*', 's3:GetObject*', 's3:List*']);
    const deletes = statementsFor(dev, 'DeleteFile').filter((s) => mentions(s, filesId(dev)));
    expect(deletes).toEqual([{ Action: 's3:DeleteObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [filesId(dev), 'Arn'] }, '/*']] } }]);
  });

  it('hold each route to its DynamoDB actions in the partitions it reads or deletes', () => {
    const expected: Record<string, { actions: string[]; keys: string[] }> = {
      ListChargerFiles: { actions: ['dynamodb:GetItem', 'dynamodb:Query'], keys: ['CHARGER#*'] },
      GetFile: { actions: ['dynamodb:GetItem'], keys: ['FILE#*'] },
      GetFileContent: { actions: ['dynamodb:GetItem'], keys: ['FILE#*'] },
      DeleteFile: { actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem'], keys: ['FILE#*', 'UPLOAD#*'] },
    };
    for (const routeId of FILE_ROUTES) {
      const onTable = statementsFor(dev, routeId).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(onTable, routeId).toHaveLength(1);
      expect(actionsOf(onTable[0]!).sort(), routeId).toEqual(expected[routeId]!.actions);
      expect(onTable[0]!.Condition, routeId).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expected[routeId]!.keys } });
    }
  });

  it('let the content route decrypt with the files key on prod (S3 reads through it for the link), and no other file route use it', () => {
    const key = idOf(prod, 'AWS::KMS::Key', 'KeysFiles');
    expect(actionsOn(prod, 'GetFileContent', key, 'kms')).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    for (const routeId of ['ListChargerFiles', 'GetFile', 'DeleteFile']) expect(actionsOn(prod, routeId, key, 'kms'), routeId).toEqual([]);
  });

  it('let the recorder of landed objects read them under chargers/ and firmware/ only, decrypting with the files key on prod', () => {
    const key = idOf(prod, 'AWS::KMS::Key', 'KeysFiles');
    expect(actionsOn(prod, 'RecordLandedFiles', key, 'kms')).toEqual(['kms:Decrypt']);
    const reads = statementsFor(prod, 'RecordLandedFiles').filter((s) => mentions(s, filesId(prod)));
    expect(reads).toEqual([
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: ['chargers/*', 'firmware/*'].map((p) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [filesId(prod), 'Arn'] }, `/${p}`]] })),
      },
    ]);
  });

  it('let the file endpoint put objects under chargers/ and read them under firmware/ only (it signs downloads), using the files key for that on prod', () => {
    const on = (p: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [filesId(prod), 'Arn'] }, `/${p}`]] });
    expect(statementsFor(prod, 'ReceiveUploads').filter((s) => mentions(s, filesId(prod)))).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: on('chargers/*') },
      { Action: 's3:GetObject', Effect: 'Allow', Resource: on('firmware/*') },
    ]);
    expect(actionsOn(prod, 'ReceiveUploads', idOf(prod, 'AWS::KMS::Key', 'KeysFiles'), 'kms')).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(actionsOn(prod, 'SendCommand', filesId(prod), 's3')).toEqual([]);
    expect(actionsOn(prod, 'SendCommand', idOf(prod, 'AWS::KMS::Key', 'KeysFiles'), 'kms')).toEqual([]);
  });

  it('leave cdk-nag without findings on prod, a route writing through the files key included', () => {
    const report = new AwsSolutionsChecks().validateScope(prodApp);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
    expect(actionsOn(prod, 'WriteFiles', idOf(prod, 'AWS::KMS::Key', 'KeysFiles'), 'kms')).toEqual(
      expect.arrayContaining(['kms:GenerateDataKey*', 'kms:ReEncrypt*']),
    );
  });
});
