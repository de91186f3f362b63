/**
 * Every option the CLI's commands read is one `bin/cli.ts` declares: parseArgs refuses an undeclared one as unknown,
 * so a command whose option is missing there fails for every user who passes it (as `charger password --revoke` did).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const cliDir = join(root, 'bin/cli');

/** The option names of the parseArgs call in bin/cli.ts. */
const declared = (): Set<string> => {
  const text = readFileSync(join(root, 'bin/cli.ts'), 'utf8');
  const options = text.slice(text.indexOf('options: {'), text.indexOf('const [group'));
  return new Set([...options.matchAll(/^\s*'?([a-z][a-z-]*)'?: \{ type:/gm)].map((m) => m[1]!));
};

/** The option names the commands read: `o.name`, `o['name']`, and the helpers that take `(o, 'name'…)`. */
const read = (): Map<string, string> => {
  const found = new Map<string, string>();
  for (const file of readdirSync(cliDir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(cliDir, file), 'utf8');
    const patterns = [/\bo\.([a-z][a-zA-Z]*)\b/g, /\bo\['([a-z][a-z-]*)'\]/g, /\(o, '([a-z][a-z-]*)'/g, /\(options, '([a-z][a-z-]*)'/g];
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.set(m[1]!, `bin/cli/${file}`);
  }
  return found;
};

describe('CLI options', () => {
  it('declares every option a command reads', () => {
    const known = declared();
    expect(known.size).toBeGreaterThan(10);
    const missing = [...read()].filter(([name]) => !known.has(name)).map(([name, file]) => `--${name} (${file})`);
    expect(missing).toEqual([]);
  });
});
