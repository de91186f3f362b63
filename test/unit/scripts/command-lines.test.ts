/**
 * The command lines of the npm scripts that take options: `--help` prints the usage and exits 0 before anything
 * starts; a wrong option says what was wrong and the usage, exit 2, with no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 30_000 });

describe.each([
  { name: 'simulate', script: 'scripts/simulate-charger.ts', usage: 'usage: npm run simulate -- --id <chargeBoxId> --password <password>', before: ['--id', 'CP-1'] },
  { name: 'bench', script: 'bench/run.ts', usage: 'usage: npm run bench -- [--smoke]', before: [] },
])('npm run $name', ({ name, script, usage, before }) => {
  it('prints its usage for --help, and exits 0', () => {
    const help = run(script, '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(usage);
  });

  it('answers an unknown option with what was wrong and the usage, exit 2, no stack trace', () => {
    const wrong = run(script, ...before, '--bogus');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("Unknown option '--bogus'");
    expect(wrong.stderr).toContain(`usage: npm run ${name}`);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('npm run bench, its figures', () => {
  it('refuses a figure that is not a whole number, naming the option', () => {
    const wrong = run('bench/run.ts', '--smoke', '--chargers', 'ten');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("--chargers takes a whole number, not 'ten'");
  });
});
