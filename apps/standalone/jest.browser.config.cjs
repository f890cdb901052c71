// The console's browser tests: Debian's chromium driven by playwright-core against the standalone
// app serving the built console. The `test-console` target builds the console first.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'console-browser',
  rootDir: __dirname,
  testMatch: ['**/*.browser-spec.ts'],
  testTimeout: 60000,
};
