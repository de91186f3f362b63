/** The simulator's command line: `--help` prints the usage, a wrong option says what was wrong and the usage, exit 2. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const simulate = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/simulate-charger.ts', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('npm run simulate', () => {
  it('prints its usage for --help, and exits 0 without connecting', () => {
    const run = simulate('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('usage: npm run simulate -- --id <chargeBoxId> --password <password>');
  });

  it('answers an unknown option with what was wrong and the usage, exit 2, no stack trace', () => {
    const run = simulate('--id', 'CP-1', '--bogus');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown option '--bogus'");
    expect(run.stderr).toContain('usage: npm run simulate');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
