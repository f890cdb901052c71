module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'enrichment-service',
  rootDir: __dirname,
};
