#!/usr/bin/env node
// The `baton` command (npx baton ...). Compiles the workspace first (about 0.2 s with swc), so
// the command always runs the sources as they are, then runs the compiled CLI.
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..', '..', '..');
const build = spawnSync(process.execPath, [join(root, 'tools', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);
require(join(root, 'dist', 'apps', 'cli', 'src', 'main.js'));
