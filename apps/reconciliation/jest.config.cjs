module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'reconciliation',
  rootDir: __dirname,
};
