// Sums tmp/test-results/*.json into the one closing line CI reads: "N passed, N failed".
// A suite that failed to load counts as a failed test, so a broken file cannot hide.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', '..', 'tmp', 'test-results');
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(dir)) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const r = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    passed += r.passed;
    failed += r.failed + (r.failed === 0 ? r.failedSuites : 0);
    skipped += r.skipped;
  }
}
const expected = process.argv[2] ? Number(process.argv[2]) : 0;
const seen = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).length : 0;
if (seen < expected) failed += expected - seen;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
