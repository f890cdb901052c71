// Writes each Jest run's totals to tmp/test-results/<project>.json so that .ci/run can print
// one line for the whole workspace, however many projects Nx ran. A run whose process exits
// before the run completes (a library calling process.exit, an uncaught error with the tests
// running in band) still writes its file, saying so and naming the test files that were
// running, and prints the same on stderr.
const fs = require('node:fs');
const path = require('node:path');

const workspace = path.resolve(__dirname, '../..');

class TotalsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.displayName = undefined;
    this.running = new Set();
    this.counts = { passed: 0, failed: 0, skipped: 0, failedSuites: 0 };
    this.completed = false;
    this.onExit = (code) => {
      if (this.completed) return;
      const running = [...this.running].map((file) => path.relative(workspace, file));
      const died = { code, running };
      process.stderr.write(
        `\n${this.name()}: the Jest process exited (code ${code}) before its run completed, ` +
          `while running ${running.length ? running.join(', ') : 'no test file'}\n`,
      );
      this.write({ ...this.counts, died });
    };
    process.on('exit', this.onExit);
  }

  name() {
    const base = path.relative(workspace, this.rootDir).replace(/[\\/]/g, '__') || 'root';
    // Two configs may share a root (the standalone app's tests and its browser tests): the
    // display name keeps their totals apart.
    return this.displayName ? `${base}__${this.displayName}` : base;
  }

  noteDisplayName(config) {
    const display = config?.displayName;
    const name = typeof display === 'string' ? display : display?.name;
    if (name) this.displayName = name;
  }

  write(totals) {
    // BATON_TEST_RESULTS_DIR points it elsewhere (its own test does).
    const dir = process.env.BATON_TEST_RESULTS_DIR ?? path.join(workspace, 'tmp', 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${this.name()}.json`), JSON.stringify({ project: this.name(), ...totals }));
  }

  onTestStart(test) {
    this.noteDisplayName(test.context?.config);
    this.running.add(test.path);
  }

  onTestResult(test, result) {
    this.running.delete(test.path);
    this.counts.passed += result.numPassingTests;
    this.counts.failed += result.numFailingTests;
    this.counts.skipped += result.numPendingTests + result.numTodoTests;
    if (result.testExecError) this.counts.failedSuites += 1;
  }

  onRunComplete(contexts, results) {
    this.completed = true;
    process.removeListener('exit', this.onExit);
    this.noteDisplayName([...(contexts ?? [])][0]?.config);
    this.write({
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
      failedSuites: results.numFailedTestSuites + (results.numRuntimeErrorTestSuites ?? 0),
    });
  }
}

module.exports = TotalsReporter;
