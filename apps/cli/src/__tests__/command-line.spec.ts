// The command line as a user meets it: `baton` and the bench, each with --help, and every app's
// refusal of a bad environment variable. Each runs as its own process from a build, as `npx
// baton` and `npm start` run it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');
// Its own build, not dist/: other suites start processes from dist/ while this one runs.
const built = join(root, 'tmp', 'cli-test-dist');

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(root, 'tools/build.mjs'), '--out', built], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
});
afterAll(() => rmSync(built, { recursive: true, force: true }));

/** Runs a built entry point with only the given environment (and PATH), as a fresh shell would. */
function run(entry: string, args: string[] = [], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [join(built, entry), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const baton = (...args: string[]) => run('apps/cli/src/main.js', args);
const NO_STACK = /^\s+at /m;

describe('baton', () => {
  it.each([['--help'], ['-h'], ['help']])('%s lists the commands and exits 0', (flag) => {
    const sut = baton(flag);
    expect({ status: sut.status, stderr: sut.stderr }).toEqual({ status: 0, stderr: '' });
    expect(sut.stdout).toMatch(/^usage: baton <command> \[options\]$/m);
    for (const command of ['validate', 'classifier train', 'classifier evaluate']) expect(sut.stdout).toContain(`  ${command} `);
  });

  it.each([
    [['validate', '--help'], 'usage: baton validate <file-or-dir>...'],
    [['help', 'validate'], 'usage: baton validate <file-or-dir>...'],
    [['classifier', '--help'], 'usage: baton classifier train --data <dir> --out <model.json> [--seed <n>]'],
    [['classifier', 'train', '--help'], 'usage: baton classifier train --data <dir> --out <model.json> [--seed <n>]'],
    [['classifier', 'evaluate', '--help'], 'usage: baton classifier evaluate --data <dir> --model <model.json> [--target <precision>]'],
    [['help', 'classifier', 'evaluate'], 'usage: baton classifier evaluate --data <dir> --model <model.json> [--target <precision>]'],
  ])('%j prints that command’s usage and exits 0', (args, usage) => {
    const sut = baton(...args);
    expect({ status: sut.status, first: sut.stdout.split('\n')[0], stderr: sut.stderr }).toEqual({ status: 0, first: usage, stderr: '' });
  });

  it('stops quietly when its reader has gone (`baton --help | head -1`), with no EPIPE stack', () => {
    // `true` exits without reading: every write finds the pipe closed.
    const sut = spawnSync(
      'bash',
      ['-o', 'pipefail', '-c', `"${process.execPath}" "${join(built, 'apps/cli/src/main.js')}" --help | true; echo "exit $?"`],
      { cwd: root, encoding: 'utf8' },
    );
    expect({ stdout: sut.stdout, stderr: sut.stderr }).toEqual({ stdout: 'exit 0\n', stderr: '' });
  });

  it.each([
    [[], ''],
    [['deploy'], "baton: unknown command 'deploy'\n"],
  ])('%j is a usage error: exit 2, the usage on stderr', (args, message) => {
    const sut = baton(...args);
    expect({ status: sut.status, stdout: sut.stdout }).toEqual({ status: 2, stdout: '' });
    expect(sut.stderr.startsWith(`${message}usage: baton <command> [options]`)).toBe(true);
  });
});

describe('npm run bench', () => {
  it('--help prints its usage and exits 0, starting nothing', () => {
    const sut = run('tools/bench/bench.js', ['--help']);
    expect({ status: sut.status, stderr: sut.stderr }).toEqual({ status: 0, stderr: '' });
    expect(sut.stdout).toMatch(/^usage: npm run bench -- \[options\]/);
    for (const option of ['--runs <n>', '--concurrency <n>', '--mode <mode>', '--schema-registry <url>', '-h, --help'])
      expect(sut.stdout).toContain(option);
  });

  it('names an unknown option in one line, then the usage, exit 2, no stack trace', () => {
    const sut = run('tools/bench/bench.js', ['--run', '10']);
    expect(sut.status).toBe(2);
    expect(sut.stderr.split('\n')[0]).toMatch(/^bench: Unknown option '--run'/);
    expect(sut.stderr).toContain('usage: npm run bench');
    expect(sut.stderr).not.toMatch(NO_STACK);
  });
});

describe('every app, given a bad environment variable', () => {
  const apps = ['ingestion', 'enrichment', 'decisioning', 'action', 'verification', 'reconciliation', 'standalone', 'sample-systems'];

  it.each(apps)('%s prints one line naming it and exits 1, before starting anything', (app) => {
    const sut = run(`apps/${app}/src/main.js`, [], { BATON_HTTP_PORT: 'eighty' });
    expect({ status: sut.status, stdout: sut.stdout }).toEqual({ status: 1, stdout: '' });
    expect(sut.stderr).toBe(
      `baton ${app}: invalid environment variable BATON_HTTP_PORT: Invalid input: expected number, received NaN (got "eighty")\n`,
    );
  });

  it('names each bad variable on a line of its own', () => {
    const sut = run('apps/ingestion/src/main.js', [], { BATON_BUS: 'carrier-pigeon', OTEL_TRACES_SAMPLER: 'sometimes' });
    expect(sut.status).toBe(1);
    expect(sut.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^baton ingestion: invalid environment variable OTEL_TRACES_SAMPLER: Invalid option: expected one of .*\(got "sometimes"\)$/,
      ),
      expect.stringMatching(
        new RegExp(
          '^baton ingestion: invalid environment variable BATON_BUS: ' +
            'Invalid option: expected one of "memory"\\|"kafka" \\(got "carrier-pigeon"\\)$',
        ),
      ),
    ]);
  });

  it('reports a start-up failure that is not the environment in one line too', () => {
    // A keys file that is not YAML: start-up fails once Nest builds the app, not in the env schema.
    const dir = mkdtempSync(join(tmpdir(), 'baton-cli-'));
    try {
      writeFileSync(join(dir, 'keys.yaml'), 'apiKeys: [ {\n');
      const sut = run('apps/ingestion/src/main.js', [], {
        BATON_API_KEYS_FILE: join(dir, 'keys.yaml'),
        BATON_DATA_DIR: join(dir, 'data'),
        BATON_HTTP_PORT: '0',
      });
      expect(sut.status).toBe(1);
      // Nest may log as JSON before it fails; what the process says about the failure is one line.
      expect(
        sut.stderr
          .trimEnd()
          .split('\n')
          .filter((line) => !line.startsWith('{')),
      ).toEqual([
        expect.stringMatching(
          new RegExp(`^baton ingestion: failed to start: ${join(dir, 'keys.yaml')}: not valid YAML: .*line 2, column 1`),
        ),
      ]);
      expect(sut.stderr).not.toMatch(NO_STACK);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
