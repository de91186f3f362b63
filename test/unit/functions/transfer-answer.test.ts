/**
 * The identity provider's answer for an accepted SFTP login, as AWS Transfer Family reads it: the role, a logical
 * home whose `/` is the file's folder, and a session policy (JSON text) that lets the session upload there and
 * nowhere else.
 */
import { describe, expect, it } from 'vitest';
import { iamLiteral, sessionPolicy, transferAnswer } from '#functions/sftp/transfer-answer.ts';

const place = { bucket: 'ov2xmp-files', home: 'chargers/cp-1/0b6f3c1e-8a4e-4c57-9d4b-2f1f2b6c9a10/', role: 'arn:aws:iam::111111111111:role/session' };

describe('transferAnswer', () => {
  it('names the role, maps `/` to the folder (no trailing slash) and gives the policy, both as JSON text', () => {
    const answer = transferAnswer(place);
    expect(answer).toEqual({
      Role: place.role,
      HomeDirectoryType: 'LOGICAL',
      HomeDirectoryDetails: '[{"Entry":"/","Target":"/ov2xmp-files/chargers/cp-1/0b6f3c1e-8a4e-4c57-9d4b-2f1f2b6c9a10"}]',
      Policy: JSON.stringify(sessionPolicy(place)),
    });
    expect(answer.PublicKeys).toBeUndefined();
    // Transfer Family caps a session policy at 2048 characters.
    expect(answer.Policy?.length).toBeLessThan(2048);
  });
});

describe('sessionPolicy', () => {
  it('allows PutObject into the folder, ListBucket of its prefix, GetObject of folder markers: nothing else', () => {
    const folder = 'arn:aws:s3:::ov2xmp-files/chargers/cp-1/0b6f3c1e-8a4e-4c57-9d4b-2f1f2b6c9a10/';
    expect(sessionPolicy(place)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'SeeOwnFolder',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::ov2xmp-files',
          Condition: { StringLike: { 's3:prefix': ['chargers/cp-1/0b6f3c1e-8a4e-4c57-9d4b-2f1f2b6c9a10', 'chargers/cp-1/0b6f3c1e-8a4e-4c57-9d4b-2f1f2b6c9a10/*'] } },
        },
        { Sid: 'UploadIntoOwnFolder', Effect: 'Allow', Action: 's3:PutObject', Resource: `${folder}*` },
        { Sid: 'ReadFolderMarkersOnly', Effect: 'Allow', Action: 's3:GetObject', Resource: `${folder}*/` },
      ],
    });
  });

  it('takes the partition from the role, and writes a `*` of a charger id as itself, not as a wildcard', () => {
    const policy = JSON.stringify(sessionPolicy({ ...place, home: 'chargers/cp*1/0b6f3c1e-8a4e-4c57-9d4b-2f1f2b6c9a10/', role: 'arn:aws-cn:iam::111111111111:role/s' }));
    expect(policy).toContain('"arn:aws-cn:s3:::ov2xmp-files/chargers/cp${*}1/0b6f3c1e-8a4e-4c57-9d4b-2f1f2b6c9a10/*"');
    expect(policy).not.toContain('cp*1');
  });
});

describe('iamLiteral', () => {
  it('escapes exactly the characters IAM matches specially', () => {
    expect(iamLiteral('a*b?c$d-e.f')).toBe('a${*}b${?}c${$}d-e.f');
  });
});
