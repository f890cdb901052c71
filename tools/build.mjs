#!/usr/bin/env node
// Compiles every app and lib to CommonJS in dist/, mirroring the source tree, with swc (about
// a second for the whole workspace). Path aliases become relative requires, so the output runs
// with plain `node dist/apps/<app>/src/main.js`. Type checking is separate: `npm run typecheck`.
// Then the console (apps/console, a browser bundle) is built with Vite into dist/console.
import { createRequire } from 'node:module';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { transformFile } from '@swc/core';
import { buildConsole } from './build-console.mjs';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
// `--out <folder>` (inside the workspace, so node_modules resolves) builds elsewhere than dist/,
// e.g. for a test that must not pull dist/ from under processes started from it.
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 && process.argv[outArg + 1] ? resolve(root, process.argv[outArg + 1]) : join(root, 'dist');
const base = require('./swc-options.cjs')();

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['node_modules', '__tests__', 'test', 'dist'].includes(entry.name)) continue;
      // The console's page runs in the browser: Vite builds it, not swc.
      if (path === join(root, 'apps', 'console', 'web')) continue;
      yield* sources(path);
    } else if (entry.name.endsWith('.ts') && !/\.(spec|integration-spec|e2e-spec|d)\.ts$/.test(entry.name)) {
      yield path;
    }
  }
}

const started = performance.now();
await rm(out, { recursive: true, force: true });
const jobs = [];
for (const top of ['apps', 'libs', 'tools/bench']) {
  for await (const file of sources(join(root, top))) {
    jobs.push(
      (async () => {
        const { code, map } = await transformFile(file, { ...base, sourceMaps: true, swcrc: false, filename: file });
        const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
        if (map) await writeFile(`${target}.map`, map);
      })(),
    );
  }
}
await Promise.all(jobs);
const consoleMs = await buildConsole({ quiet: true, outDir: join(out, 'console') });
process.stdout.write(
  `built ${jobs.length} files into ${relative(root, out)}/ in ${Math.round(performance.now() - started - consoleMs)} ms, and the ` +
    `console into ${relative(root, out)}/console in ${consoleMs} ms\n`,
);
