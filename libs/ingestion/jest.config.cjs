module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'ingestion-service',
  rootDir: __dirname,
};
