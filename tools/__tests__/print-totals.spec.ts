import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = join(__dirname, '..', 'jest', 'print-totals.mjs');

/** Runs print-totals over the given per-run totals files; returns what it printed. */
function totals(files: Array<Record<string, number | string>>, expected: number, status: number): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'baton-totals-'));
  files.forEach((file, i) => writeFileSync(join(dir, `run${i}.json`), JSON.stringify(file)));
  return execFileSync(process.execPath, [script, String(expected), String(status)], {
    env: { ...process.env, BATON_TEST_RESULTS_DIR: dir },
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
}

const run = (passed: number, failed = 0, failedSuites = 0) => ({ project: 'p', passed, failed, skipped: 0, failedSuites });

describe('the closing totals line', () => {
  it('sums every Jest run', () => {
    expect(totals([run(3), run(4, 1)], 2, 1).at(-1)).toBe('7 passed, 1 failed');
  });

  it('counts a suite that failed to load as a failure', () => {
    expect(totals([run(3, 0, 1)], 1, 1).at(-1)).toBe('3 passed, 1 failed');
  });

  it('counts a Jest run that died before writing its totals as failed, and says so', () => {
    const lines = totals([run(3), run(4)], 3, 1);
    expect(lines.at(-1)).toBe('7 passed, 1 failed');
    expect(lines[0]).toContain('1 of 3 Jest runs wrote no totals');
  });

  it('never prints "0 failed" when a task failed outside the Jest totals (a type error, a lint error)', () => {
    const lines = totals([run(3), run(4)], 2, 1);
    expect(lines.at(-1)).toBe('7 passed, 1 failed');
    expect(lines[0]).toContain('outside the Jest totals');
  });

  it('prints "0 failed" when everything ran and passed', () => {
    expect(totals([run(3), run(4)], 2, 0)).toEqual(['7 passed, 0 failed']);
  });
});

describe('the totals reporter', () => {
  it('writes the totals of a Jest run whose process exited in the middle, naming the file it was running', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-totals-'));
    const jest = spawnSync(
      process.execPath,
      [
        join(__dirname, '..', '..', 'node_modules/jest/bin/jest.js'),
        '--config',
        join(__dirname, 'fixtures/dying-run/jest.config.cjs'),
        '--runInBand',
      ],
      { env: { ...process.env, BATON_TEST_RESULTS_DIR: dir }, encoding: 'utf8' },
    );
    expect(jest.status).toBe(7);
    expect(jest.stderr).toContain(
      'the Jest process exited (code 7) before its run completed, while running tools/__tests__/fixtures/dying-run/exits.fixture.cjs',
    );
    const [file] = readdirSync(dir);
    const written = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as { project: string; died: { code: number; running: string[] } };
    expect(written.project).toBe('tools____tests____fixtures__dying-run__dying-run');
    expect(written.died).toEqual({ code: 7, running: ['tools/__tests__/fixtures/dying-run/exits.fixture.cjs'] });
    const printed = execFileSync(process.execPath, [script, '1', '7'], {
      env: { ...process.env, BATON_TEST_RESULTS_DIR: dir },
      encoding: 'utf8',
    });
    const lines = printed.trim().split('\n');
    expect(lines[0]).toContain(
      'exited (code 7) while running tools/__tests__/fixtures/dying-run/exits.fixture.cjs: counted as one failure',
    );
    expect(lines[1]).toMatch(/^\d passed, 1 failed$/);
  });
});
