/** The benchmark's command line is read before anything starts: `--help` and a wrong option end it at once, with the usage. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const bench = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('npm run bench, its options', () => {
  it('prints its usage for --help, and exits 0 without starting the runtime', () => {
    const run = bench('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('usage: npm run bench -- [--smoke]');
    expect(run.stderr).not.toContain('[bench]');
  });

  it('answers an unknown option with what was wrong and the usage, exit 2, no stack trace', () => {
    const run = bench('--bogus');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown option '--bogus'");
    expect(run.stderr).toContain('usage: npm run bench');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a figure that is not a whole number, naming the option', () => {
    const run = bench('--smoke', '--chargers', 'ten');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--chargers takes a whole number, not 'ten'");
  });
});
