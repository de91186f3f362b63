/**
 * The firmware routes' grants on the files bucket: the presigned URLs they hand out can do only what their role may,
 * so the role that signs the upload may only PutObject under `firmware/`, the one that signs downloads only GetObject
 * there, and no other firmware route touches S3.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, functionIdForRoute, statementsOf, synthStack } from './support.ts';

let t: Template;
beforeAll(() => {
  t = synthStack({ stage: 'dev' }).template;
});

const s3Statements = (routeId: string) => statementsOf(t, functionIdForRoute(t, routeId)).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));

const filesBucketId = () => {
  const ids = Object.keys(t.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith('BucketsFiles'));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

describe('firmware grants on the files bucket', () => {
  it.each([
    ['CreateFirmware', 's3:PutObject'],
    ['SendCommand', 's3:GetObject'],
  ])('%s may do exactly %s on firmware/* and nothing on the bucket itself', (routeId, action) => {
    const statements = s3Statements(routeId);
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!)).toEqual([action]);
    expect(statements[0]!.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [filesBucketId(), 'Arn'] }, '/firmware/*']] });
  });

  it('lets the firmware reads touch no bucket', () => {
    for (const id of ['ListFirmware', 'GetFirmware', 'ListChargerFirmwareUpdates']) expect(s3Statements(id), id).toEqual([]);
  });
});
