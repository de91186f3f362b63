import { describe, expect, it } from 'vitest';
import { firmwareObjectKey, parseObjectKey, safeFileName, uploadFolder, uploadObjectKey } from '#shared/file/object-keys.ts';

const FILE = '0b6a2c1e-3f4d-4c5b-8a9e-1f2e3d4c5b6a';

describe('object keys of the files bucket', () => {
  it('keeps an upload under its charger (lower case) and its own file folder', () => {
    expect(uploadFolder('CP-0001', FILE)).toBe(`chargers/cp-0001/${FILE}/`);
    expect(uploadObjectKey('CP-0001', FILE, 'diag.zip')).toBe(`chargers/cp-0001/${FILE}/diag.zip`);
    expect(firmwareObjectKey(FILE, 'fw-1.2.bin')).toBe(`firmware/${FILE}/fw-1.2.bin`);
  });

  it('makes any name given safe: last segment, no control characters or quotes, never empty', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\logs\\a"b\u0000.txt')).toBe('ab.txt');
    expect(safeFileName('..')).toBe('upload.bin');
    expect(safeFileName(undefined)).toBe('upload.bin');
    expect(safeFileName('x'.repeat(500))).toHaveLength(200);
  });

  it('parses keys of the layout back, and nothing else', () => {
    expect(parseObjectKey(`chargers/cp-0001/${FILE}/logs/a.txt`)).toEqual({ kind: 'upload', chargerKey: 'cp-0001', fileId: FILE, name: 'logs/a.txt' });
    expect(parseObjectKey(`firmware/${FILE}/fw.bin`)).toEqual({ kind: 'firmware', fileId: FILE, name: 'fw.bin' });
    expect(parseObjectKey(`chargers/cp-0001/${FILE}/`)).toBeUndefined();
    expect(parseObjectKey('chargers/cp-0001/not-a-uuid/a.txt')).toBeUndefined();
    expect(parseObjectKey('elsewhere/a.txt')).toBeUndefined();
  });
});
