/**
 * The `bucket` kind's pure parts: its route rules (both hosts run them before building anything) and S3's key
 * encoding in events, as the local host writes it and handlers read it back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeS3EventKey } from '#functions/_common/s3-events.ts';
import { checkRoutes, platformRegistries } from '#functions/_routes/rules.ts';
import { routes, type BucketPrefixAccess, type BucketRoute, type RouteDef } from '#functions/routes.ts';
import { s3EventKey } from '../../../bin/local/events/s3.ts';

const watch = (over: Partial<BucketRoute> = {}): RouteDef => ({ kind: 'bucket', id: 'Watch', bucket: 'Files', prefixes: ['drops/'], entry: 'x.ts', access: {}, ...over });
const problemsOf = (extra: RouteDef): string => {
  try {
    checkRoutes([...routes, extra], platformRegistries);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('bucket route rules', () => {
  it('accept the platform’s table and a route beside it on other prefixes', () => {
    expect(problemsOf(watch({ prefixes: ['drops/', 'inbox/'] }))).toBe('');
  });

  it.each([
    [{ bucket: 'Photos' }, /Watch \(bucket\): listens to bucket "Photos", which is not registered/],
    [{ prefixes: [] }, /Watch \(bucket\): prefixes lists no key prefix/],
    [{ prefixes: [''] }, /prefix "" must be a literal, non-empty key prefix/],
    [{ prefixes: ['logs/*'] }, /prefix "logs\/\*" must be a literal/],
    [{ prefixes: ['a/', 'a/b/'] }, /prefixes "a\/" and "a\/b\/" overlap/],
    [{ prefixes: ['firmware/v2/'] }, /prefix "firmware\/v2\/" overlaps "firmware\/" of route RecordLandedFiles on bucket Files/],
    [{ prefixes: ['char'] }, /prefix "char" overlaps "chargers\/" of route RecordLandedFiles/],
  ] as [Partial<BucketRoute>, RegExp][])('refuse %o', (over, message) => {
    expect(problemsOf(watch(over))).toMatch(message);
  });

  it.each([
    [{ access: 'read', prefix: '' }, /prefix "" must be a literal folder/],
    [{ access: 'read', prefix: 'fw*' }, /prefix "fw\*" must be a literal folder/],
    [{ access: 'write', prefix: ['chargers/', 'firmware'] }, /prefix "firmware" must be a literal folder/],
    [[{ access: 'write', prefix: [] }], /access to bucket "Files" names no key prefix/],
  ] as [BucketPrefixAccess | readonly BucketPrefixAccess[], RegExp][])('refuse a prefix grant that would reach the whole bucket: %o', (grant, message) => {
    // Any kind takes prefix grants; the bucket route is the handy one here.
    expect(problemsOf(watch({ access: { buckets: { Files: grant } } }))).toMatch(message);
  });

  it('report an overlap on both routes, each naming the other', () => {
    const message = problemsOf(watch({ prefixes: ['chargers/'] }));
    expect(message).toMatch(/Watch \(bucket\): prefix "chargers\/" overlaps "chargers\/" of route RecordLandedFiles/);
    expect(message).toMatch(/RecordLandedFiles \(bucket\): prefix "chargers\/" overlaps "chargers\/" of route Watch/);
  });
});

describe('S3 event keys', () => {
  it('encode as S3 does: `/` kept, spaces as `+`, `+` and parentheses escaped', () => {
    expect(s3EventKey('chargers/cp 1/x/my diag+1 (2).zip')).toBe('chargers/cp+1/x/my+diag%2B1+%282%29.zip');
    expect(s3EventKey('firmware/ü/a*b~c.bin')).toBe('firmware/%C3%BC/a*b%7Ec.bin');
  });

  it('decode back to the key, whatever it holds', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (key) => decodeS3EventKey(s3EventKey(key)) === key));
  });

  it('throw on a key that is not URL encoding (S3 never sends one)', () => {
    expect(() => decodeS3EventKey('chargers/%E0%A4%A')).toThrow(URIError);
  });
});
