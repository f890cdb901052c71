module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'testing-cluster',
  rootDir: __dirname,
};
