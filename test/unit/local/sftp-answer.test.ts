/**
 * The SFTP stand-in reads its identity provider's answer as Transfer Family does: an empty or role-less answer
 * denies, a LOGICAL `/` mapping into the stand-in's bucket is the chroot, and the session policy decides which keys
 * a session may put. The answers are the real identity provider's (functions/sftp/transfer-answer.ts).
 */
import { describe, expect, it } from 'vitest';
import { transferAnswer } from '#functions/sftp/transfer-answer.ts';
import { iamPattern, policyAllows, readIdentityAnswer } from '../../../bin/local/hosts/sftp-answer.ts';
import { sessionKey, sessionPath } from '../../../bin/local/hosts/sftp-session.ts';

const home = 'chargers/cp-1/0b6f3c1e-8a4e-4c57-9d4b-2f1f2b6c9a10/';
const answer = transferAnswer({ bucket: 'files', home, role: 'arn:aws:iam::000000000000:role/local-sftp-session' });

const sessionOf = (a: unknown, bucket = 'files') => {
  const reading = readIdentityAnswer(a, bucket);
  if (!('session' in reading)) throw new Error(reading.refused);
  return reading.session;
};

describe('readIdentityAnswer', () => {
  it('grants the home the answer maps `/` to, letting the session put inside it only', () => {
    const session = sessionOf(answer);
    expect(session).toMatchObject({ bucket: 'files', home });
    expect(session.canPut(`${home}diag.zip`)).toBe(true);
    expect(session.canPut(`${home}logs/diag.zip`)).toBe(true);
    expect(session.canPut('chargers/cp-1/other-file/diag.zip')).toBe(false);
    expect(session.canPut('firmware/x.bin')).toBe(false);
  });

  it('denies an empty answer or one with a blank role', () => {
    expect(readIdentityAnswer({}, 'files')).toEqual({ refused: 'denied' });
    expect(readIdentityAnswer({ ...answer, Role: ' ' }, 'files')).toEqual({ refused: 'denied' });
    expect(readIdentityAnswer(undefined, 'files')).toEqual({ refused: 'denied' });
  });

  it('refuses, saying why, what it would only half honour', () => {
    expect(readIdentityAnswer({ ...answer, HomeDirectoryType: 'PATH' }, 'files')).toEqual({ refused: 'the stand-in serves LOGICAL home directories only' });
    expect(readIdentityAnswer(answer, 'photos')).toEqual({ refused: 'the home target names bucket files, the stand-in writes to photos' });
    expect(readIdentityAnswer({ ...answer, HomeDirectoryDetails: [{ Entry: '/', Target: '/files/x' }] }, 'files')).toEqual({ refused: 'HomeDirectoryDetails is not JSON text' });
    expect(readIdentityAnswer({ ...answer, HomeDirectoryDetails: '[{"Entry":"/a","Target":"/files/x"}]' }, 'files')).toMatchObject({ refused: expect.stringMatching(/must map `\/` alone/) });
    expect(readIdentityAnswer({ ...answer, HomeDirectoryDetails: '[{"Entry":"/","Target":"/files"}]' }, 'files')).toMatchObject({ refused: expect.stringMatching(/is not \/<bucket>\/<folder>/) });
    expect(readIdentityAnswer({ ...answer, Policy: '{' }, 'files')).toEqual({ refused: 'Policy is not valid JSON' });
  });

  it('leaves the keys to the role when the answer has no session policy (the stand-in has none: all of the home)', () => {
    const { Policy: _none, ...withoutPolicy } = answer;
    expect(sessionOf(withoutPolicy).canPut(`${home}x`)).toBe(true);
  });
});

describe('policyAllows', () => {
  const allowUploads = { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/in/*' };
  it('needs an Allow without condition, and no Deny, for the action and resource', () => {
    expect(policyAllows({ Statement: [allowUploads] }, 's3:PutObject', 'arn:aws:s3:::b/in/x')).toBe(true);
    expect(policyAllows({ Statement: [allowUploads] }, 's3:GetObject', 'arn:aws:s3:::b/in/x')).toBe(false);
    expect(policyAllows({ Statement: [allowUploads] }, 's3:PutObject', 'arn:aws:s3:::b/out/x')).toBe(false);
    expect(policyAllows({ Statement: [{ ...allowUploads, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }] }, 's3:PutObject', 'arn:aws:s3:::b/in/x')).toBe(false);
    expect(policyAllows({ Statement: [allowUploads, { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::b/in/ok*' }] }, 's3:PutObject', 'arn:aws:s3:::b/in/x')).toBe(false);
    expect(policyAllows({ Statement: [allowUploads, { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::b/in/ok*' }] }, 's3:PutObject', 'arn:aws:s3:::b/in/ok1')).toBe(true);
    expect(policyAllows({ Statement: { Effect: 'Allow', Action: ['S3:Put*'], Resource: ['arn:aws:s3:::b/*'] } }, 's3:PutObject', 'arn:aws:s3:::b/x')).toBe(true);
  });
});

describe('iamPattern', () => {
  it('reads `*` and `?` as wildcards and `${*}`, `${?}`, `${$}` as those characters', () => {
    expect(iamPattern('a/*/b?').test('a/x/y/bz')).toBe(true);
    expect(iamPattern('cp${*}1/*').test('cp*1/x')).toBe(true);
    expect(iamPattern('cp${*}1/*').test('cpX1/x')).toBe(false);
    expect(iamPattern('a.b${$}').test('a.b$')).toBe(true);
    expect(iamPattern('a.b').test('axb')).toBe(false);
  });
});

describe('session paths', () => {
  it('keeps every path inside the home: `..` stops at `/`', () => {
    expect(sessionPath('')).toBe('/');
    expect(sessionPath('.')).toBe('/');
    expect(sessionPath('../../x')).toBe('/x');
    expect(sessionPath('/a/b/../c/')).toBe('/a/c');
    expect(sessionKey({ home }, '/../etc/passwd')).toBe(`${home}etc/passwd`);
    expect(sessionKey({ home }, 'logs//diag.txt')).toBe(`${home}logs/diag.txt`);
  });
});
