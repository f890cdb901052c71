// Sums tmp/test-results/*.json into the one closing line CI reads: "N passed, N failed".
// Usage: print-totals.mjs <Jest runs expected> <exit status of the runs>. A suite that failed to
// load, a Jest run that wrote no totals and a failed task outside Jest each count as failed, so
// a broken file, a crashed process or a type error cannot hide behind "0 failed".
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

// BATON_TEST_RESULTS_DIR points it elsewhere (its own test does).
const dir = process.env.BATON_TEST_RESULTS_DIR ?? join(import.meta.dirname, '..', '..', 'tmp', 'test-results');
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(dir)) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const r = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    passed += r.passed;
    failed += r.failed + (r.failed === 0 ? r.failedSuites : 0);
    skipped += r.skipped;
    if (r.died) {
      const running = r.died.running.length ? r.died.running.join(', ') : 'no test file';
      console.log(`${r.project}: the Jest process exited (code ${r.died.code}) while running ${running}: counted as one failure`);
      failed += 1;
    }
  }
}
const expected = process.argv[2] ? Number(process.argv[2]) : 0;
const status = process.argv[3] ? Number(process.argv[3]) : 0;
const seen = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).length : 0;
if (seen < expected) {
  console.log(`${expected - seen} of ${expected} Jest runs wrote no totals (the process died first): each counts as failed`);
  failed += expected - seen;
}
// A failed task the totals do not show (typecheck, lint, or a Jest run that died after writing)
// still fails the line, so that "0 failed" always means the whole suite passed.
if (status !== 0 && failed === 0) {
  console.log('a task failed outside the Jest totals (see the Nx summary above): counted as one failure');
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
