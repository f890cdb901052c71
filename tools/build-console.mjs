#!/usr/bin/env node
// Builds the review and operations console (apps/console, Preact) into dist/console with Vite:
// hashed, minified assets and an index.html, served by the standalone app at / with no CDN at
// run time. `node tools/build.mjs` calls this. The browser tests build their own copy first
// (`--out-dir tmp/console-browser`), so a build of dist/ running beside them cannot pull it away.
import { join, relative, resolve } from 'node:path';
import { build } from 'vite';

const root = join(import.meta.dirname, '..');

export async function buildConsole({ quiet = false, outDir = join(root, 'dist/console') } = {}) {
  const started = performance.now();
  await build({
    root: join(root, 'apps/console'),
    base: '/console/',
    configFile: false,
    logLevel: quiet ? 'warn' : 'info',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir,
      emptyOutDir: true,
      // Everything the page needs ships in dist; the console never fetches code from elsewhere.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      sourcemap: true,
      chunkSizeWarningLimit: 300,
    },
  });
  return Math.round(performance.now() - started);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--out-dir');
  const outDir = at > 0 && process.argv[at + 1] ? resolve(root, process.argv[at + 1]) : join(root, 'dist/console');
  const ms = await buildConsole({ quiet: true, outDir });
  process.stdout.write(`built the console into ${relative(root, outDir)} in ${ms} ms\n`);
}
