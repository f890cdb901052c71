#!/usr/bin/env node
// `npm test`: starts the real components the integration tests need (a PostgreSQL server from
// Debian's packages, a Kafka broker from Maven Central, a Confluent-compatible schema registry
// and Jaeger, both built from the Go module proxy, helm for the chart tests, kcat for the
// distributed end-to-end tests, Debian's chromium for the console's browser tests), runs
// typecheck, lint and every project's Jest suite through Nx, stops the components, and prints
// one closing line: "N passed, N failed". Set BATON_TEST_SERVICES=none to use servers you
// started yourself. Extra arguments go to `nx run-many` (e.g. --projects=workflow).
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', TZ: 'UTC', FORCE_COLOR: '0' };
const manage = (process.env.BATON_TEST_SERVICES ?? 'all') !== 'none';
const extra = process.argv.slice(2);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, ...options });
  return result.status ?? 1;
}

function services(verb) {
  if (!manage) return 0;
  let status = 0;
  for (const script of [
    'tools/postgres/postgres.sh',
    'tools/kafka/kafka.sh',
    'tools/schema-registry/registry.sh',
    'tools/jaeger/jaeger.sh',
  ]) {
    const code = run('bash', [script, verb]);
    if (code !== 0) {
      process.stderr.write(`test: ${script} ${verb} failed (exit ${code})\n`);
      status = code;
    }
  }
  return status;
}

// helm may need building from source (minutes on a cold machine): do it while the rest runs,
// and run the workspace project, whose chart tests need it, last.
const helm = new Promise((resolve) => {
  const child = spawn('bash', ['tools/helm/ensure-helm.sh'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code) => resolve(code ?? 1));
  child.on('error', () => resolve(1));
});

rmSync(join(root, 'tmp', 'test-results'), { recursive: true, force: true });
// Nx streams each task's lines prefixed with its project's name. The last lines of each project
// are kept, so that a failed task's own last words (Jest's summary of failing tests, or the
// crash that ended it) are printed again at the very end, beside the totals, however long the
// other projects' output after it.
const KEPT_LINES = 60;
const lastLines = new Map();
function keep(chunk, state) {
  const lines = (state.partial + chunk).split('\n');
  state.partial = lines.pop();
  for (const line of lines) {
    const failedTask = /^- ([\w-]+):[\w-]+$/.exec(line);
    if (failedTask) state.failed.push(failedTask[1]);
    const match = /^([\w-]+): /.exec(line);
    if (!match) continue;
    const kept = lastLines.get(match[1]) ?? [];
    kept.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
    if (kept.length > KEPT_LINES) kept.shift();
    lastLines.set(match[1], kept);
  }
}
function nx(args) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['nx', 'run-many', '--parallel=2', '--outputStyle=stream', ...args, ...extra], {
      cwd: root,
      env,
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    // Task output comes on standard output, the summary naming the failed tasks on standard error.
    const out = { partial: '', failed: [] };
    const err = { partial: '', failed: out.failed };
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      keep(chunk.toString('utf8'), out);
    });
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      keep(chunk.toString('utf8'), err);
    });
    child.on('error', () => resolve({ status: 1, failed: out.failed }));
    child.on('close', (code) => resolve({ status: code ?? 1, failed: out.failed }));
  });
}
const failedProjects = new Set();
async function nxRun(args) {
  const result = await nx(args);
  for (const project of result.failed) failedProjects.add(project);
  return result.status;
}
let status = services('start');
// kcat (Debian's package) is the Kafka client the distributed end-to-end tests produce and read with.
if (run('bash', ['tools/kcat/ensure-kcat.sh'], { stdio: ['ignore', 'ignore', 'inherit'] }) !== 0) {
  process.stderr.write('test: could not provide kcat; the distributed end-to-end tests will fail\n');
}
// Debian's chromium is the browser the console's tests drive with playwright-core.
if (run('bash', ['tools/chromium/ensure-chromium.sh'], { stdio: ['ignore', 'ignore', 'inherit'] }) !== 0) {
  process.stderr.write('test: could not provide chromium; the console browser tests will fail\n');
}
// test-console is the standalone app's browser tests: a target of its own, so a failure there
// does not keep the rest of the standalone suite from running (and being counted).
if (status === 0) status = (await nxRun(['-t', 'typecheck', 'lint', 'test', 'test-console', '--exclude=workspace'])) || status;
if (status === 0 || extra.length === 0) {
  const helmStatus = await helm;
  if (helmStatus !== 0) process.stderr.write('test: could not provide helm; the chart tests will fail\n');
  status = (await nxRun(['-t', 'typecheck', 'lint', 'test', '--projects=workspace'])) || status;
}
services('stop');
// Every test and test-console target is one Jest run that writes one totals file; a run that
// died before writing its file (a crashed process) is counted as failed by print-totals.
const withTarget = (target) => {
  const projects = spawnSync('npx', ['nx', 'show', 'projects', '--with-target', target, '--json'], { cwd: root, env, encoding: 'utf8' });
  return JSON.parse(projects.stdout || '[]').length;
};
// With projects named on the command line, fewer runs are expected than the workspace has.
const expected = extra.length ? 0 : withTarget('test') + withTarget('test-console');
for (const project of failedProjects) {
  process.stdout.write(`\n--- the last lines of ${project}, which failed ---\n${(lastLines.get(project) ?? []).join('\n')}\n`);
}
run('node', ['tools/jest/print-totals.mjs', String(expected), String(status)]);
process.exit(status);
