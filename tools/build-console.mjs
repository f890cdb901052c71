#!/usr/bin/env node
// Builds the review and operations console (apps/console, Preact) into dist/console with Vite:
// hashed, minified assets and an index.html, served by the standalone app at / with no CDN at
// run time. `node tools/build.mjs` calls this; the browser tests call it before they start.
import { join } from 'node:path';
import { build } from 'vite';

const root = join(import.meta.dirname, '..');

export async function buildConsole({ quiet = false } = {}) {
  const started = performance.now();
  await build({
    root: join(root, 'apps/console'),
    base: '/console/',
    configFile: false,
    logLevel: quiet ? 'warn' : 'info',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: join(root, 'dist/console'),
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
  const ms = await buildConsole({ quiet: true });
  process.stdout.write(`built the console into dist/console in ${ms} ms\n`);
}
