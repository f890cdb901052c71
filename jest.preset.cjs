// Shared Jest settings; each project's jest.config.cjs spreads this and sets its own root.
const swcOptions = require('./tools/swc-options.cjs');

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcOptions(), swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/__tests__/**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts'],
  reporters: ['default', require.resolve('./tools/jest/totals-reporter.cjs')],
  testTimeout: 30000,
};
