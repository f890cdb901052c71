#!/usr/bin/env node
// `npm test`: starts the real components the integration tests need (a PostgreSQL server from
// Debian's packages, a Kafka broker from Maven Central), runs typecheck, lint and every
// project's Jest suite through Nx, stops the components, and prints one closing line:
// "N passed, N failed". Set BATON_TEST_SERVICES=none to use servers you started yourself.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', TZ: 'UTC', FORCE_COLOR: '0' };
const manage = (process.env.BATON_TEST_SERVICES ?? 'all') !== 'none';

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, ...options });
  return result.status ?? 1;
}

function services(verb) {
  if (!manage) return 0;
  let status = 0;
  for (const script of ['tools/postgres/postgres.sh', 'tools/kafka/kafka.sh']) {
    const code = run('bash', [script, verb]);
    if (code !== 0) {
      process.stderr.write(`test: ${script} ${verb} failed (exit ${code})\n`);
      status = code;
    }
  }
  return status;
}

rmSync(join(root, 'tmp', 'test-results'), { recursive: true, force: true });
let status = services('start');
if (status === 0) {
  status = run('npx', ['nx', 'run-many', '-t', 'typecheck', 'lint', 'test', '--parallel=2', '--outputStyle=stream', ...process.argv.slice(2)]);
}
services('stop');
const projects = spawnSync('npx', ['nx', 'show', 'projects', '--with-target', 'test', '--json'], { cwd: root, env, encoding: 'utf8' });
const expected = JSON.parse(projects.stdout || '[]').length;
run('node', ['tools/jest/print-totals.mjs', String(expected)]);
process.exit(status);
