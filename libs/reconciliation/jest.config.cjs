module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'reconciliation-service',
  rootDir: __dirname,
};
