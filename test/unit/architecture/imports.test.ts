/**
 * The persistence layer is a layer: only shared/store/ (and functions/_common/, where Lambda clients are made)
 * may import the AWS SDK. A domain module that reaches for a client, a key or a condition expression fails here, and
 * so does a client made without `traced` (shared/store/tracing.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

const sourceFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });

/** Every module specifier a file imports or re-exports, statically or dynamically. */
const importsOf = (file: string): string[] => {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
};

const sdkImportsOutside = (dir: string, allowed: string) =>
  sourceFiles(dir)
    .filter((file) => !file.startsWith(`${allowed}/`))
    .flatMap((file) => importsOf(file).filter((s) => s.startsWith('@aws-sdk/')).map((s) => `${file} imports ${s}`));

describe('architecture', () => {
  it('lets only shared/store/ import the AWS SDK among the domain modules of shared/', () => {
    expect(sdkImportsOutside('shared', 'shared/store')).toEqual([]);
  });

  it('lets only functions/_common/ import the AWS SDK among the Lambda entry points', () => {
    expect(sdkImportsOutside('functions', 'functions/_common')).toEqual([]);
  });

  it('makes every AWS SDK client of shared/ and functions/ through `traced`, so each of its calls is in X-Ray', () => {
    const untraced = [...sourceFiles('shared'), ...sourceFiles('functions')].flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/(traced\(\s*)?new\s+(\w+Client)\s*\(/g)]
        .filter((m) => m[1] === undefined)
        .map((m) => `${file}: new ${m[2]}(…) outside traced(…)`),
    );
    expect(untraced).toEqual([]);
  });

  it("imports zod's schema builders as a namespace, never its `z` object, which keeps all of zod in a bundle", () => {
    // `import { z } from 'zod'` reaches zod through an object esbuild cannot tree-shake: every locale and the JSON
    // Schema converter come along, about 370 KB more in each Lambda that validates a REST body (bench, cold starts).
    const whole = [...sourceFiles('shared'), ...sourceFiles('functions'), ...sourceFiles('bin'), ...sourceFiles('lib')].filter((file) =>
      /import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*['"]zod(\/v4)?['"]/.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(whole).toEqual([]);
  });

  it('finds the SDK imports it is meant to find (the check itself works)', () => {
    expect(importsOf('shared/store/dynamo.ts')).toContain('@aws-sdk/lib-dynamodb');
    expect(sdkImportsOutside('shared', 'shared/charger').some((line) => line.startsWith('shared/store/'))).toBe(true);
  });
});
