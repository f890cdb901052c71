#!/usr/bin/env node
// The `baton` command (npx baton ...). Runs the compiled CLI, building the workspace first when
// the build output is missing or older than the sources it was built from.
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..', '..', '..');
const entry = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
const source = join(root, 'libs', 'workflow', 'src');
const stale = !existsSync(entry) || statSync(entry).mtimeMs < statSync(source).mtimeMs;
if (stale) {
  const build = spawnSync(process.execPath, [join(root, 'tools', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
require(entry);
