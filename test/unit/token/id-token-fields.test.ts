import { describe, expect, it } from 'vitest';
import { IdTokenChangeSchema, NewIdTokenSchema } from '#shared/token/id-token-admin.ts';
import { rowsOfCsv } from '#shared/token/id-token-import.ts';

const problems = (input: unknown, schema: typeof NewIdTokenSchema | typeof IdTokenChangeSchema = NewIdTokenSchema) => {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the token fields of groups, master pass, restrictions and 2.x answers', () => {
  it('takes them all', () => {
    const input = {
      value: 'POLICE-7',
      groupId: 'MASTER',
      masterPass: true,
      allowedChargers: ['CP-1', 'cp:2'],
      allowedLocations: ['depot.north'],
      cacheLifetimeSeconds: 3600,
      personalMessage: { format: 'UTF8', language: 'de-CH', content: 'Grüezi' },
    };
    expect(NewIdTokenSchema.parse(input)).toEqual({ ...input, type: 'ISO14443', status: 'active' });
  });

  it('refuses a master pass without its group, naming groupId', () => {
    expect(problems({ value: 'P-1', masterPass: true })).toEqual([expect.stringMatching(/^groupId: a master pass token needs the groupId/)]);
  });

  it('refuses malformed restrictions, lifetimes and messages, naming each field', () => {
    const found = problems({
      value: 'T-1',
      allowedChargers: [],
      allowedLocations: ['has space'],
      cacheLifetimeSeconds: 1.5,
      personalMessage: { format: 'QRCODE', language: 'too-long-tag', content: 'x'.repeat(513), extra: 1 },
    });
    const fields = found.map((p) => p.split(':')[0]);
    expect(fields).toEqual(
      expect.arrayContaining([
        'allowedChargers',
        'allowedLocations.0',
        'cacheLifetimeSeconds',
        'personalMessage.format',
        'personalMessage.language',
        'personalMessage.content',
        'personalMessage',
      ]),
    );
    expect(problems({ value: 'T-1', cacheLifetimeSeconds: 0 })).toHaveLength(1);
    expect(problems({ value: 'T-1', cacheLifetimeSeconds: 366 * 86_400 + 1 })).toHaveLength(1);
    expect(problems({ value: 'T-1', personalMessage: { format: 'ASCII' } })).toEqual([expect.stringMatching(/^personalMessage\.content/)]);
  });

  it('lets a change remove each with null, and masterPass false', () => {
    const change = { masterPass: false, allowedChargers: null, allowedLocations: null, cacheLifetimeSeconds: null, personalMessage: null };
    expect(IdTokenChangeSchema.parse(change)).toEqual(change);
  });
});

describe('CSV import columns', () => {
  it('reads flags, numbers, lists and the personal message from their cells', () => {
    const csv = [
      'value,groupId,masterPass,allowedChargers,allowedLocations,cacheLifetimeSeconds,personalMessage,personalMessageLanguage',
      'P-1,MASTER,TRUE,CP-1;CP-2,,,,',
      'F-1,FLEET,false,,depot-a depot-b,600,"Hello, driver",en',
    ].join('\n');
    const [master, fleet] = rowsOfCsv(csv);
    expect(master).toEqual({ value: 'P-1', groupId: 'MASTER', masterPass: true, allowedChargers: ['CP-1', 'CP-2'] });
    expect(fleet).toEqual({
      value: 'F-1',
      groupId: 'FLEET',
      masterPass: false,
      allowedLocations: ['depot-a', 'depot-b'],
      cacheLifetimeSeconds: 600,
      personalMessage: { format: 'UTF8', language: 'en', content: 'Hello, driver' },
    });
    expect(NewIdTokenSchema.safeParse(master).success).toBe(true);
    expect(NewIdTokenSchema.safeParse(fleet).success).toBe(true);
  });

  it('leaves a cell that is no flag or number as text, so the row check names it', () => {
    const [row] = rowsOfCsv('value,masterPass,cacheLifetimeSeconds,personalMessageFormat\nX-1,yes,soon,HTML\n');
    expect(row).toEqual({ value: 'X-1', masterPass: 'yes', cacheLifetimeSeconds: 'soon', personalMessage: { format: 'HTML' } });
    expect(problems(row).map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['masterPass', 'cacheLifetimeSeconds', 'personalMessage.content']));
  });
});
