/**
 * The plain-HTTP firmware distribution (lib/firmware-http-edge.ts): built only with `-c firmwareHttpPublicKey`, it
 * serves http:// downloads through the file endpoint and signed image URLs from the files bucket, which it may read
 * only under firmware/.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { firmwareHttpViewerRequestSource } from '../../lib/edge/firmware-http-viewer-request.ts';
import { FIRMWARE_HTTP_HOST_HEADER, FIRMWARE_IMAGE_PATH_PATTERN } from '../../shared/file/firmware-http.ts';
import { functionIdForRoute, PROD_CONTEXT, type Resource, type Resources, synthStack } from './support.ts';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED_FOR_UNCOMPRESSED_OBJECTS = 'b2884449-e4de-46a7-ac36-70bc7f1ddd6d';

const publicKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: string | string[]; Resource: unknown; Condition?: unknown };

const idsOf = (t: Template, type: string): string[] => Object.keys(t.findResources(type));
const onlyId = (t: Template, type: string, prefix: string): string => {
  const ids = idsOf(t, type).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0] as string;
};
const resource = (t: Template, id: string): Resource => (t.toJSON() as { Resources: Resources }).Resources[id] as Resource;
const envOf = (t: Template, routeId: string) =>
  (resource(t, functionIdForRoute(t, routeId)).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const bucketPolicyStatements = (t: Template, bucketId: string): Statement[] =>
  Object.values(t.findResources('AWS::S3::BucketPolicy') as Resources)
    .filter((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const fromCloudFront = (s: Statement) => JSON.stringify(s.Principal).includes('cloudfront.amazonaws.com');

describe('without -c firmwareHttpPublicKey', () => {
  const t = synthStack({ stage: 'dev' }).template;

  it('builds no distribution beyond the charger edge, no key, and leaves FIRMWARE_HTTP_URL empty', () => {
    expect(idsOf(t, 'AWS::CloudFront::Distribution')).toEqual([expect.stringMatching(/^Edge/)]);
    expect(idsOf(t, 'AWS::CloudFront::PublicKey')).toEqual([]);
    expect(idsOf(t, 'AWS::CloudFront::KeyGroup')).toEqual([]);
    expect(envOf(t, 'SendCommand').FIRMWARE_HTTP_URL).toBe('');
    expect(Object.keys(t.toJSON().Outputs as object).filter((o) => o.startsWith('FirmwareHttp'))).toEqual([]);
  });
});

describe('with -c firmwareHttpPublicKey', () => {
  let t: Template;
  let distributionId: string;
  let distribution: Record<string, unknown>;
  beforeAll(() => {
    t = synthStack({ stage: 'dev', context: { firmwareHttpPublicKeyPem: publicKeyPem } }).template;
    distributionId = onlyId(t, 'AWS::CloudFront::Distribution', 'FirmwareHttp');
    distribution = resource(t, distributionId).Properties.DistributionConfig as Record<string, unknown>;
  });

  it('registers the public key in a key group', () => {
    const keyId = onlyId(t, 'AWS::CloudFront::PublicKey', 'FirmwareHttp');
    expect(resource(t, keyId).Properties.PublicKeyConfig).toMatchObject({ EncodedKey: publicKeyPem });
    const groupId = onlyId(t, 'AWS::CloudFront::KeyGroup', 'FirmwareHttp');
    expect(resource(t, groupId).Properties.KeyGroupConfig).toMatchObject({ Items: [{ Ref: keyId }] });
  });

  it('passes GET and HEAD over http or https to the file endpoint over TLS 1.2, uncached, through the viewer-request function', () => {
    const functionId = onlyId(t, 'AWS::CloudFront::Function', 'FirmwareHttp');
    expect(resource(t, functionId).Properties).toMatchObject({ FunctionCode: firmwareHttpViewerRequestSource(), FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
    const behaviour = distribution.DefaultCacheBehavior as Record<string, unknown>;
    expect(behaviour).toMatchObject({
      ViewerProtocolPolicy: 'allow-all',
      AllowedMethods: ['GET', 'HEAD'],
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: { Ref: onlyId(t, 'AWS::CloudFront::OriginRequestPolicy', 'FirmwareHttp') },
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }],
    });
    const origin = (distribution.Origins as Record<string, unknown>[]).find((o) => o.Id === behaviour.TargetOriginId);
    expect(origin).toMatchObject({
      DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [expect.stringMatching(/ReceiveUploads/), 'FunctionUrl'] }] }] },
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
    });
  });

  it('sends the origin the function’s copy of the viewer’s Host and not the Host itself, nor query strings or cookies', () => {
    const policy = resource(t, onlyId(t, 'AWS::CloudFront::OriginRequestPolicy', 'FirmwareHttp')).Properties.OriginRequestPolicyConfig;
    expect(policy).toMatchObject({
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: [FIRMWARE_HTTP_HOST_HEADER] },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
    });
  });

  it('serves firmware images from the files bucket only with a URL signed by the key group, over http too', () => {
    const groupId = onlyId(t, 'AWS::CloudFront::KeyGroup', 'FirmwareHttp');
    const behaviours = distribution.CacheBehaviors as Record<string, unknown>[];
    expect(behaviours).toHaveLength(1);
    expect(behaviours[0]).toMatchObject({
      PathPattern: FIRMWARE_IMAGE_PATH_PATTERN,
      TrustedKeyGroups: [{ Ref: groupId }],
      ViewerProtocolPolicy: 'allow-all',
      AllowedMethods: ['GET', 'HEAD'],
      // No query string in the cache key: the signature's parameters would make every download a miss.
      CachePolicyId: CACHING_OPTIMIZED_FOR_UNCOMPRESSED_OBJECTS,
    });
    const origin = (distribution.Origins as Record<string, unknown>[]).find((o) => o.Id === behaviours[0]?.TargetOriginId);
    expect(origin).toMatchObject({
      DomainName: { 'Fn::GetAtt': [expect.stringMatching(/^BucketsFiles/), 'RegionalDomainName'] },
      OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/^FirmwareHttp/), 'Id'] },
    });
  });

  it('lets the distribution GetObject under firmware/ only, nothing on the whole bucket', () => {
    const bucketId = onlyId(t, 'AWS::S3::Bucket', 'BucketsFiles');
    const granted = bucketPolicyStatements(t, bucketId).filter((s) => s.Effect === 'Allow' && fromCloudFront(s));
    expect(granted).toEqual([
      {
        Sid: 'FirmwareHttpDistributionReadsImages',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/firmware/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: distributionId }]] },
          },
        },
      },
    ]);
  });

  it('logs access to its own log bucket', () => {
    expect(distribution.Logging).toMatchObject({ Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^FirmwareHttpAccessLogs/), 'RegionalDomainName'] } });
  });

  it('tells the routes with fileEndpoints the http:// URL of the distribution, and only them', () => {
    const url = { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] };
    expect(envOf(t, 'SendCommand').FIRMWARE_HTTP_URL).toEqual(url);
    // The file endpoint learns the host from the header instead: its function holding the distribution's name would
    // make function → distribution → function URL → function a cycle.
    expect(envOf(t, 'ReceiveUploads')).not.toHaveProperty('FIRMWARE_HTTP_URL');
  });

  it('outputs the URL, the key pair id and the secret the operator puts the private key in', () => {
    const keyId = onlyId(t, 'AWS::CloudFront::PublicKey', 'FirmwareHttp');
    t.hasOutput('FirmwareHttpUrl', { Value: { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] } });
    t.hasOutput('FirmwareHttpKeyPairId', { Value: { Ref: keyId } });
    t.hasOutput('FirmwareHttpSigningKeySecret', { Value: { Ref: onlyId(t, 'AWS::SecretsManager::Secret', 'FirmwareHttpSigningKey') } });
  });
});

describe('with -c firmwareHttpPublicKey on prod (customer-managed files key, web ACL)', () => {
  const { app, stack, template: t } = synthStack({ stage: 'prod', context: { ...PROD_CONTEXT, firmwareHttpPublicKeyPem: publicKeyPem } });

  it('synthesizes without a dependency cycle and without a CDK warning (the imported bucket view’s is acknowledged)', () => {
    expect(() => app.synth()).not.toThrow();
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('lets CloudFront decrypt with the files key, only for distributions of this account, and nothing else', () => {
    const keyId = onlyId(t, 'AWS::KMS::Key', 'KeysFiles');
    const statements = (resource(t, keyId).Properties.KeyPolicy as { Statement: Statement[] }).Statement.filter(fromCloudFront);
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Condition: { ArnLike: { 'AWS:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/*']] } } },
      }),
    ]);
  });

  it('attaches the stage’s web ACL', () => {
    const distributionId = onlyId(t, 'AWS::CloudFront::Distribution', 'FirmwareHttp');
    expect(resource(t, distributionId).Properties.DistributionConfig).toMatchObject({ WebACLId: PROD_CONTEXT.webAclArn });
  });
});
