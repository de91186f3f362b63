/**
 * The firmware routes' grants on the files bucket: the presigned URLs they hand out can do only what their role may,
 * so the role that signs the upload may only PutObject under `firmware/`, the file endpoint that signs downloads only
 * GetObject there, and no other firmware route touches S3.
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
  const underFirmware = () => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [filesBucketId(), 'Arn'] }, '/firmware/*']] });

  it('lets CreateFirmware (it signs the image upload) do exactly s3:PutObject on firmware/* and nothing on the bucket itself', () => {
    expect(s3Statements('CreateFirmware')).toEqual([{ Action: 's3:PutObject', Effect: 'Allow', Resource: underFirmware() }]);
  });

  it('lets the file endpoint (it signs each download it redirects to) read firmware/* only, and write none of it', () => {
    const onFirmware = s3Statements('ReceiveUploads').filter((s) => JSON.stringify(s.Resource).includes('/firmware/'));
    expect(onFirmware).toEqual([{ Action: 's3:GetObject', Effect: 'Allow', Resource: underFirmware() }]);
  });

  it('lets SendCommand and the firmware reads touch no bucket: the location is a download URL, signed at download time', () => {
    for (const id of ['SendCommand', 'ListFirmware', 'GetFirmware', 'ListChargerFirmwareUpdates']) expect(s3Statements(id), id).toEqual([]);
  });
});
