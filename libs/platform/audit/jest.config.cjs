module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'platform-audit',
  rootDir: __dirname,
};
