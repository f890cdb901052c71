// Writes each Jest run's totals to tmp/test-results/<project>.json so that .ci/run can print
// one line for the whole workspace, however many projects Nx ran.
const fs = require('node:fs');
const path = require('node:path');

class TotalsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(contexts, results) {
    const workspace = path.resolve(__dirname, '../..');
    const dir = path.join(workspace, 'tmp', 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    // Two configs may share a root (the standalone app's tests and its browser tests): the
    // display name keeps their totals apart.
    const display = [...(contexts ?? [])][0]?.config?.displayName;
    const displayName = typeof display === 'string' ? display : display?.name;
    const base = path.relative(workspace, this.rootDir).replace(/[\\/]/g, '__') || 'root';
    const name = displayName ? `${base}__${displayName}` : base;
    const failedSuites = results.numFailedTestSuites + (results.numRuntimeErrorTestSuites ?? 0);
    fs.writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({
        project: name,
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        skipped: results.numPendingTests + results.numTodoTests,
        failedSuites,
      }),
    );
  }
}

module.exports = TotalsReporter;
